"""JSON request bodies, refused whole (400 `{"detail": ...}`) when no valid request could be
in them: nesting too deep for the parser (Python's RecursionError, a 500 otherwise), numbers
too long for int() or too large for a float (`1e999` is infinity), and NaN or Infinity, which
are not JSON. Everything else is DRF's JSONParser."""

import json
import math
from collections.abc import Mapping
from typing import IO, Any

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError


def _integer(text: str) -> int:
    try:
        return int(text)
    except ValueError:  # over int()'s 4300 digits
        raise ValueError(f"number too long: {text[:20]}...") from None


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"number out of range: {text[:20]}")
    return number


def _refuse(constant: str) -> None:
    raise ValueError(f"{constant} is not a JSON value")


class JSONParser(parsers.JSONParser):
    def parse(
        self,
        stream: IO[Any],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        encoding = (parser_context or {}).get("encoding") or settings.DEFAULT_CHARSET
        try:
            # bytes.decode() takes text encodings only (no `bz2_codec` inflating the body).
            text = stream.read().decode(encoding)
            return json.loads(text, parse_int=_integer, parse_float=_finite, parse_constant=_refuse)
        except LookupError:
            raise ParseError(f'Unsupported charset "{encoding}".') from None
        except RecursionError:
            raise ParseError("JSON parse error - nested too deeply.") from None
        except ValueError as exc:  # also bytes that are not in the charset
            raise ParseError(f"JSON parse error - {exc}") from None
