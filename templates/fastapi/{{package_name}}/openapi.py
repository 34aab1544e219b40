"""The error answers the API documents: one table of status codes and their bodies.

Each route names the codes it can return (`responses=errors(404, 422)`), so the OpenAPI
document lists every status a client can meet and generated clients treat them as expected
answers. A feature that adds a status (401, 409, 429, ...) adds its row here once. The 413 of
an oversized body can come from any route that takes one, so `document_body_limit` declares
it on all of them, the project's own included.
"""

from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel


class Message(BaseModel):
    """The body of every error but validation: `{"detail": "Item not found"}`."""

    detail: str


class FieldError(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class ValidationErrors(BaseModel):
    """The body of a 422: what is wrong with which part of the request (the input itself is
    not echoed back, see `main.validation_error`)."""

    detail: list[FieldError]


ERROR_RESPONSES: dict[int, dict[str, Any]] = {
    # A body that is not UTF-8 text, or JSON no API should take (jsonbody.py).
    400: {
        "model": Message,
        "description": "The body is not JSON text, or holds NaN, Infinity, a number out of "
        "range or nesting too deep.",
    },
    404: {"model": Message, "description": "No item has this id (or it was just deleted)."},
    422: {"model": ValidationErrors, "description": "The request is not valid; `loc` says where."},
}


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` of a route that can answer with these error codes."""
    return {code: ERROR_RESPONSES[code] for code in codes}


BODY_TOO_LARGE = {
    "description": "The body is larger than MAX_REQUEST_BYTES.",
    "content": {
        "application/json": {
            "schema": {"$ref": "#/components/schemas/Message"},
        },
    },
}


def document_body_limit(app: FastAPI) -> None:
    """Declare the 413 of every operation that takes a body in `app`'s document (hardening.py
    refuses any body over the limit, before a route runs): FastAPI's "Extending OpenAPI"."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        document = build()  # which FastAPI keeps as app.openapi_schema
        for path in document["paths"].values():
            for operation in path.values():
                if "requestBody" in operation:
                    operation["responses"].setdefault("413", BODY_TOO_LARGE)
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        schemas.setdefault("Message", Message.model_json_schema())
        return document

    app.openapi = openapi  # type: ignore[method-assign]
