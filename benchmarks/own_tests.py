"""A generated project's own `uv run pytest`, warm, per stack: a template version against another.

    uv run python benchmarks/own_tests.py [--before REF] [--after REF] [--runs N]

Per stack and template version: `scaffold new` with auth on and the worker on (Django's answer
was `celery` before issue 28: both names are given, each version reads its own), one untimed
run of `uv run pytest -q` to warm the bytecode and caches, then N timed runs on SQLite and N on
PostgreSQL (a fresh database on 127.0.0.1:5432). Prints the fastest and the median of each side
by side, with the load average. CONTRACT 7's goal: at most 10 s on SQLite and 15 s on
PostgreSQL on a 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import uuid

from _common import (
    PROJECT,
    STACKS,
    clean_env,
    header,
    median,
    scaffold_new,
    seconds,
    table,
    timed,
    verdict,
    workdir,
)

GOALS = {"sqlite": 10.0, "postgresql": 15.0}
ANSWERS = {
    "django": ["-d", "auth=true", "-d", "worker=true", "-d", "celery=true"],
    "fastapi": ["-d", "auth=true", "-d", "worker=true"],
    "flask": ["-d", "auth=true", "-d", "worker=true"],
}
POSTGRES = os.environ.get("SCAFFOLD_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")


def _database(name: str, create: bool) -> None:
    import psycopg

    with psycopg.connect(POSTGRES, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if create:
            conn.execute(f'CREATE DATABASE "{name}"')


def own_tests(stack: str, ref: str, runs: int) -> dict[str, list[float]]:
    """Seconds of each timed `uv run pytest -q`, per database."""
    timings: dict[str, list[float]] = {"sqlite": [], "postgresql": []}
    with workdir(f"own-tests-{stack}") as tmp:
        # No git: an old template's hooks (cloned from GitHub) would not install offline.
        scaffold_new(tmp, stack, "--vcs-ref", ref, "--no-git", *ANSWERS[stack])
        project = tmp / PROJECT
        name = f"bench_own_tests_{uuid.uuid4().hex[:8]}"
        base = POSTGRES.rsplit("/", 1)[0]
        envs = {
            "sqlite": clean_env(),
            "postgresql": clean_env(DATABASE_URL=f"{base}/{name}"),
        }
        try:
            for database, env in envs.items():
                if database == "postgresql":
                    _database(name, create=True)
                timed(["uv", "run", "pytest", "-q", "-p", "no:cacheprovider"], project, env=env)
                for _ in range(runs):
                    elapsed, _result = timed(
                        ["uv", "run", "pytest", "-q", "-p", "no:cacheprovider"], project, env=env
                    )
                    timings[database].append(elapsed)
        finally:
            _database(name, create=False)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default="9770ac2", help="template version to compare with")
    parser.add_argument("--after", default="HEAD", help="template version measured against it")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per database")
    args = parser.parse_args()

    header(f"a generated project's own uv run pytest, warm: {args.before} against {args.after}")
    rows = []
    for stack in STACKS:
        before = own_tests(stack, args.before, args.runs)
        after = own_tests(stack, args.after, args.runs)
        for database, goal in GOALS.items():
            rows.append([
                stack,
                database,
                f"{seconds(min(before[database]))} / {seconds(median(before[database]))}",
                f"{seconds(min(after[database]))} / {seconds(median(after[database]))}",
                verdict(median(after[database]) <= goal),
                " ".join(f"{load:.1f}" for load in os.getloadavg()),
            ])  # fmt: skip
    table(["stack", "database", f"{args.before}: min / median", f"{args.after}: min / median",
           "goal (10 s SQLite, 15 s PostgreSQL)", "load 1/5/15 min"], rows)  # fmt: skip


if __name__ == "__main__":
    main()
