"""The generated project's pre-commit hooks: `scaffold new` installs them when it both makes
the git repository and installs the project, and says how to install them otherwise."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml
from helpers import render, run, scaffold

HEAD = ["--vcs-ref", "HEAD"]  # render this checkout's working tree, not its newest tag
CONFLICT = "a = 1\n<<<<<<< before updating\nb = 2\n=======\nb = 3\n>>>>>>> after updating\n"


@pytest.mark.parametrize("kubernetes", [False, True])
def test_every_hook_is_local_so_none_is_cloned_from_github(
    kubernetes: bool, tmp_path: Path
) -> None:
    project = render(tmp_path / "demo", "flask", kubernetes=kubernetes)
    config = yaml.safe_load((project / ".pre-commit-config.yaml").read_text())
    assert [repo["repo"] for repo in config["repos"]] == ["local"]
    hooks = {hook["id"]: hook for hook in config["repos"][0]["hooks"]}
    assert hooks["check-merge-conflict"]["entry"].endswith("--assume-in-merge")
    for hook in hooks.values():
        # Either the project's own tools, or an environment built from PyPI.
        assert hook["language"] in ("system", "python"), hook["id"]
        if hook["language"] == "system":
            assert hook["entry"].startswith("uv run "), hook["id"]
        else:
            assert all("==" in dep for dep in hook["additional_dependencies"]), hook["id"]


@pytest.mark.parametrize("skip", ["--no-git", "--no-install"])
def test_without_git_or_install_the_next_steps_say_how_to_install_the_hooks(
    skip: str, tmp_path: Path
) -> None:
    other = ["--no-install"] if skip == "--no-git" else []
    result = scaffold("new", "shop", "-f", "flask", "-y", *HEAD, skip, *other, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "uvx pre-commit install" in result.stdout.split("Next steps:", 1)[1]
    assert "Installed the pre-commit hooks" not in result.stdout
    assert not (tmp_path / "shop" / ".git" / "hooks" / "pre-commit").exists()


@pytest.mark.slow
def test_a_fresh_project_refuses_to_commit_conflict_markers(tmp_path: Path) -> None:
    result = scaffold("new", "shop", "-f", "flask", "-y", *HEAD, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "done: Installed the pre-commit hooks" in result.stdout
    assert "uvx pre-commit install" not in result.stdout.split("Next steps:", 1)[1]
    project = tmp_path / "shop"
    (project / "notes.txt").write_text(CONFLICT)
    run(["git", "add", "notes.txt"], project)
    commit = subprocess.run(
        ["git", "commit", "-m", "with markers"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert commit.returncode != 0, commit.stdout + commit.stderr
    assert "Merge conflict string" in commit.stdout + commit.stderr
    log = run(["git", "log", "--format=%s"], project).stdout.splitlines()
    assert log == [log[-1]] and log[0].startswith("Initial commit from scaffold")
    # The same file without the markers goes through: the hook refuses only what it should.
    (project / "notes.txt").write_text("a = 1\n")
    run(["git", "add", "notes.txt"], project)
    run(["git", "commit", "-q", "-m", "clean"], project)
