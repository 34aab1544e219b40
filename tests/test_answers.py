"""Free-text answers land in TOML, Markdown, YAML and Python files: whatever they hold, every
file stays valid and says exactly what was typed, or Copier's validator refuses the answer."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest
import yaml
from helpers import STACKS, render

HOSTILE = {
    "description": 'Say "hi" \\ C:\\new """ \'\'\' {{ 7 * 7 }} {% raw %} <b>#1</b> `x`',
    "author_name": 'Ann "Q" O\'Brien \\ {% if %}',
    "author_email": 'ann+"x"@example.com',
}


@pytest.mark.parametrize("stack", STACKS)
def test_hostile_answers_render_valid_files_that_keep_them_verbatim(
    stack: str, tmp_path: Path
) -> None:
    project = render(tmp_path / stack, stack, **HOSTILE)

    metadata = tomllib.loads((project / "pyproject.toml").read_text())["project"]
    assert metadata["description"] == HOSTILE["description"]
    assert metadata["authors"] == [
        {"name": HOSTILE["author_name"], "email": HOSTILE["author_email"]}
    ]

    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert {key: answers[key] for key in HOSTILE} == HOSTILE

    readme = (project / "README.md").read_text().splitlines()
    assert readme[2] == HOSTILE["description"], "the README's third line is the description"

    for source in project.rglob("*.py"):
        ast.parse(source.read_text(), filename=str(source))


@pytest.mark.parametrize("answer", ["description", "author_name", "author_email"])
@pytest.mark.parametrize("text", ["one\ntwo", "tab\there", "nul\x00", "line\u2028separator"])
def test_copier_refuses_an_answer_that_would_break_a_line(
    answer: str, text: str, tmp_path: Path
) -> None:
    with pytest.raises(ValueError, match="Keep it to one line"):
        render(tmp_path / "x", "flask", **{answer: text})
    assert not (tmp_path / "x" / "pyproject.toml").exists()
