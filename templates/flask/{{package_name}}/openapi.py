"""The error answers the API documents: one table of status codes and what they mean.

Each view names the codes it can return (`@errors(blp, 404)`), so the OpenAPI document lists
every status a client can meet and generated clients treat them as expected answers. Every
error has the app's one body (`ErrorSchema` in errors.py: `{"detail": ...}`); 422 is
documented by flask-smorest itself wherever `@blp.arguments` validates the request. A feature
that adds a status (401, 409, 429, ...) adds its row here once. The 413 of an oversized body
can come from any view that takes one, so `BodyLimitPlugin` declares it on all of them, the
project's own included.
"""

from collections.abc import Callable
from typing import Any, TypeVar

from apispec import BasePlugin
from flask_smorest import Blueprint

from .errors import ErrorSchema

View = TypeVar("View", bound=Callable[..., Any])

ERROR_RESPONSES: dict[int, str] = {
    400: "The body is not valid JSON.",
    404: "No item has this id (or it was just deleted).",
}


def errors(blp: Blueprint, *codes: int) -> Callable[[View], View]:
    """Document these error codes on a view of `blp`."""

    def document(view: View) -> View:
        for code in codes:
            view = blp.alt_response(code, schema=ErrorSchema, description=ERROR_RESPONSES[code])(
                view
            )
        return view

    return document


BODY_TOO_LARGE = {
    "description": "The body is larger than MAX_REQUEST_BYTES.",
    "content": {
        "application/json": {
            "schema": {"$ref": "#/components/schemas/Error"},
        },
    },
}


class BodyLimitPlugin(BasePlugin):
    """Declares the 413 of every operation that takes a body (hardening.py refuses any body
    over the limit, before a view runs). Given to flask-smorest as an extra apispec plugin."""

    def operation_helper(
        self, path: str | None = None, operations: dict[str, Any] | None = None, **kwargs: Any
    ) -> None:
        for operation in (operations or {}).values():
            responses = operation.setdefault("responses", {})
            if "requestBody" in operation and not {413, "413"} & set(responses):
                responses[413] = BODY_TOO_LARGE
