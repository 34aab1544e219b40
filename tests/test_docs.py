"""The repository's docs stand on their own: every relative link in README.md and docs/*.md
reaches a file of this repository, and each generated README lists its endpoints in one
table."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers import REPO, STACKS, render

# [text](target), leaving out images' and reference-style links' other spellings.
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
EXTERNAL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)  # https:, mailto:, ...
DOCUMENTS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]


def _relative_links(document: Path) -> list[str]:
    text = re.sub(r"```.*?```", "", document.read_text(), flags=re.DOTALL)  # code blocks
    return [
        target
        for target in LINK.findall(text)
        if not EXTERNAL.match(target) and not target.startswith("#")
    ]


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: path.name)
def test_relative_links_stay_inside_the_repository(document: Path) -> None:
    for target in _relative_links(document):
        path = (document.parent / target.split("#", 1)[0]).resolve()
        assert path.is_relative_to(REPO.resolve()), (
            f"{document.name} links {target}, outside the repository"
        )
        assert path.exists(), f"{document.name} links {target}, which does not exist"


def test_the_link_check_sees_links() -> None:
    assert "docs/contract.md" in _relative_links(REPO / "README.md")
    assert "contract.md" in _relative_links(REPO / "docs" / "templates.md")


@pytest.mark.parametrize("stack", STACKS)
def test_the_generated_readme_lists_every_endpoint_in_one_table(stack: str, tmp_path: Path) -> None:
    readme = (render(tmp_path / stack, stack, auth=True) / "README.md").read_text()
    lines = readme.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| `GET /health`"))
    while lines[start - 1].startswith("|"):
        start -= 1
    end = start
    while end < len(lines) and lines[end].startswith("|"):
        end += 1
    table = "\n".join(lines[start:end])
    expected = ["| `GET /` |", "| `GET /health` |", "/api/openapi.json", "/api/auth/token"]
    if stack == "django":
        expected.append("| `/admin/` |")
    for row in expected:
        assert row in table, f"{stack}'s README endpoint table has no {row!r} row:\n{table}"
    rows = readme.count("\n| `/admin/` |")
    assert rows == (stack == "django"), f"{stack}'s README has {rows} `/admin/` rows"
