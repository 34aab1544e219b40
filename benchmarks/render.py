"""How much `scaffold new` costs over plain `copier copy`, and how fast the CLI answers.

    uv run python benchmarks/render.py [--pairs 10] [--runs 20]

Per stack, PAIRS alternating pairs (the order flips every pair) of
  scaffold new X -f STACK -y --no-install --no-git --vcs-ref HEAD
  copier copy --defaults --vcs-ref HEAD -d framework=STACK -d project_name=X -d package_name=X
with the same answers; medians and the median of the per-pair ratios (goal <= 1.2).
Then RUNS runs each of `scaffold --help` and `scaffold recommend --json` (goal < 0.3 s).
Every command gets one untimed run first, and bytecode caching is on (see _common.clean_env).
"""

from __future__ import annotations

import argparse
import shutil

from _common import (
    COPIER,
    PROJECT,
    REPO,
    SCAFFOLD,
    STACKS,
    header,
    median,
    seconds,
    table,
    timed,
    verdict,
    workdir,
)

RATIO_GOAL = 1.2
CLI_GOAL = 0.3


def render_pairs(stack: str, pairs: int) -> tuple[list[float], list[float]]:
    scaffold_cmd = [SCAFFOLD, "new", PROJECT, "-f", stack, "-y", "--no-install", "--no-git",
                    "--vcs-ref", "HEAD"]  # fmt: skip
    copier_cmd = [COPIER, "copy", "--quiet", "--defaults", "--vcs-ref", "HEAD",
                  "-d", f"framework={stack}", "-d", f"project_name={PROJECT}",
                  "-d", f"package_name={PROJECT}", str(REPO), PROJECT]  # fmt: skip
    with workdir("render") as tmp:
        times: dict[str, list[float]] = {"scaffold": [], "copier": []}
        for cmd in (scaffold_cmd, copier_cmd):  # untimed: bytecode caches, git's page cache
            timed(cmd, tmp)
            shutil.rmtree(tmp / PROJECT)
        for i in range(pairs):
            order = [("scaffold", scaffold_cmd), ("copier", copier_cmd)]
            for name, cmd in order if i % 2 == 0 else reversed(order):
                elapsed, _ = timed(cmd, tmp)
                times[name].append(elapsed)
                shutil.rmtree(tmp / PROJECT)
    return times["scaffold"], times["copier"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=10)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()

    header(f"render: scaffold new vs copier copy ({args.pairs} alternating pairs per stack)")
    rows = []
    for stack in STACKS:
        ours, plain = render_pairs(stack, args.pairs)
        ratio = median([a / b for a, b in zip(ours, plain, strict=True)])
        rows.append([stack, seconds(median(ours)), seconds(median(plain)), f"{ratio:.2f}x",
                     f"{min(ours):.2f}-{max(ours):.2f} / {min(plain):.2f}-{max(plain):.2f}",
                     verdict(ratio <= RATIO_GOAL)])  # fmt: skip
    table(["stack", "scaffold new (median)", "copier copy (median)", "ratio (median of pairs)",
           "range scaffold / copier (s)", f"goal <= {RATIO_GOAL}x"], rows)  # fmt: skip

    cli_rows = []
    for label, cmd in (
        ("scaffold --help", [SCAFFOLD, "--help"]),
        ("scaffold recommend --json", [SCAFFOLD, "recommend", "--json"]),
    ):
        timed(cmd, REPO)  # untimed: writes the bytecode cache, as any first run does
        runs = [timed(cmd, REPO)[0] for _ in range(args.runs)]
        cli_rows.append([label, seconds(median(runs)), seconds(min(runs)), seconds(max(runs)),
                         verdict(median(runs) < CLI_GOAL)])  # fmt: skip
    print(f"# CLI start-up ({args.runs} runs each)")
    table(["command", "median", "min", "max", f"goal < {CLI_GOAL} s"], cli_rows)


if __name__ == "__main__":
    main()
