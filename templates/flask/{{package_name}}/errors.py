"""One error body for every 4xx and 5xx, as in the FastAPI and Django templates:
`{"detail": "Not Found"}`, with `Content-Type: application/json`.

flask-smorest's `Api` answers every HTTPException in its own shape (`code`, `status`,
`message`, `errors`); the `Api` below answers them in this one: a view's `abort(404)` or
`abort(409, message=...)`, the framework's own 400, 404, 405 and 413, and the 500 of an
unhandled error. A request its schema refuses (422) lists every problem with the path to the
field: `{"detail": [{"loc": ["json", "name"], "msg": "Missing data for required field."}]}`.
"""

from collections.abc import Iterator
from typing import Any

import flask_smorest
import marshmallow as ma
from werkzeug.exceptions import HTTPException

Problem = dict[str, Any]

# One problem of a refused request: the path to its field (a key or an index at each step).
PATH_STEP = {"oneOf": [{"type": "string"}, {"type": "integer"}]}
PROBLEM = {
    "type": "object",
    "properties": {
        "loc": {"type": "array", "items": PATH_STEP},
        "msg": {"type": "string"},
    },
    "required": ["loc", "msg"],
}


class ErrorSchema(ma.Schema):
    """The error body, as the OpenAPI document shows it (`Api.handle_http_exception` writes it)."""

    detail = ma.fields.Raw(
        required=True,
        metadata={
            "description": "What went wrong; for a refused request, each problem and its field.",
            "oneOf": [{"type": "string"}, {"type": "array", "items": PROBLEM}],
        },
    )


def problems(messages: Any, loc: tuple[str | int, ...] = ()) -> Iterator[Problem]:
    """marshmallow's nested error messages as a flat list, each with the path to its field
    (its location first: `json`, `query` or `form`)."""
    if isinstance(messages, dict):
        for key, value in messages.items():
            yield from problems(value, (*loc, key))
    elif isinstance(messages, list):
        for message in messages:
            yield from problems(message, loc)
    else:
        yield {"loc": list(loc), "msg": str(messages)}


def detail(error: HTTPException) -> str | list[Problem]:
    data = getattr(error, "data", None) or {}
    if "messages" in data:  # webargs: the request failed its schema
        return list(problems(data["messages"]))
    if "message" in data:  # flask-smorest's abort(code, message=...)
        return str(data["message"])
    # A description given where the error was raised says why; werkzeug's default ones ("The
    # browser (or proxy) sent a request that this server could not understand.") say less than
    # the status's name.
    if error.description and error.description != type(error).description:
        return error.description
    return error.name


class Api(flask_smorest.Api):  # type: ignore[misc]  # flask-smorest ships no types
    """flask-smorest's Api, answering (and documenting) errors as `{"detail": ...}`."""

    ERROR_SCHEMA = ErrorSchema

    def handle_http_exception(
        self, error: HTTPException
    ) -> tuple[dict[str, Any], int, list[tuple[str, str]]]:
        # The exception's own headers (405's Allow, ...), but not its HTML content type.
        headers = [(name, value) for name, value in error.get_headers() if name != "Content-Type"]
        data = getattr(error, "data", None) or {}
        headers += (data.get("headers") or {}).items()  # abort(429, headers=...)
        return {"detail": detail(error)}, error.code or 500, headers
