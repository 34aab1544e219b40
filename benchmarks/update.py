"""How long `copier update --defaults` takes on a generated project.

    uv run python benchmarks/update.py [--runs 5]

A throw-away git copy of this checkout (working tree, uncommitted files included) is tagged
v1.0.0; per stack a project is rendered from it at v1.0.0 (`scaffold new --template CLONE
--vcs-ref v1.0.0 --no-install`, which commits it). The template's README then changes and is
tagged v1.1.0, and `copier update --defaults --vcs-ref v1.1.0` is timed RUNS times, the project
reset with git between runs. Goal: median under 5 s.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from _common import (
    COPIER,
    PROJECT,
    REPO,
    STACKS,
    Failed,
    header,
    median,
    run,
    scaffold_new,
    seconds,
    table,
    timed,
    verdict,
    workdir,
)

GOAL = 5.0
# Not part of the template: what a clone of the repository would not have either.
IGNORED = (".git", ".venv", "__pycache__", "*.pyc", ".mypy_cache", ".pytest_cache",
           ".ruff_cache", "uv.lock")  # fmt: skip
MARKER = "Benchmark change for v1.1.0."


def template_clone(destination: Path) -> Path:
    """This checkout as a git repository of its own, tagged v1.0.0."""
    shutil.copytree(REPO, destination, ignore=shutil.ignore_patterns(*IGNORED), symlinks=True)
    for args in (["git", "init", "-q", "-b", "main"], ["git", "add", "-A"],
                 ["git", "commit", "-q", "--no-verify", "-m", "v1.0.0"],
                 ["git", "tag", "v1.0.0"]):  # fmt: skip
        run(args, destination)
    return destination


def release_change(clone: Path) -> None:
    """One template change per stack (its README), committed and tagged v1.1.0."""
    for stack in STACKS:
        readme = clone / "templates" / stack / "README.md.jinja"
        readme.write_text(readme.read_text() + f"\n{MARKER}\n")
    run(["git", "commit", "-q", "-a", "--no-verify", "-m", "v1.1.0"], clone)
    run(["git", "tag", "v1.1.0"], clone)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    header(f"update: copier update --defaults --vcs-ref v1.1.0 ({args.runs} runs per stack)")
    with workdir("update") as tmp:
        clone = template_clone(tmp / "template")
        for stack in STACKS:
            (tmp / stack).mkdir()
            scaffold_new(tmp / stack, stack, "--template", str(clone), "--vcs-ref", "v1.0.0",
                         "--no-install")  # fmt: skip
        release_change(clone)
        rows = []
        for stack in STACKS:
            project = tmp / stack / PROJECT
            runs = []
            for _ in range(args.runs):
                elapsed, _ = timed([COPIER, "update", "--quiet", "--defaults", "--vcs-ref",
                                    "v1.1.0"], project)  # fmt: skip
                if MARKER not in (project / "README.md").read_text():
                    raise Failed(f"{stack}: the update did not apply the v1.1.0 change")
                runs.append(elapsed)
                run(["git", "reset", "-q", "--hard"], project)
                run(["git", "clean", "-q", "-fdx"], project)
            rows.append([stack, seconds(median(runs)), seconds(min(runs)), seconds(max(runs)),
                         verdict(median(runs) < GOAL)])  # fmt: skip
    table(["stack", "median", "min", "max", f"goal < {GOAL:.0f} s"], rows)


if __name__ == "__main__":
    main()
