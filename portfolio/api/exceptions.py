"""Errors as JSON with a clear status: 400 for bad input, 409 for conflicts, 412 for a stale If-Match,
503 when the database is down."""

import logging

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError, InterfaceError, OperationalError
from django.db.models import ProtectedError, RestrictedError
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from portfolio.api.conditional import IF_MATCH, PreconditionFailed, VersionConflict, version_etag
from portfolio.versioning import StaleVersion

logger = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 5


def exception_handler(exc, context):
    """DRF's handler, plus the Django and database errors a view may let through."""
    if isinstance(exc, StaleVersion):
        exc = stale_version_error(exc, context)
    response = drf_exception_handler(exc, context)
    if response is not None:
        if isinstance(exc, PreconditionFailed) and exc.etag is not None:
            response.data["etag"] = exc.etag
            response["ETag"] = exc.etag
        return response
    response = django_error_response(exc)
    if response is not None:
        set_rollback()
    return response


def django_error_response(exc: Exception) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return Response(detail, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, ProtectedError | RestrictedError):
        blockers = sorted({str(obj._meta.verbose_name_plural) for obj in exc.args[1]})
        message = _("This record is still referred to by: %(blockers)s. Delete or change those first.")
        return Response(
            {"detail": message % {"blockers": ", ".join(blockers)}}, status=status.HTTP_409_CONFLICT
        )
    if isinstance(exc, IntegrityError):
        return Response(
            {"detail": _("The change conflicts with existing data (a duplicate or a broken rule).")},
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, DataError):
        return Response(
            {"detail": _("A value is out of the range the database can store.")},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, OperationalError | InterfaceError):
        logger.warning("Database unavailable: %s", exc)
        return database_unavailable_response(api=True)
    return None


def database_unavailable_response(*, api: bool) -> HttpResponse:
    """503 with Retry-After: JSON for API clients, text for people (the admin)."""
    message = _("The database is unavailable. Try again shortly.")
    if api:
        response = JsonResponse({"detail": message}, status=status.HTTP_503_SERVICE_UNAVAILABLE)
    else:
        response = HttpResponse(message, status=status.HTTP_503_SERVICE_UNAVAILABLE)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def stale_version_error(exc: StaleVersion, context) -> Exception:
    """A write that lost a race at the database: 412 if the client named a version, else 409."""
    etag = None if exc.current is None else version_etag(exc.current)
    request = context.get("request")
    if request is not None and IF_MATCH in request.headers:
        return PreconditionFailed(etag)
    return VersionConflict(etag)
