"""Answers 503 with Retry-After while the database is unreachable, instead of a 500.

The exception can come before any view code runs (opening the request's transaction), so
it is caught here rather than in the API's exception handler. Broken connections are
closed at the end of the request, so the service recovers by itself when the database is back.
"""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse

from portfolio.api.exceptions import RETRY_AFTER_SECONDS

logger = logging.getLogger(__name__)


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.warning("Database unavailable: %s", exception)
        if request.path.startswith(("/api/", "/health/")):
            response = JsonResponse({"detail": "The database is unavailable. Try again shortly."}, status=503)
        else:
            response = HttpResponse("The database is unavailable. Try again shortly.", status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
