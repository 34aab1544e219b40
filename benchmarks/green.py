"""From nothing to a green test run, per stack, with a warm uv cache.

    uv run python benchmarks/green.py [--no-warm-up]

Per stack: `scaffold new X -f STACK -y --vcs-ref HEAD` (render, git init + first commit,
`uv sync`), then `uv run pytest -q` in the project. The sync time is the one `scaffold new`
reports for its install step; "generate" is the rest of its wall time. Unless --no-warm-up,
one untimed run per stack first fills the uv cache. Goal: total < 20 s per stack.
"""

from __future__ import annotations

import argparse
import shutil

from _common import (
    PROJECT,
    STACKS,
    clean_env,
    header,
    scaffold_new,
    seconds,
    step_seconds,
    table,
    timed,
    verdict,
    workdir,
)

GOAL = 20.0


def green(stack: str) -> tuple[float, float | None, float, str]:
    """Seconds for `scaffold new` (all of it), its uv sync, `uv run pytest -q`; pytest's
    summary line."""
    with workdir(f"green-{stack}") as tmp:
        new, payload = scaffold_new(tmp, stack, "--vcs-ref", "HEAD")
        test, result = timed(["uv", "run", "pytest", "-q"], tmp / PROJECT, env=clean_env())
        summary = result.stdout.strip().splitlines()[-1]
        shutil.rmtree(tmp / PROJECT)
    return new, step_seconds(payload, "install"), test, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-warm-up", action="store_true", help="Skip the untimed first run.")
    args = parser.parse_args()

    header("green: scaffold new (incl. git + uv sync) then uv run pytest -q")
    rows = []
    for stack in STACKS:
        if not args.no_warm_up:
            green(stack)
        new, sync, test, summary = green(stack)
        total = new + test
        rows.append([
            stack,
            seconds(new - sync) if sync is not None else "?",
            seconds(sync) if sync is not None else "?",
            seconds(test),
            seconds(total),
            summary,
            verdict(total < GOAL),
        ])  # fmt: skip
    table(["stack", "generate (render + git)", "uv sync", "uv run pytest -q", "total",
           "pytest says", f"goal < {GOAL:.0f} s"], rows)  # fmt: skip


if __name__ == "__main__":
    main()
