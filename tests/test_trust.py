"""The CLI trusts nothing it did not bring: a template source or recorded answer that git
would read as an option is refused, and a foreign template is rendered but not installed
(installing builds it, which runs its code) until the user says --trust."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml
from helpers import run, scaffold
from test_update import IDENTITY, clone_template

from scaffold import source as sources
from scaffold.errors import UsageError


def _refused(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    line = result.stderr.strip().splitlines()[-1]
    assert line.startswith("error: ")
    return line


@pytest.mark.parametrize(
    "args",
    [
        ["--template=--upload-pack=touch pwned"],
        ["--template=-oProxyCommand=touch pwned"],
        ["--vcs-ref=--upload-pack=touch pwned"],
    ],
)
def test_new_refuses_a_source_or_ref_git_would_read_as_an_option(
    tmp_path: Path, args: list[str]
) -> None:
    line = _refused(scaffold("new", "demo", "-f", "flask", "-y", *args, cwd=tmp_path))
    assert "starts with '-'" in line
    assert list(tmp_path.iterdir()) == []


def _project_recording(tmp_path: Path, answers: dict[str, str]) -> Path:
    """The smallest thing `scaffold update` accepts as a generated project: a clean git tree
    with an answers file."""
    project = tmp_path / "project"
    project.mkdir()
    (project / ".copier-answers.yml").write_text(
        yaml.safe_dump({"_commit": "v1.0.0", "framework": "flask", **answers})
    )
    run(["git", "init", "-q", "-b", "main"], project)
    run(["git", *IDENTITY, "add", "-A"], project)
    run(["git", *IDENTITY, "commit", "-q", "-m", "generated"], project)
    return project


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("_src_path", "--upload-pack=touch {pwned}"),
        ("_src_path", "--upload-pack=touch {pwned};://x"),  # looks like a URL
        ("_commit", "--upload-pack=touch {pwned}"),
    ],
)
def test_crafted_answers_are_refused_and_nothing_runs(tmp_path: Path, key: str, value: str) -> None:
    pwned = tmp_path / "pwned"
    answers = {"_src_path": "https://example.invalid/t.git", key: value.format(pwned=pwned)}
    project = _project_recording(tmp_path, answers)
    for command in (["update"], ["update", "--dry-run"], ["check-update"]):
        line = _refused(scaffold(*command, str(project), cwd=tmp_path))
        assert key in line and "starts with '-'" in line
    assert not pwned.exists()


def test_the_source_module_refuses_an_option_like_source(tmp_path: Path) -> None:
    pwned = tmp_path / "pwned"
    with pytest.raises(UsageError, match="starts with '-'"):
        sources.latest_tag(f"--upload-pack=touch {pwned};://x")
    assert not pwned.exists()


def test_a_foreign_template_renders_but_is_not_installed_without_trust(tmp_path: Path) -> None:
    template = clone_template(tmp_path / "elsewhere")
    result = scaffold("new", "demo", "-f", "flask", "-y", "--template", str(template), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    project = tmp_path / "demo"
    assert (project / "pyproject.toml").is_file() and (project / ".git").is_dir()
    assert not (project / ".venv").exists() and not (project / "uv.lock").exists()
    assert "not scaffold's own repository" in result.stdout
    assert "&& uv sync && git add uv.lock" in result.stdout  # the command to run after review
    assert "--trust" in result.stdout
    assert run(["git", "status", "--porcelain"], project).stdout == ""


@pytest.mark.update
def test_trusted_new_commits_uv_lock_and_update_runs_right_after(tmp_path: Path) -> None:
    template = clone_template(tmp_path / "elsewhere")
    result = scaffold(
        "new",
        "demo",
        "-f",
        "flask",
        "-y",
        "--template",
        str(template),
        "--trust",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    project = tmp_path / "demo"
    assert (project / ".venv").is_dir()
    assert "uv.lock" in run(["git", "show", "--stat", "--format=", "HEAD"], project).stdout
    assert run(["git", "status", "--porcelain"], project).stdout == ""
    updated = scaffold("update", cwd=project)
    assert updated.returncode == 0, updated.stdout + updated.stderr
    assert "from v1.0.0 to v1.0.0" in updated.stdout


@pytest.mark.slow  # runs uv sync
def test_the_next_steps_after_an_untrusted_new_leave_a_clean_tree(tmp_path: Path) -> None:
    """Followed as printed, the next steps install the project and commit uv.lock, so the tree
    is clean and `scaffold update` works at once."""
    template = clone_template(tmp_path / "elsewhere")
    result = scaffold("new", "demo", "-f", "flask", "-y", "--template", str(template), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    project = tmp_path / "demo"
    printed = [line.strip() for line in result.stdout.splitlines()]
    install = next(line for line in printed if line.startswith("uv sync && git add uv.lock"))
    run(["bash", "-c", install], project)
    assert (project / "uv.lock").is_file()
    assert run(["git", "status", "--porcelain"], project).stdout == ""
