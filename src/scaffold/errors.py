"""The one family of errors scaffold's modules raise for the user to read.

Each carries the exit status it means; `cli.py` turns any of them into "error: <message>" on
stderr and that status, in one place. Anything else that escapes is a bug and keeps its
traceback: it must never pass for a usage error.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

_P = ParamSpec("_P")
_R = TypeVar("_R")


class ScaffoldError(Exception):
    """Something the user can act on, said in one sentence; exit 1 unless a subclass says."""

    exit_code = 1

    def __init__(self, message: str, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


class UsageError(ScaffoldError):
    """Bad input (a name, a flag, an answer, a path): nothing was changed; exit 2."""

    exit_code = 2


class Interrupted(ScaffoldError):
    """Ctrl-C; the message says what was left behind; exit 130 (128 + SIGINT), as shells do."""

    exit_code = 130


def interrupted_means(message: str) -> Callable[[Callable[_P, _R]], Callable[_P, _R]]:
    """Turn a Ctrl-C inside the decorated step into `Interrupted(message)`."""

    def decorate(step: Callable[_P, _R]) -> Callable[_P, _R]:
        @functools.wraps(step)
        def guarded(*args: _P.args, **kwargs: _P.kwargs) -> _R:
            try:
                return step(*args, **kwargs)
            except KeyboardInterrupt as error:
                raise Interrupted(message) from error

        return guarded

    return decorate
