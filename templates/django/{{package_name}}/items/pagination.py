"""Limit/offset pagination that returns a plain JSON array.

DRF's LimitOffsetPagination wraps results in an envelope (`count`, `next`, ...) and silently
clamps bad values. This API answers with the array itself and rejects a bad `limit` or
`offset` with 400 (`{"detail": [{"loc": ["query", "limit"], "msg": ...}]}`).
"""

from collections.abc import Sequence
from typing import Any, TypeVar

from django.db.models import QuerySet
from rest_framework import serializers
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ..errors import InvalidQuery

_Row = TypeVar("_Row")

DEFAULT_LIMIT = 50
MAX_LIMIT = 100
# The largest OFFSET SQLite and PostgreSQL accept (a signed 64-bit integer); above it the
# database errors out instead of returning an empty page.
MAX_OFFSET = 2**63 - 1


# Stateless fields, built once: a Serializer would deep-copy its fields on every request.
PAGE_PARAMS = {
    "limit": (serializers.IntegerField(min_value=1, max_value=MAX_LIMIT), DEFAULT_LIMIT),
    "offset": (serializers.IntegerField(min_value=0, max_value=MAX_OFFSET), 0),
}


def page_param(request: Request, name: str) -> int:
    """A query parameter's integer value; absent or empty means its default, as in a form."""
    field, default = PAGE_PARAMS[name]
    raw = request.query_params.get(name, "")
    if raw == "":
        return default
    try:
        value: int = field.run_validation(raw)
    except serializers.ValidationError as error:
        raise InvalidQuery({name: error.detail}) from None
    return value


class LimitOffsetArrayPagination(BasePagination):
    def paginate_queryset(
        self,
        queryset: QuerySet[Any, _Row] | Sequence[_Row],
        request: Request,
        view: APIView | None = None,
    ) -> list[_Row]:
        limit = page_param(request, "limit")
        offset = page_param(request, "offset")
        return list(queryset[offset : offset + limit])

    def get_paginated_response(self, data: Any) -> Response:
        return Response(data)

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return schema

    def get_schema_operation_parameters(self, view: APIView) -> list[dict[str, Any]]:
        return [
            {
                "name": "limit",
                "in": "query",
                "required": False,
                "description": f"Number of items to return (1-{MAX_LIMIT}).",
                "schema": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": MAX_LIMIT,
                    "default": DEFAULT_LIMIT,
                },
            },
            {
                "name": "offset",
                "in": "query",
                "required": False,
                "description": "Number of items to skip.",
                "schema": {
                    "type": "integer",
                    "minimum": 0,
                    "maximum": MAX_OFFSET,
                    "default": 0,
                },
            },
        ]
