"""Template answers given on the command line: `-d KEY=VALUE` and `--data-file FILE`.

Values stay strings when given with -d (Copier casts them by question type, as `copier copy
-d` does); a data file is YAML, so it can carry real booleans.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from scaffold.errors import UsageError

# Answers the CLI derives itself; taking them from -d would contradict NAME, -f or the recommender.
OWNED_BY_CLI = {
    "project_name": "NAME",
    "package_name": "NAME",
    "stack_answers": "the recommender flags (--kind, --admin, ...)",
    "stack_reasons": "the recommender flags (--kind, --admin, ...)",
}


class DataError(UsageError):
    """Malformed -d or --data-file input; the message names the bad piece."""


def parse_pairs(pairs: Iterable[str]) -> dict[str, str]:
    data: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key.isidentifier():
            raise DataError(f"-d expects KEY=VALUE with KEY a question name, got {pair!r}.")
        data[key] = value
    return data


def read_file(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise DataError(f"Data file {path} does not exist; pass a YAML file of KEY: VALUE lines.")
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise DataError(f"Data file {path} is not valid YAML ({type(error).__name__}).") from error
    if loaded is None:
        return {}
    if not isinstance(loaded, dict) or not all(isinstance(key, str) for key in loaded):
        raise DataError(f"Data file {path} must be a YAML mapping of question names to answers.")
    return loaded


def collect(pairs: Iterable[str], data_file: Path | None) -> dict[str, Any]:
    """The file's answers overridden by -d pairs, refusing keys the CLI owns."""
    data: dict[str, Any] = read_file(data_file) if data_file else {}
    data.update(parse_pairs(pairs))
    for key, source in OWNED_BY_CLI.items():
        if key in data:
            raise DataError(f"{key} cannot be given as data; it comes from {source}.")
    return data
