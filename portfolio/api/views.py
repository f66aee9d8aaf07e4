"""Views of the project itself: the health check, and JSON errors for URLs under /api/."""

from django.db import DatabaseError, connection, transaction
from django.http import JsonResponse
from django.views import defaults
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
@transaction.non_atomic_requests
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


def not_found(request, exception=None):
    """A JSON 404 for API clients (a URL that matches no route); the usual page for people."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    """A JSON 500 for API clients; the usual page for people."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Server error."}, status=500)
    return defaults.server_error(request)
