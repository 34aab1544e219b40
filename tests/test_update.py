"""Updates for life: a project made from an old template version takes the new one with
plain `copier update` and with `scaffold update`, keeping every user edit, for every stack."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from helpers import REPO, STACKS, clean_env, run, scaffold

pytestmark = pytest.mark.update

IDENTITY = ["-c", "user.name=Test", "-c", "user.email=test@example.invalid"]
COPIER = [sys.executable, "-m", "copier"]


def git(cwd: Path, *args: str) -> str:
    return run(["git", *IDENTITY, *args], cwd).stdout


def commit_all(cwd: Path, message: str) -> None:
    git(cwd, "add", "-A")
    git(cwd, "commit", "-q", "--no-verify", "-m", message)


def clone_template(destination: Path) -> Path:
    """This checkout's working tree (uncommitted files too) as a fresh repository tagged v1.0.0."""
    listed = run(["git", "ls-files", "-co", "--exclude-standard", "-z"], REPO).stdout
    for name in filter(None, listed.split("\0")):
        source = REPO / name
        if not source.exists() and not source.is_symlink():
            continue  # deleted in the working tree
        target = destination / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target, follow_symlinks=False)
    git(destination, "init", "-q", "-b", "main")
    commit_all(destination, "template v1.0.0")
    git(destination, "tag", "v1.0.0")
    return destination


def generate(template: Path, destination: Path, stack: str) -> Path:
    run(
        [
            *COPIER,
            "copy",
            "--defaults",
            "--vcs-ref",
            "v1.0.0",
            "-d",
            f"framework={stack}",
            "-d",
            "project_name=demo-app",
            str(template),
            str(destination),
        ],
        template.parent,
    )
    git(destination, "init", "-q", "-b", "main")
    commit_all(destination, "generated")
    return destination


def release_v1_1(template: Path, stack: str, editorconfig_line: str = "indent_size = 4") -> None:
    """A new template version: a new file, an edited file, a removed file, a new question."""
    stack_dir = template / "templates" / stack
    (stack_dir / "CONTRIBUTING.md.jinja").write_text(
        "# Contributing to {{ project_name }}\n\nLicensed under {{ license }}.\n"
    )
    shared = template / "templates/_shared/editorconfig.jinja"
    text = shared.read_text().replace("indent_size = 4", editorconfig_line, 1)
    shared.write_text(text + "\n[*.md]\ntrim_trailing_whitespace = false\n")
    (stack_dir / ".gitattributes.jinja").unlink()
    copier_yml = template / "copier.yml"
    head, tail = copier_yml.read_text().split("\n---\n!include", 1)
    copier_yml.write_text(
        head
        + "\nlicense:\n  type: str\n  help: License\n  default: MIT\n"
        + "\n---\n!include"
        + tail
    )
    commit_all(template, "template v1.1.0")
    git(template, "tag", "v1.1.0")


def user_edits(project: Path) -> None:
    readme = project / "README.md"
    readme.write_text(readme.read_text() + "\n## Our runbook\n\nPage the on-call.\n")
    (project / "demo_app" / "pricing.py").write_text('"""Ours."""\n\nVAT = 0.2\n')
    env_example = project / ".env.example"
    env_example.write_text(
        env_example.read_text().replace("LOG_LEVEL=", "LOG_LEVEL=warning\n# was: LOG_LEVEL=", 1)
    )
    commit_all(project, "our work")


