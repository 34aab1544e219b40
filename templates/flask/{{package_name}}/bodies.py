"""JSON request bodies, read strictly: what Python's json module accepts but no client should
send is a 400 before any view runs, rather than a 500 or a value no database can hold.

json_limits.py reads them, with the limits and the words of every stack: nesting too deep,
numbers too long or too large, NaN and Infinity, bytes that are not UTF-8 text. Malformed JSON
is a 400 too, saying where ("The body is not valid JSON: ...").

Text is checked later, field by field (NUL and lone surrogates: the schemas' `storable`), so
that the error names the field. Both ways into a body read it here: Flask's
`request.get_json()` through the app's JSON provider, and flask-smorest's `@blp.arguments`
through the `Blueprint` below, whose parser reads with `request.get_json()` too.
"""

from typing import Any

import flask
import flask_smorest
from flask.json.provider import DefaultJSONProvider
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request
from werkzeug.exceptions import BadRequest

from .json_limits import BadJSON, loads


class JSONProvider(DefaultJSONProvider):
    """The app's JSON (`app.json`): written as Flask writes it, read strictly."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return loads(s)


class Request(flask.Request):
    """Flask's request, whose refused JSON body says why (Flask's says so only in debug)."""

    def on_json_loading_failed(self, e: ValueError | None) -> Any:
        if e is None:  # not a JSON content type: werkzeug's 415
            return super().on_json_loading_failed(e)
        if isinstance(e, BadJSON):  # its message is the whole answer
            raise BadRequest(str(e))
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
