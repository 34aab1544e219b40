"""The README's two newcomer commands stay the ones that work: the first generates a project
(run here as written, into a temporary directory), the second is what .ci/run runs."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
from helpers import REPO, run, scaffold


def _first_commands() -> list[list[str]]:
    block = (REPO / "README.md").read_text().split("```sh\n", 1)[1].split("```", 1)[0]
    return [shlex.split(line.split("#", 1)[0]) for line in block.splitlines() if line.strip()]


def test_the_readme_opens_with_generate_then_test() -> None:
    generate, test = _first_commands()
    assert generate[:4] == ["uv", "run", "scaffold", "new"]
    assert test == ["uv", "run", "pytest"]
    ci = (REPO / ".ci/run").read_text().strip().splitlines()
    assert shlex.split(ci[-1])[-len(test) :] == test, ".ci/run ends with the README's command"


@pytest.mark.slow
def test_the_generate_command_works_as_written(tmp_path: Path) -> None:
    generate, _ = _first_commands()
    args = generate[4:]
    # Same command, but into a temporary parent and from this working tree.
    args[args.index("-o") + 1] = str(tmp_path)
    result = scaffold("new", *args, "--vcs-ref", "HEAD", cwd=REPO)
    assert result.returncode == 0, result.stderr
    project = tmp_path / args[0]
    assert (project / ".git").is_dir() and (project / ".venv").is_dir()
    assert " passed" in run(["uv", "run", "pytest", "-q", "-p", "no:cacheprovider"], project).stdout
