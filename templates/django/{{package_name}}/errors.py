"""The API's error bodies (REST_FRAMEWORK's EXCEPTION_HANDLER), as in the FastAPI and Flask
templates: a refused request (400) lists each problem with the path to its field,

    {"detail": [{"loc": ["body", "name"], "msg": "This field is required."}]}

The path starts with where the value was (`body`, or `query` for a query parameter), then the
field, and the keys and indexes of nested fields; a problem with the body as a whole (DRF's
`non_field_errors`) is at `["body"]`. Every other error, a body that is not JSON included,
keeps DRF's one message: `{"detail": "Not found."}`. Errors that never reach a DRF view (an
unknown path, a bad Host header) are answered by views.py in the same shape.
"""

from collections.abc import Iterator
from typing import Any

from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

Problem = dict[str, Any]


class InvalidQuery(exceptions.ValidationError):
    """A ValidationError about query parameters (`{"limit": [...]}`): loc `["query", "limit"]`."""


def problems(errors: Any, loc: tuple[str | int, ...]) -> Iterator[Problem]:
    """DRF's nested validation errors as a flat list, one problem per message."""
    if isinstance(errors, dict):
        for key, value in errors.items():
            # The serializer's own errors (its validate()) are about the object, not a field.
            step = () if key == api_settings.NON_FIELD_ERRORS_KEY else (key,)
            yield from problems(value, (*loc, *step))
    elif isinstance(errors, list):
        for index, value in enumerate(errors):
            if isinstance(value, dict | list):  # the errors of one item of a list (many=True)
                yield from problems(value, (*loc, index))
            else:  # a message
                yield from problems(value, loc)
    else:
        yield {"loc": list(loc), "msg": str(errors)}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, with a ValidationError's field errors as a list of problems. Other
    errors keep DRF's `{"detail": "..."}`; None (an unexpected exception) is a 500, whose JSON
    body is views.server_error's."""
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.ValidationError):
        location = "query" if isinstance(exc, InvalidQuery) else "body"
        response.data = {"detail": list(problems(exc.detail, (location,)))}
    return response
