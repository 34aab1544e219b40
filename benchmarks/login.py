"""The login's own latency, `POST /api/auth/token`, before and after issue 26 (canonical
emails, the reserved throttle attempt, the token's new claims), side by side in one run.

    uv run python benchmarks/login.py [--ref c503731] [--logins 40] [--rounds 3]
        [--stacks django,fastapi,flask] [--databases sqlite,postgres]

Per stack, two projects with `auth` on: "REF" rendered from a clean clone of this repository
at REF (default c503731, the last commit before issue 26) and "working tree" rendered from this
checkout. Per database (SQLite, or a fresh PostgreSQL database on BENCH_POSTGRES), each runs its
Procfile `release`, then its `web` line in the production environment with one worker, and
registers one user. The rounds alternate between the two servers: LOGINS sequential logins
with the right password, then as many with a wrong one (never more than the throttle's ten in a
row: a right one clears them), each on a new connection, as a browser's first request would be.
The table gives the medians of the rounds' medians and 90th percentiles, in milliseconds. Most
of a login is Argon2id, on purpose; what this shows is what the new work adds to it.
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
from contextlib import ExitStack
from pathlib import Path

from _common import (
    EMAIL,
    PASSWORD,
    PROJECT,
    STACKS,
    Failed,
    clean_clone,
    database,
    header,
    http,
    load_average,
    median,
    procfile,
    production_env,
    register,
    render,
    run,
    server,
    table,
    workdir,
)
from helpers import REPO

BEFORE_ISSUE_26 = "c503731"
MAX_FAILURES = 10


def timings(url: str, password: str, count: int) -> list[float]:
    """Milliseconds of `count` logins, one new connection each; a right one clears failures."""
    spent = []
    form = {"username": EMAIL, "password": password}
    for number in range(count):
        # Nine failures, then a right login to clear them: the tenth would lock the account.
        if password != PASSWORD and number % (MAX_FAILURES - 1) == 0:
            http(f"{url}/api/auth/token", "POST", form={"username": EMAIL, "password": PASSWORD})
        started = time.perf_counter()
        status, body = http(f"{url}/api/auth/token", "POST", form=form)
        spent.append(1000 * (time.perf_counter() - started))
        if status != (200 if password == PASSWORD else 401):
            raise Failed(f"POST /api/auth/token answered {status}: {body[:300]!r}")
    return spent


def p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]


def bench_database(
    stack: str, kind: str, variants: dict[str, Path], tmp: Path, args: argparse.Namespace
) -> list[list[object]]:
    with ExitStack() as exits:
        urls = {}
        for name, project in variants.items():
            named = exits.enter_context(database(kind, name.split()[0]))
            env = production_env(WEB_CONCURRENCY="1", **named)
            release = procfile(project).get("release")
            if release:
                run(release, project, env=env)
            log = tmp / f"{stack}-{kind}-{name.split()[0]}.log"
            urls[name] = exits.enter_context(server(procfile(project)["web"], project, env, log))
            register(urls[name])
        rows = []
        for what, password in (("right password", PASSWORD), ("wrong password", "not it at all")):
            medians: dict[str, list[float]] = {name: [] for name in urls}
            tails: dict[str, list[float]] = {name: [] for name in urls}
            for _ in range(args.rounds):
                for name, url in urls.items():
                    spent = timings(url, password, args.logins)
                    medians[name].append(median(spent))
                    tails[name].append(p90(spent))
            cells = [f"{median(medians[name]):.1f} / {median(tails[name]):.1f}" for name in urls]
            before, after = (median(medians[name]) for name in urls)
            rows.append([stack, kind, what, *cells, f"{after / before:.2f}x"])
        return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ref", default=BEFORE_ISSUE_26, help="Template commit before the change.")
    parser.add_argument("--logins", type=int, default=40, help="Logins per round and server.")
    parser.add_argument("--rounds", type=int, default=3, help="Alternating rounds (median).")
    parser.add_argument("--stacks", default=",".join(STACKS))
    parser.add_argument("--databases", default="sqlite,postgres", help="sqlite, postgres or both.")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    header(
        f"login latency: POST /api/auth/token, {args.logins} sequential logins per round, "
        f"median of {args.rounds} alternating rounds, one worker; template {args.ref} "
        "against this checkout"
    )
    with workdir("login") as tmp:
        clean = clean_clone(tmp)
        for stack in args.stacks.split(","):
            before, after = tmp / stack / "before" / PROJECT, tmp / stack / "after" / PROJECT
            variants = {
                f"{args.ref}": render(clean, args.ref, stack, before, auth=True),
                "working tree": render(REPO, "HEAD", stack, after, auth=True),
            }
            rows = []
            for kind in args.databases.split(","):
                rows += bench_database(stack, kind, variants, tmp, args)
            table(
                ["stack", "database", "login",
                 *(f"{name}: ms median / p90" for name in variants), "after / before"],
                rows,
            )  # fmt: skip
            print(f"load average (1 / 5 / 15 min) after {stack}: {load_average()}\n")
            sys.stdout.flush()


if __name__ == "__main__":
    try:
        main()
    except Failed as error:
        print(error, file=sys.stderr)
        sys.exit(1)
