"""JSON request bodies, read strictly: what Python's json module accepts but no client should
send is a 400 before any view runs, rather than a 500 or a value no database can hold.

- `NaN`, `Infinity` and `-Infinity`: Python reads them, but they are not JSON (RFC 8259);
- a number Python cannot hold: an integer of over 4,300 digits (int() refuses it with a
  ValueError the json module lets through), a float beyond 1e308 (it would be infinity);
- nesting deeper than Python's recursion limit (the json module raises RecursionError).

Text is checked later, field by field (NUL and lone surrogates: the schemas' `storable`), so
that the error names the field. Both ways into a body read it here: Flask's
`request.get_json()` through the app's JSON provider, and flask-smorest's `@blp.arguments`
through the `Blueprint` below, whose parser reads with `request.get_json()` too.
"""

import json
import math
from typing import Any

import flask
import flask_smorest
from flask.json.provider import DefaultJSONProvider
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request
from werkzeug.exceptions import BadRequest

TOO_LARGE = "a number in it is too large"


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _integer(digits: str) -> int:
    try:
        return int(digits)
    except ValueError:  # more digits than sys.get_int_max_str_digits() (4,300)
        raise ValueError(TOO_LARGE) from None


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(TOO_LARGE)
    return number


def loads(text: str | bytes) -> Any:
    """json.loads, refusing with a ValueError what the module docstring lists."""
    try:
        return json.loads(
            text, parse_constant=_refuse_constant, parse_int=_integer, parse_float=_finite
        )
    except RecursionError:
        raise ValueError("it is nested too deeply") from None


class JSONProvider(DefaultJSONProvider):
    """The app's JSON (`app.json`): written as Flask writes it, read strictly."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return loads(s)


class Request(flask.Request):
    """Flask's request, whose refused JSON body says why (Flask's says so only in debug)."""

    def on_json_loading_failed(self, e: ValueError | None) -> Any:
        if e is None:  # not a JSON content type: werkzeug's 415
            return super().on_json_loading_failed(e)
        raise BadRequest(f"The body is not valid JSON: {e}.")


class Parser(FlaskParser):
    """webargs' parser, reading a JSON body with `request.get_json()` rather than its own
    json.loads, so flask-smorest's views read bodies as strictly as the rest of the app."""

    def _raw_load_json(self, req: flask.Request) -> Any:
        # No body, or another content type: the schema reports its required fields missing.
        if not is_json_request(req) or not req.get_data(cache=True):
            return core.missing
        return req.get_json()


class Blueprint(flask_smorest.Blueprint):  # type: ignore[misc]  # flask-smorest ships no types
    """flask-smorest's Blueprint, whose `@blp.arguments` read JSON bodies with `Parser`."""

    ARGUMENTS_PARSER = Parser()
