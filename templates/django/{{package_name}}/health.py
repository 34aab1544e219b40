"""Liveness and database check for load balancers and orchestrators."""

from django.db import DatabaseError, connection
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

HEALTH_STATES = ["ok", "error"]

HealthSerializer = inline_serializer(
    name="Health",
    fields={
        "status": serializers.ChoiceField(choices=HEALTH_STATES),
        "database": serializers.ChoiceField(choices=HEALTH_STATES),
    },
)


class HealthView(APIView):
    # Probes carry no credentials; skipping authentication also skips a session lookup that
    # would itself need the database.
    authentication_classes = ()
    permission_classes = (AllowAny,)
    # Probes want JSON only: no content negotiation, no browsable-API rendering per request.
    renderer_classes = (JSONRenderer,)

    @extend_schema(
        operation_id="health",
        summary="Service and database health",
        responses={200: HealthSerializer, 503: HealthSerializer},
    )
    def get(self, request: Request) -> Response:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
        except DatabaseError:
            return Response({"status": "error", "database": "error"}, status=503)
        return Response({"status": "ok", "database": "ok"})
