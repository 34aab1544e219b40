"""What shapes the OpenAPI document: drf-spectacular hooks, and the error answers it lists.

Each view names the error codes it can return (`responses={200: ..., **errors(400, 404)}`),
so the document lists every status a client can meet and generated clients treat them as
expected answers. A feature that adds a status (401, 409, 429, ...) adds its row to
`ERROR_RESPONSES` once. The 413 of an oversized body can come from any operation that takes
one, so a hook declares it on all of them, the project's own included.
"""

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema_field, inline_serializer
from rest_framework import serializers

# DRF's body for every error but validation: {"detail": "Not found."}.
Detail = inline_serializer(name="Detail", fields={"detail": serializers.CharField()})

# A 400 lists each problem with the path to its field (errors.py), or says what is wrong with
# the body as a whole ({"detail": "JSON parse error - ..."}).
TEXT = {"type": "string"}
PATH_STEP = {"oneOf": [TEXT, {"type": "integer"}]}
PROBLEM = {
    "type": "object",
    "properties": {"loc": {"type": "array", "items": PATH_STEP}, "msg": TEXT},
    "required": ["loc", "msg"],
}
PROBLEMS = {
    "oneOf": [TEXT, {"type": "array", "items": PROBLEM}],
    "example": [{"loc": ["body", "name"], "msg": "This field is required."}],
}


@extend_schema_field(PROBLEMS)
class ProblemsField(serializers.Field):  # type: ignore[type-arg]
    """A 400's `detail` in the document (errors.py writes the body itself)."""


ValidationErrors = inline_serializer(name="ValidationErrors", fields={"detail": ProblemsField()})


def invalid(description: str) -> OpenApiResponse:
    """A 400's answer, `description` saying what makes a request invalid."""
    return OpenApiResponse(ValidationErrors, description=description)


ERROR_RESPONSES: dict[int, OpenApiResponse] = {
    400: invalid("The request is not valid."),
    404: OpenApiResponse(Detail, description="No item has this id (or it was just deleted)."),
    415: OpenApiResponse(Detail, description="The body is not JSON."),
}


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    """The error part of an operation's `responses`."""
    return {code: ERROR_RESPONSES[code] for code in codes}


def drop_optional_trailing_slash(
    endpoints: list[tuple[str, str, str, Any]], **kwargs: Any
) -> list[tuple[str, str, str, Any]]:
    """Document `/api/items`, not `/api/items/`, for routes where the slash is optional.

    Both spellings are served (see `items/urls.py`); the document names each route once, in
    the form without the slash.
    """
    return [
        (path.rstrip("/") if regex.endswith("/?$") else path, regex, method, callback)
        for path, regex, method, callback in endpoints
    ]


def detail_answer(description: str) -> dict[str, Any]:
    """A response of DRF's `{"detail": "..."}` body, as a postprocessing hook writes it."""
    properties = {"detail": TEXT}
    schema = {"type": "object", "properties": properties}
    json_body = {"schema": schema}
    content = {"application/json": json_body}
    return {"description": description, "content": content}


BODY_TOO_LARGE = detail_answer("The body is larger than MAX_REQUEST_BYTES.")


def document_body_limit(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Declare the 413 of every operation that takes a body (hardening.py refuses any body
    over the limit, before a view runs)."""
    for path in result.get("paths", {}).values():
        for operation in path.values():
            if "requestBody" in operation:
                operation["responses"].setdefault("413", BODY_TOO_LARGE)
    return result
