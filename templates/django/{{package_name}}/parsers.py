"""JSON request bodies, refused whole (400 `{"detail": ...}`) when no valid request could be
in them: json_limits.py reads them, with the limits and the words of every stack (nesting too
deep, numbers too long or too large, NaN and Infinity). Everything else is DRF's JSONParser:
the body's charset, and malformed JSON ("JSON parse error - ...")."""

from collections.abc import Mapping
from typing import IO, Any

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError

from .json_limits import BadJSON, loads


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
            return loads(stream.read().decode(encoding))
        except LookupError:
            raise ParseError(f'Unsupported charset "{encoding}".') from None
        except UnicodeDecodeError:  # bytes that are not in the charset
            raise ParseError(str(BadJSON(f"is not {encoding.upper()} text"))) from None
        except BadJSON as exc:
            raise ParseError(str(exc)) from None
        except ValueError as exc:  # malformed JSON
            raise ParseError(f"JSON parse error - {exc}") from None
