"""Views of the project itself: the health check, and JSON errors for URLs under /api/."""

from django.db import DatabaseError, connection, transaction
from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _
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


def api_not_found(request, path: str = ""):
    """Any API path no route matches: a JSON 404, in debug mode too (Django's debug page is HTML).

    A path that lacks only its trailing slash is redirected there (GET, HEAD), or named in the
    404 (other methods, whose body a redirect would lose)."""
    with_slash = f"{request.path_info}/"
    if not request.path_info.endswith("/") and resolves_elsewhere(with_slash):
        if request.method in ("GET", "HEAD"):
            query = request.META.get("QUERY_STRING")
            return HttpResponsePermanentRedirect(with_slash + (f"?{query}" if query else ""))
        detail = _("Not found. Did you mean %(path)s?") % {"path": with_slash}
        return JsonResponse({"detail": detail}, status=404)
    return JsonResponse({"detail": _("Not found.")}, status=404)


def resolves_elsewhere(path: str) -> bool:
    try:
        return resolve(path).func is not api_not_found
    except Resolver404:
        return False


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
