"""scaffold holds itself to the gates it sets for generated projects: ruff and mypy --strict,
and its own CI workflow passes actionlint and runs, job by job, the whole suite."""

from __future__ import annotations

import shlex
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest
import yaml
from helpers import REPO, STACKS, actionlint, run

WORKFLOW = REPO / ".github" / "workflows" / "ci.yml"


@pytest.mark.parametrize(
    "command",
    [
        ["ruff", "check", "--no-cache", "."],
        ["ruff", "format", "--check", "--no-cache", "."],
        ["mypy"],
    ],
    ids=["ruff-check", "ruff-format", "mypy"],
)
def test_scaffold_itself_is_clean(command: list[str]) -> None:
    run([sys.executable, "-m", *command], REPO)


def test_own_workflow_passes_actionlint() -> None:
    result = actionlint(WORKFLOW)
    assert result.returncode == 0, f"actionlint findings:\n{result.stdout}{result.stderr}"


COLLECT = [sys.executable, "-m", "pytest", "--collect-only", "-q", "-n0", "-p", "no:cacheprovider"]


def _collected(args: list[str]) -> set[str]:
    output = run([*COLLECT, *args], REPO).stdout
    return {line for line in output.splitlines() if "::" in line}


def _selections() -> list[list[str]]:
    """Each job's pytest arguments, once per value of its matrix (Python versions aside)."""
    selections = []
    for job in yaml.safe_load(WORKFLOW.read_text())["jobs"].values():
        stacks = job.get("strategy", {}).get("matrix", {}).get("stack", [None])
        for step in job["steps"]:
            command = step.get("run", "")
            if command.startswith("uv run pytest"):
                for stack in stacks:
                    text = command.replace("${{ matrix.stack }}", str(stack))
                    selections.append(shlex.split(text)[3:])
    return selections


@pytest.mark.slow  # a collection of the whole suite per job: seconds each
def test_own_workflow_jobs_add_up_to_the_whole_suite() -> None:
    """The jobs run every test `.ci/run` runs (`uv run pytest`), and no test twice."""
    selections = _selections()
    assert {s[s.index("--stack") + 1] for s in selections if "--stack" in s} == {*STACKS, "none"}
    with ThreadPoolExecutor() as pool:
        everything, *collections = pool.map(_collected, [[], *selections])
    seen: set[str] = set()
    for selection, chosen in zip(selections, collections, strict=True):
        assert chosen, f"the job running `pytest {shlex.join(selection)}` selects no test"
        assert not chosen & seen, f"`pytest {shlex.join(selection)}` repeats other jobs' tests"
        seen |= chosen
    assert seen == everything, f"no job runs: {sorted(everything - seen)[:10]}"
