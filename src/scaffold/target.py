"""The destination directory: refuse what is not ours to fill, and undo a failed run.

Never deletes anything that existed before this run: a directory created by the run goes
entirely; a directory that existed (it can only have been empty) is emptied again.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from scaffold.errors import UsageError

SHOWN_ENTRIES = 5


class TargetError(UsageError):
    """The destination cannot receive a new project."""


def check(destination: Path) -> None:
    if destination.is_file() or (destination.exists() and not destination.is_dir()):
        raise TargetError(f"{destination} exists and is a file; choose another name or -o DIR.")
    if destination.is_dir():
        entries = sorted(entry.name for entry in destination.iterdir())
        if entries:
            shown = ", ".join(entries[:SHOWN_ENTRIES])
            more = (
                f" and {len(entries) - SHOWN_ENTRIES} more" if len(entries) > SHOWN_ENTRIES else ""
            )
            raise TargetError(
                f"{destination} is not empty (it holds {shown}{more}); choose another name "
                "or -o DIR, or empty it first."
            )
    for parent in destination.parents:
        if parent.exists() and not parent.is_dir():
            raise TargetError(f"{parent} is a file, so {destination} cannot be created.")


def _first_missing(destination: Path) -> Path | None:
    missing = None
    for path in (destination, *destination.parents):
        if path.exists():
            break
        missing = path
    return missing


@contextmanager
def undo_on_failure(destination: Path) -> Iterator[None]:
    """Remove what the body created under `destination` if it raises (Ctrl-C included)."""
    created_root = _first_missing(destination)
    try:
        yield
    except BaseException:
        if created_root is not None:
            shutil.rmtree(created_root, ignore_errors=True)
        elif destination.is_dir():
            for entry in destination.iterdir():
                if entry.is_dir() and not entry.is_symlink():
                    shutil.rmtree(entry, ignore_errors=True)
                else:
                    entry.unlink(missing_ok=True)
        raise
