"""scaffold holds itself to the gates it sets for generated projects: ruff and mypy --strict."""

from __future__ import annotations

import sys

import pytest
from helpers import REPO, run


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