def snapshot(project: Path) -> str:
    """Every byte of the tree and of .git, but git's stat cache (refreshed by `git status`)."""
    digest = hashlib.sha256()
    for path in sorted(project.rglob("*")):
        if path.is_file() and path != project / ".git" / "index":
            digest.update(str(path.relative_to(project)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


@pytest.fixture
def template(tmp_path: Path) -> Path:
    return clone_template(tmp_path / "scaffold")


@pytest.mark.parametrize("stack", STACKS)
def test_copier_update_keeps_user_edits_and_applies_template_changes(
    stack: str, template: Path, tmp_path: Path, postgres_url: str
) -> None:
    project = generate(template, tmp_path / "demo-app", stack)
    user_edits(project)
    release_v1_1(template, stack)

    run([*COPIER, "update", "--defaults"], project)

    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["_commit"] == "v1.1.0" and answers["license"] == "MIT"
    assert answers["framework"] == stack
    assert "Licensed under MIT." in (project / "CONTRIBUTING.md").read_text()
    assert "trim_trailing_whitespace = false" in (project / ".editorconfig").read_text()
    assert not (project / ".gitattributes").exists()
    assert "## Our runbook" in (project / "README.md").read_text()
    assert (project / "demo_app" / "pricing.py").read_text() == '"""Ours."""\n\nVAT = 0.2\n'
    assert "LOG_LEVEL=warning" in (project / ".env.example").read_text()
    assert not [p for p in project.rglob("*.rej")]
    assert "<<<<<<<" not in run(["git", "diff"], project).stdout

    run(["uv", "sync"], project)
    for env in (clean_env(), clean_env(DATABASE_URL=postgres_url)):
        tests = run(["uv", "run", "pytest", "-q", "-p", "no:cacheprovider"], project, env=env)
        assert " passed" in tests.stdout


@pytest.mark.parametrize("stack", STACKS)
def test_scaffold_update_marks_an_overlapping_edit_as_a_conflict(
    stack: str, template: Path, tmp_path: Path
) -> None:
    project = generate(template, tmp_path / "demo-app", stack)
    editorconfig = project / ".editorconfig"
    editorconfig.write_text(
        editorconfig.read_text().replace("indent_size = 4", "indent_size = 3", 1)
    )
    commit_all(project, "we like three spaces")
    user_edits(project)
    release_v1_1(template, stack, editorconfig_line="indent_size = 8")

    check = scaffold("check-update", str(project), "--json", cwd=tmp_path)
    assert '"update_available": true' in check.stdout, check.stdout + check.stderr

    dry = scaffold("update", str(project), "--dry-run", cwd=tmp_path)
    assert dry.returncode == 1 and ".editorconfig" in dry.stderr, dry.stdout + dry.stderr
    assert run(["git", "status", "--porcelain"], project).stdout == ""

    result = scaffold("update", str(project), cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert ".editorconfig" in result.stderr and "Traceback" not in result.stderr
    merged = editorconfig.read_text()
    assert (
        "<<<<<<< before updating" in merged
        and "indent_size = 3" in merged
        and "indent_size = 8" in merged
    )
    assert "Licensed under MIT." in (project / "CONTRIBUTING.md").read_text()
    assert not (project / ".gitattributes").exists()
    assert "## Our runbook" in (project / "README.md").read_text()
    assert (project / "demo_app" / "pricing.py").read_text() == '"""Ours."""\n\nVAT = 0.2\n'
    assert "LOG_LEVEL=warning" in (project / ".env.example").read_text()


def test_scaffold_update_refuses_and_changes_nothing(template: Path, tmp_path: Path) -> None:
    project = generate(template, tmp_path / "demo-app", "flask")
    release_v1_1(template, "flask")
    before = snapshot(project)

    refused = scaffold("update", str(project), "-d", "framework=django", cwd=tmp_path)
    assert refused.returncode == 2 and "changing the framework" in refused.stderr
    assert snapshot(project) == before

    outside = scaffold("update", str(tmp_path), cwd=tmp_path)
    assert outside.returncode == 2 and "not a generated project" in outside.stderr

    (project / "README.md").write_text("dirty\n")
    dirty_before = snapshot(project)
    refused = scaffold("update", str(project), cwd=tmp_path)
    assert refused.returncode == 2 and "uncommitted changes" in refused.stderr
    assert snapshot(project) == dirty_before
    git(project, "checkout", "--", "README.md")

    shutil.move(template, tmp_path / "moved")
    refused = scaffold("update", str(project), cwd=tmp_path)
    assert refused.returncode == 2 and "is not there" in refused.stderr
    assert snapshot(project) == before


def test_scaffold_update_dry_run_leaves_the_tree_as_it_was(template: Path, tmp_path: Path) -> None:
    project = generate(template, tmp_path / "demo-app", "fastapi")
    release_v1_1(template, "fastapi")
    before = snapshot(project)
    result = scaffold("update", str(project), "--dry-run", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "CONTRIBUTING.md" in result.stdout and "Dry run" in result.stdout
    assert snapshot(project) == before
    applied = scaffold("update", str(project), cwd=tmp_path)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert (project / "CONTRIBUTING.md").exists()


def test_new_renders_the_newest_tag_by_default(template: Path, tmp_path: Path) -> None:
    release_v1_1(template, "flask")
    env = clean_env(SCAFFOLD_TEMPLATE=str(template))
    result = scaffold("new", "tagged", "-f", "flask", "-y", "--no-install", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    answers = yaml.safe_load((tmp_path / "tagged" / ".copier-answers.yml").read_text())
    assert answers["_commit"] == "v1.1.0" and answers["_src_path"] == str(template)
    assert (
        subprocess.run(
            ["git", "-C", str(tmp_path / "tagged"), "status", "--porcelain"],
            capture_output=True,
            text=True,
        ).stdout
        == ""
    )


def test_untagged_and_dirty_checkouts_are_announced(tmp_path: Path) -> None:
    template = tmp_path / "scaffold"
    clone_template(template)
    git(template, "tag", "-d", "v1.0.0")
    env = clean_env(SCAFFOLD_TEMPLATE=str(template))
    head = git(template, "rev-parse", "--short", "HEAD").strip()
    clean = scaffold("new", "untagged", "-f", "flask", "-y", "--no-install", cwd=tmp_path, env=env)
    assert clean.returncode == 0, clean.stderr
    assert f"has no release tags; rendering commit {head}" in clean.stdout
    assert "uncommitted changes" not in clean.stdout
    # Said once: Copier is handed HEAD, so it does not look for tags and warn again.
    said = (clean.stdout + clean.stderr).lower()
    assert said.count("no release tags") == 1 and "no git tags" not in said, said

    # An update of that project from the same untagged template: said once again, and an
    # update that changes nothing says so.
    project = tmp_path / "untagged"
    updated = scaffold("update", cwd=project, env=env)
    assert updated.returncode == 0, updated.stdout + updated.stderr
    said = (updated.stdout + updated.stderr).lower()
    assert said.count("no release tags") == 1 and "no git tags" not in said, said
    assert "already up to date, nothing changed." in updated.stdout
    added = scaffold("add", "worker", "--dry-run", cwd=project, env=env)
    assert added.returncode == 0, added.stdout + added.stderr
    said = (added.stdout + added.stderr).lower()
    assert said.count("no release tags") == 1 and "no git tags" not in said, said

    (template / "templates/flask/NOTES.md").write_text("work in progress\n")
    dirty = scaffold("new", "dirty", "-f", "flask", "-y", "--no-install", cwd=tmp_path, env=env)
    assert dirty.returncode == 0, dirty.stderr
    assert "uncommitted changes" in dirty.stdout and "cannot reproduce" in dirty.stdout


def test_scaffold_update_can_leave_rej_files(template: Path, tmp_path: Path) -> None:
    project = generate(template, tmp_path / "demo-app", "flask")
    editorconfig = project / ".editorconfig"
    editorconfig.write_text(
        editorconfig.read_text().replace("indent_size = 4", "indent_size = 3", 1)
    )
    commit_all(project, "we like three spaces")
    release_v1_1(template, "flask", editorconfig_line="indent_size = 8")

    result = scaffold("update", str(project), "--conflict", "rej", cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert ".editorconfig.rej" in result.stderr
    assert "<<<<<<<" not in editorconfig.read_text()
    rejected = (project / ".editorconfig.rej").read_text()
    assert "indent_size = 3" in rejected, "the edit that did not apply is kept, not lost"
