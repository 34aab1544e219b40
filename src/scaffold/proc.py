"""The one way scaffold runs another program (git, uv, uvx): text output captured, no
exception for a non-zero exit (each caller says in its own words what a failure means)."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path


def run(
    args: Sequence[str], cwd: Path | None = None, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), cwd=cwd, env=env, capture_output=True, text=True, check=False)


def git(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return run(["git", *args], cwd)


def last_line(text: str) -> str:
    """A program's last complaint, for a one-sentence error."""
    lines = text.strip().splitlines()
    return lines[-1].strip() if lines else "no output"
