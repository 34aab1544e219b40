"""Where the template comes from: a local checkout or a git URL (Copier's `gh:`/`gl:`
shorthands included), its release tags, and whether it can be reached. The one place that
tells a path from a URL, for --template, $SCAFFOLD_TEMPLATE and a recorded `_src_path` alike.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from scaffold import proc
from scaffold.errors import ScaffoldError, UsageError

CANONICAL_URL = "https://github.com/scaffold-py/scaffold.git"
# The repository this package runs from, when it runs from a git checkout of scaffold.
CHECKOUT = Path(__file__).resolve().parents[2]
POINT_ELSEWHERE = (
    "point at another with --template PATH_OR_URL or SCAFFOLD_TEMPLATE=PATH_OR_URL "
    "(a clone of scaffold works)"
)
# A release tag: v1, v1.2, v1.2.3 (a leading v optional). A version Copier records for a
# commit past a tag (v1.2.3-4-gabcdef) counts as that tag.
_RELEASE = re.compile(r"^v?(\d+(?:\.\d+)*)$")
_RELEASE_PREFIX = re.compile(r"^v?(\d+(?:\.\d+)*)")


class SourceError(ScaffoldError):
    """The template cannot be found or reached."""


@dataclass(frozen=True)
class TemplateSource:
    location: str  # an absolute path or a URL: Copier records it verbatim as _src_path
    origin: str  # which rule picked it, for messages
    is_local: bool

    @property
    def trusted(self) -> bool:
        """This repository (the checkout scaffold runs from, or its canonical URL): its
        build code is scaffold's own, so installing what it renders runs nothing foreign."""
        return self.origin in ("checkout", "clone", "canonical") or self.location in (
            str(CHECKOUT),
            CANONICAL_URL,
        )


def refuse_option_like(value: str, what: str) -> None:
    """git reads an argument starting with '-' as an option (`--upload-pack=<command>` runs
    a command): refuse such a template source or ref before it reaches git or Copier."""
    if value.startswith("-"):
        raise UsageError(
            f"{what} {value!r} starts with '-', which git would take as an option; "
            "give a path (./NAME for a local one), a URL or a ref name."
        )


def is_remote(location: str) -> bool:
    """A git URL (or Copier's gh:/gl: shorthand) rather than a local path."""
    return "://" in location or location.startswith(("git@", "gh:", "gl:"))


def git_url(location: str) -> str:
    """What git itself is given: Copier's own expansion of its shorthands (`gh:o/r` is
    https://github.com/o/r.git), and an absolute path for a local checkout."""
    if not is_remote(location):
        return str(Path(location).expanduser().resolve())
    # Copier's public API has no name for it; its internal one keeps scaffold and Copier from
    # ever disagreeing about what a shorthand means.
    from copier._vcs import get_repo

    return str(get_repo(location) or location)


def _local(path: str, origin: str) -> TemplateSource:
    root = Path(path).expanduser().resolve()
    if not (root / "copier.yml").is_file():
        raise SourceError(
            f"Template not found: {root} has no copier.yml; {POINT_ELSEWHERE}.", exit_code=2
        )
    return TemplateSource(location=str(root), origin=origin, is_local=True)


def installed_from() -> Path | None:
    """The git checkout of scaffold this package was installed from (`uv tool install
    <clone>`, `uvx --from <clone>`), as PEP 610's direct_url.json records it; None when it
    came from elsewhere or the clone is gone."""
    import json
    from importlib.metadata import PackageNotFoundError, distribution
    from urllib.parse import unquote, urlparse

    try:
        text = distribution("scaffold").read_text("direct_url.json")
    except PackageNotFoundError:
        return None
    try:
        url = json.loads(text or "{}").get("url", "")
    except (ValueError, AttributeError):
        return None
    if not isinstance(url, str) or not url.startswith("file://"):
        return None
    path = Path(unquote(urlparse(url).path))
    if (path / "copier.yml").is_file() and (path / ".git").exists():
        return path
    return None


def resolve(explicit: str | None) -> TemplateSource:
    """--template, then $SCAFFOLD_TEMPLATE, then the checkout this package runs from, then the
    clone it was installed from, then the canonical repository."""
    for value, origin in (
        (explicit, "--template"),
        (os.environ.get("SCAFFOLD_TEMPLATE"), "SCAFFOLD_TEMPLATE"),
    ):
        if value:
            refuse_option_like(value, f"The template source from {origin}")
            if is_remote(value):
                return TemplateSource(location=value, origin=origin, is_local=False)
            return _local(value, origin)
    if (CHECKOUT / "copier.yml").is_file() and (CHECKOUT / ".git").exists():
        return TemplateSource(location=str(CHECKOUT), origin="checkout", is_local=True)
    clone = installed_from()
    if clone is not None:
        return TemplateSource(location=str(clone), origin="clone", is_local=True)
    return TemplateSource(location=CANONICAL_URL, origin="canonical", is_local=False)


def version(tag: str) -> tuple[int, ...] | None:
    """The release a tag (or a version Copier recorded) names, comparable; None if none."""
    match = _RELEASE_PREFIX.match(tag)
    return tuple(int(part) for part in match.group(1).split(".")) if match else None


def release_tags(location: str) -> list[str]:
    """The template's release tags, newest first, local checkout or remote alike (git
    ls-remote reads both); a SourceError when git cannot reach a remote one."""
    refuse_option_like(location, "The template source")
    listed = proc.git("ls-remote", "--tags", "--refs", "--", git_url(location))
    if listed.returncode != 0 and not is_remote(location):
        return []  # a template directory that is not a git repository: Copier renders it as is
    if listed.returncode != 0:
        raise SourceError(
            f"Could not reach the template {location} "
            f"(git: {proc.last_line(listed.stderr)}); check the address and the network."
        )
    tags = [line.rsplit("refs/tags/", 1)[-1] for line in listed.stdout.splitlines()]
    released = [tag for tag in tags if _RELEASE.match(tag)]
    return sorted(released, key=lambda tag: version(tag) or (), reverse=True)


def latest_tag(location: str) -> str | None:
    tags = release_tags(location)
    return tags[0] if tags else None


def reachable(location: str) -> bool:
    """A local checkout with its copier.yml, or a remote git answers."""
    if not is_remote(location):
        return (Path(location) / "copier.yml").is_file()
    return proc.git("ls-remote", "--exit-code", "--", git_url(location), "HEAD").returncode == 0


def ref_warnings(source: TemplateSource, vcs_ref: str | None) -> list[str]:
    """What the user should know about the version that will be recorded, before rendering."""
    if not source.is_local:
        return []
    notes = []
    untagged = not release_tags(source.location)
    if vcs_ref is None and untagged:
        head = proc.git("-C", source.location, "rev-parse", "--short", "HEAD").stdout.strip()
        notes.append(
            f"The template at {source.location} has no release tags; "
            f"rendering commit {head or 'unknown'}."
        )
    renders_head = vcs_ref == "HEAD" or (vcs_ref is None and untagged)
    if renders_head and proc.git("-C", source.location, "status", "--porcelain").stdout.strip():
        notes.append(
            "The template checkout has uncommitted changes: they are rendered, but the project "
            "records a commit without them, so a later `copier update` cannot reproduce this "
            "version. Commit or tag the template first."
        )
    return notes
