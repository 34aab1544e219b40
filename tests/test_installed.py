"""scaffold as an installed tool: it renders from the clone it was installed from (PEP 610's
direct_url.json), and an unreachable template source is named with how to point elsewhere."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from helpers import REPO, clean_env, scaffold

from scaffold import source


class _Distribution:
    def __init__(self, direct_url: str | None) -> None:
        self.direct_url = direct_url

    def read_text(self, name: str) -> str | None:
        assert name == "direct_url.json"
        return self.direct_url


def _installed_with(monkeypatch: pytest.MonkeyPatch, direct_url: str | None) -> None:
    import importlib.metadata

    monkeypatch.setattr(importlib.metadata, "distribution", lambda name: _Distribution(direct_url))


def _clone(path: Path) -> Path:
    """A git checkout with a copier.yml: what installed_from() accepts."""
    path.mkdir()
    (path / "copier.yml").write_text("framework:\n  type: str\n")
    subprocess.run(["git", "init", "-q"], cwd=path, check=True)
    return path


def test_installed_from_reads_the_clone_from_direct_url(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    clone = _clone(tmp_path / "my clone")
    url = clone.as_uri()  # file:///.../my%20clone
    _installed_with(monkeypatch, json.dumps({"url": url, "dir_info": {}}))
    assert source.installed_from() == clone


@pytest.mark.parametrize(
    "direct_url",
    [
        None,  # installed from an index: no direct_url.json
        json.dumps({"url": "https://example.org/scaffold-1.0.tar.gz", "archive_info": {}}),
        "not json",
    ],
)
def test_installed_from_is_none_without_a_local_clone(
    monkeypatch: pytest.MonkeyPatch, direct_url: str | None
) -> None:
    _installed_with(monkeypatch, direct_url)
    assert source.installed_from() is None


def test_a_directory_that_is_not_a_git_checkout_is_not_used(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    plain = tmp_path / "unpacked"
    plain.mkdir()
    (plain / "copier.yml").write_text("framework:\n  type: str\n")
    _installed_with(monkeypatch, json.dumps({"url": plain.as_uri(), "dir_info": {}}))
    assert source.installed_from() is None


def test_the_clone_comes_after_the_checkout_and_before_the_canonical_url(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("SCAFFOLD_TEMPLATE", raising=False)
    clone = _clone(tmp_path / "clone")
    _installed_with(monkeypatch, json.dumps({"url": clone.as_uri(), "dir_info": {}}))
    monkeypatch.setattr(source, "CHECKOUT", tmp_path / "site-packages")  # not a checkout
    found = source.resolve(None)
    assert (found.location, found.origin, found.is_local) == (str(clone), "clone", True)
    assert found.trusted, "the clone scaffold was installed from is scaffold's own code"
    _installed_with(monkeypatch, None)
    assert source.resolve(None).location == source.CANONICAL_URL


def test_an_unreachable_source_is_named_with_how_to_point_at_another(tmp_path: Path) -> None:
    gone = (tmp_path / "gone.git").as_uri()
    env = clean_env(SCAFFOLD_TEMPLATE=gone)
    result = scaffold("new", "shop", "-f", "flask", "-y", "--no-install", cwd=tmp_path, env=env)
    assert result.returncode == 1, result.stdout + result.stderr
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"error: Could not fetch the template from {gone} (git: ")
    assert "--template" in line and "SCAFFOLD_TEMPLATE" in line
    assert "Unexpected exit code" not in line
    assert not (tmp_path / "shop").exists()


@pytest.mark.slow
def test_uv_tool_install_renders_from_its_clone_from_another_directory(tmp_path: Path) -> None:
    uv = shutil.which("uv")
    assert uv is not None
    tools, bin_dir, elsewhere = tmp_path / "tools", tmp_path / "bin", tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {
        key: value
        for key, value in clean_env(UV_TOOL_DIR=str(tools), UV_TOOL_BIN_DIR=str(bin_dir)).items()
        if key not in ("SCAFFOLD_TEMPLATE", "VIRTUAL_ENV")
    }
    installed = subprocess.run(
        [uv, "tool", "install", str(REPO)],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert installed.returncode == 0, installed.stderr
    tool = bin_dir / "scaffold"
    assert tool.is_file()
    # PATH without the clone's .venv, so nothing of the checkout is importable by accident.
    env["PATH"] = os.pathsep.join(
        [str(bin_dir), *(p for p in env["PATH"].split(os.pathsep) if ".venv" not in p)]
    )
    result = subprocess.run(
        [str(tool), "new", "shop", "-f", "flask", "-y", "--no-install"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    answers = yaml.safe_load((elsewhere / "shop" / ".copier-answers.yml").read_text())
    assert answers["_src_path"] == str(REPO)
    assert answers["framework"] == "flask"
