"""One typed name -> the distribution name and the import package, or a clear refusal.

The name the user types is also the directory name. The distribution name is that name
normalised per PEP 503; the package is the distribution name with '-' turned into '_'.
Every refusal is one sentence naming the rule broken and, where one exists, a name that works.
"""

from __future__ import annotations

import keyword
import re
import sys
import unicodedata
from dataclasses import dataclass

from scaffold.errors import UsageError
from scaffold.stacks import stacks

MAX_LENGTH = 64
# PEP 508 distribution names: ASCII letters and digits, with '.', '_' or '-' inside.
_PEP508 = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$")
_SEPARATORS = re.compile(r"[-_.]+")
# `test` is CPython's own regression-test package; shadowing it breaks test discovery.
_RESERVED_STDLIB = frozenset(sys.stdlib_module_names) | {"test"}


class InvalidName(UsageError):
    """The typed name cannot become a project; the message says why and what to type."""


@dataclass(frozen=True)
class ProjectNames:
    typed: str
    distribution: str
    package: str


def _suggest(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    cleaned = re.sub(r"[^A-Za-z0-9]+", "-", ascii_name).strip("-").lower()[:MAX_LENGTH]
    return cleaned or "my-service"


def derive(name: str, framework: str | None = None) -> ProjectNames:
    """Derive the names, checking the stack's dependencies too once `framework` is known."""
    if not name.strip():
        raise InvalidName("The project name is empty; pass a name such as my-service.")
    if "/" in name or "\\" in name or name in {".", ".."} or name.startswith(("~", ".")):
        raise InvalidName(
            f"{name!r} looks like a path; pass a plain name such as {_suggest(name)!r} "
            "and choose the parent directory with -o/--output-dir."
        )
    if not name.isascii():
        raise InvalidName(
            f"{name!r} contains non-ASCII characters, which Python package names cannot; "
            f"try {_suggest(name)!r}."
        )
    if len(name) > MAX_LENGTH:
        raise InvalidName(
            f"{name!r} is {len(name)} characters long; keep it to {MAX_LENGTH} or fewer."
        )
    if not _PEP508.match(name):
        raise InvalidName(
            f"{name!r} is not a valid distribution name (letters, digits, '-', '_' and '.', "
            f"starting and ending with a letter or digit); try {_suggest(name)!r}."
        )
    distribution = _SEPARATORS.sub("-", name).lower()
    package = distribution.replace("-", "_")
    if not package.isidentifier():
        raise InvalidName(
            f"{name!r} gives the package name {package!r}, which is not a Python identifier "
            f"(it starts with a digit); try 'app-{distribution}'."
        )
    if keyword.iskeyword(package) or keyword.issoftkeyword(package):
        raise InvalidName(
            f"{name!r} gives the package name {package!r}, a Python keyword; "
            f"try '{distribution}-app'."
        )
    if package in _RESERVED_STDLIB:
        raise InvalidName(
            f"{name!r} gives the package name {package!r}, which would shadow the standard "
            f"library module of that name; try '{distribution}-app'."
        )
    if framework is not None and package in stacks()[framework].modules:
        raise InvalidName(
            f"{name!r} gives the package name {package!r}, which would shadow a dependency "
            f"of the {framework} stack; try '{distribution}-app'."
        )
    return ProjectNames(typed=name, distribution=distribution, package=package)
