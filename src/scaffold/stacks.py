"""The stacks scaffold can generate, read from stacks.yaml."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.resources import files

import yaml

from scaffold.errors import UsageError


@dataclass(frozen=True)
class Stack:
    name: str
    title: str
    summary: str
    modules: frozenset[str]
    next_steps: tuple[str, ...]
    facts: dict[str, bool]  # what the recommender's texts may claim about the generated project


@cache
def stacks() -> dict[str, Stack]:
    raw = yaml.safe_load(files("scaffold").joinpath("stacks.yaml").read_text(encoding="utf-8"))
    return {
        name: Stack(
            name=name,
            title=entry["title"],
            summary=entry["summary"],
            modules=frozenset(entry["modules"]),
            next_steps=tuple(entry["next_steps"]),
            facts=dict(entry["facts"]),
        )
        for name, entry in raw.items()
    }


def stack(name: str) -> Stack:
    """The stack called `name`; a usage error naming the known stacks otherwise."""
    known = stacks()
    if name not in known:
        raise UsageError(f"Unknown framework {name!r}; choose one of: {', '.join(sorted(known))}.")
    return known[name]
