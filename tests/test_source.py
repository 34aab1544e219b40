"""The template source (src/scaffold/source.py): Copier's gh:/gl: shorthands mean what they
mean to Copier, and `scaffold check-update` lists a hosted template's release tags. A local
bare repository stands in for the host, through git's own `url.<base>.insteadOf`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from helpers import clean_env, run, scaffold

from scaffold import source as sources

IDENTITY = ["-c", "user.name=Test", "-c", "user.email=test@example.invalid"]
TAGS = ["v1.0.0", "v1.2.0", "v1.10.0", "nightly", "v2.0.0rc1"]


@pytest.mark.parametrize(
    ("location", "url"),
    [
        ("gh:acme/template", "https://github.com/acme/template.git"),
        ("gl:acme/template", "https://gitlab.com/acme/template.git"),
        ("https://github.com/acme/template", "https://github.com/acme/template.git"),
        ("git@github.com:acme/template.git", "git@github.com:acme/template.git"),
    ],
)
def test_shorthands_expand_as_copier_expands_them(location: str, url: str) -> None:
    assert sources.is_remote(location)
    assert sources.git_url(location) == url


def test_a_local_path_is_not_remote(tmp_path: Path) -> None:
    assert not sources.is_remote(str(tmp_path))
    assert sources.git_url(str(tmp_path)) == str(tmp_path.resolve())


def _hosted_template(host: Path) -> None:
    """github.com/acme/template, as a bare repository under `host`, with TAGS."""
    work = host.parent / "work"
    work.mkdir()
    run(["git", "init", "-q", "-b", "main"], work)
    (work / "copier.yml").write_text("_subdirectory: t\n")
    run(["git", *IDENTITY, "add", "-A"], work)
    run(["git", *IDENTITY, "commit", "-q", "-m", "template"], work)
    for tag in TAGS:
        run(["git", "tag", tag], work)
    bare = host / "acme" / "template.git"
    run(["git", "clone", "-q", "--bare", str(work), str(bare)], host.parent)


def _project(tmp_path: Path, src_path: str) -> Path:
    project = tmp_path / "project"
    project.mkdir()
    answers = {"_commit": "v1.2.0", "_src_path": src_path, "framework": "flask"}
    (project / ".copier-answers.yml").write_text(yaml.safe_dump(answers))
    run(["git", "init", "-q", "-b", "main"], project)
    run(["git", *IDENTITY, "add", "-A"], project)
    run(["git", *IDENTITY, "commit", "-q", "-m", "generated"], project)
    return project


@pytest.mark.parametrize(("shorthand", "host"), [("gh", "github.com"), ("gl", "gitlab.com")])
def test_check_update_lists_the_release_tags_of_a_shorthand_source(
    tmp_path: Path, shorthand: str, host: str
) -> None:
    hosting = tmp_path / "host"
    _hosted_template(hosting)
    gitconfig = tmp_path / "gitconfig"
    gitconfig.write_text(f'[url "{hosting.as_uri()}/"]\n\tinsteadOf = https://{host}/\n')
    env = clean_env(GIT_CONFIG_GLOBAL=str(gitconfig), GIT_CONFIG_NOSYSTEM="1")
    project = _project(tmp_path, f"{shorthand}:acme/template")

    result = scaffold("check-update", str(project), "--json", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    status = json.loads(result.stdout)
    assert status["releases"] == ["v1.10.0", "v1.2.0", "v1.0.0"]
    assert status["latest"] == "v1.10.0" and status["update_available"] is True

    text = scaffold("check-update", str(project), cwd=tmp_path, env=env).stdout
    assert "Latest:   v1.10.0" in text and "Releases: v1.10.0, v1.2.0, v1.0.0" in text


def test_check_update_says_when_the_source_cannot_be_reached(tmp_path: Path) -> None:
    gitconfig = tmp_path / "gitconfig"
    gitconfig.write_text(
        f'[url "{(tmp_path / "nowhere").as_uri()}/"]\n\tinsteadOf = https://github.com/\n'
    )
    env = clean_env(GIT_CONFIG_GLOBAL=str(gitconfig), GIT_CONFIG_NOSYSTEM="1")
    project = _project(tmp_path, "gh:acme/missing")

    result = scaffold("check-update", str(project), cwd=tmp_path, env=env)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Could not reach the template gh:acme/missing" in lines[0]
    assert "Traceback" not in result.stderr
