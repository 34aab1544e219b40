"""GET /: the first URL a visitor opens, answered with where to go next."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

INDEX = {"docs": "/api/docs", "openapi": "/api/openapi.json", "health": "/health"}

IndexSerializer = inline_serializer(
    name="Index",
    fields={
        "docs": serializers.CharField(),
        "openapi": serializers.CharField(),
        "health": serializers.CharField(),
    },
)


class IndexView(APIView):
    # Public, like the docs it points to: no credentials to check, no session to look up.
    authentication_classes = ()
    permission_classes = (AllowAny,)
    renderer_classes = (JSONRenderer,)

    @extend_schema(
        operation_id="index",
        summary="Where the API's docs and health check are",
        responses={200: IndexSerializer},
    )
    def get(self, request: Request) -> Response:
        return Response(INDEX)
