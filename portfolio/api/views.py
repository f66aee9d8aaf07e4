"""Views of the project itself: the health check."""

from django.db import DatabaseError, connection
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.response import Response

from portfolio.api.exceptions import RETRY_AFTER_SECONDS


@extend_schema(
    responses={
        200: inline_serializer(
            "Health", {"status": serializers.CharField(), "database": serializers.CharField()}
        ),
        503: inline_serializer(
            "Unhealthy", {"status": serializers.CharField(), "database": serializers.CharField()}
        ),
    },
    auth=[],
)
@api_view(["GET"])
@authentication_classes([])
@permission_classes([])
def health(request):
    """The process answers and the database takes a query; for load balancers, no login needed."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return Response(
            {"status": "unavailable", "database": "down"},
            status=503,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    return Response({"status": "ok", "database": "ok"})
