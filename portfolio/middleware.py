"""Answers 503 with Retry-After while the database is unreachable, instead of a 500.

The exception can come before any view code runs (opening the request's transaction), so
it is caught here rather than in the API's exception handler. Broken connections are
closed at the end of the request, so the service recovers by itself when the database is back.
"""

import logging

from django.db import InterfaceError, OperationalError

from portfolio.api.exceptions import database_unavailable_response

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
        return database_unavailable_response(api=request.path.startswith(("/api/", "/health/")))
