"""Request and response rules every page and API answer shares.

- `ApiErrorsAsJsonMiddleware` (outermost): every error on an API path is JSON, in debug mode
  too, whatever produced it: a Host header the site does not serve, a body larger than the
  limit (413, refused before it is read), a path no route matches.
- `PrivateApiAnswersMiddleware`: `Cache-Control: private, no-cache` on API answers to an
  authenticated request.
- `RateLimitMiddleware`: the API's rate limits, shared by every server, with their headers.
- `UnusableInputMiddleware`: a NUL character in the URL or its query (which no database text
  column can hold) is a 400 before any view runs; a filter value the database refuses in an
  admin list (a number out of range) is a 400 rather than a server error.
- `DatabaseUnavailableMiddleware`: 503 with Retry-After while the database is unreachable,
  instead of a 500. The exception can come before any view code runs (opening the request's
  transaction), so it is caught here rather than in the API's exception handler. Broken
  connections are closed at the end of the request, so the service recovers by itself when the
  database is back.
"""

import json
import logging
from http import HTTPStatus

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import DataError, InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _

from portfolio.api.authentication import active_token, bearer_token
from portfolio.api.exceptions import database_unavailable_response
from portfolio.ratelimit import Rate, Verdict, hit

logger = logging.getLogger(__name__)

# Paths whose clients read JSON: the API and the health check.
API_PATHS = ("/api/", "/health/")
# Headers an error keeps when its body is replaced by JSON.
KEPT_HEADERS = ("Retry-After", "Allow", "Location", "WWW-Authenticate", "Vary")


def is_api(request) -> bool:
    return request.path_info.startswith(API_PATHS)


def json_error(status: int, detail: str, **extra) -> JsonResponse:
    return JsonResponse({"detail": detail, **extra}, status=status)


def body_too_large(limit: int) -> JsonResponse:
    return json_error(
        HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
        _("The request body is larger than %(limit)s bytes.") % {"limit": f"{limit:,}"},
    )


class ApiErrorsAsJsonMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if is_api(request):
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            length = request.META.get("CONTENT_LENGTH") or "0"
            if limit is not None and length.isdigit() and int(length) > limit:
                return body_too_large(limit)
        response = self.get_response(request)
        if not is_api(request) or response.status_code < 400 or is_json(response):
            return response
        # An error page made for people (Django's own 400, 403, 404 or debug pages): the same
        # status, said in JSON.
        replaced = json_error(response.status_code, HTTPStatus(response.status_code).phrase + ".")
        for header in KEPT_HEADERS:
            if header in response:
                replaced[header] = response[header]
        return replaced

    def process_exception(self, request, exception):
        if is_api(request) and isinstance(exception, RequestDataTooBig):
            return body_too_large(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        return None


def is_json(response) -> bool:
    return response.get("Content-Type", "").startswith("application/json")


def bad_request_text(detail: str) -> HttpResponse:
    return HttpResponse(detail, status=HTTPStatus.BAD_REQUEST, content_type="text/plain; charset=utf-8")


class PrivateApiAnswersMiddleware:
    """An API answer to an authenticated request holds confidential records: no shared cache (a proxy,
    a CDN) may keep it, and the client revalidates it (with its ETag) before reusing it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if is_api(request) and user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_cache=True)
            patch_vary_headers(response, ("Authorization", "Cookie"))
        return response


class RateLimitMiddleware:
    """Every API request is counted before its transaction begins, in the store every server shares
    (`portfolio.ratelimit`): per user (`API_THROTTLE_RATE`) for a valid token or session, per
    address for anonymous requests (`API_ANON_THROTTLE_RATE`) and for a token that is not valid
    (`API_BAD_TOKEN_THROTTLE_RATE`, which slows guessing). Every API answer says where the client
    stands (`RateLimit-Limit`, `-Remaining`, `-Reset`); over the limit it is a 429 with `Retry-After`."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.rates = {
            "user": Rate.parse(settings.API_THROTTLE_RATE),
            "anon": Rate.parse(settings.API_ANON_THROTTLE_RATE),
            "bad-token": Rate.parse(settings.API_BAD_TOKEN_THROTTLE_RATE),
        }

    def __call__(self, request):
        if not request.path_info.startswith("/api/"):
            return self.get_response(request)
        try:
            verdict = self.count(request)
        except (OperationalError, InterfaceError) as error:
            logger.warning("Database unavailable: %s", error)
            return database_unavailable_response(api=True)
        if verdict.allowed:
            response = self.get_response(request)
        else:
            detail = _("Too many requests. Try again in %(seconds)s seconds.") % {"seconds": verdict.reset}
            response = json_error(HTTPStatus.TOO_MANY_REQUESTS, detail)
            response["Retry-After"] = str(verdict.reset)
        for header, value in verdict.headers().items():
            response[header] = value
        return response

    def count(self, request) -> Verdict:
        plaintext = bearer_token(request)
        if plaintext is not None:
            token = active_token(request, plaintext)
            if token is None:
                return hit(f"bad-token:{get_client_ip_address(request)}", self.rates["bad-token"])
            return hit(f"user:{token.user_id}", self.rates["user"])
        if request.user.is_authenticated:
            return hit(f"user:{request.user.pk}", self.rates["user"])
        return hit(f"anon:{get_client_ip_address(request)}", self.rates["anon"])


class UnusableInputMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Every value of a repeated parameter is checked (`?q=a&q=%00`), not only the last one.
        values = (key + value for key, values in request.GET.lists() for value in values)
        if "\x00" in request.path or any("\x00" in text for text in values):
            detail = _("The address holds a NUL character (%00), which no value can contain.")
            if is_api(request):
                return json_error(HTTPStatus.BAD_REQUEST, detail)
            return HttpResponse(
                detail, status=HTTPStatus.BAD_REQUEST, content_type="text/plain; charset=utf-8"
            )
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DataError) and request.method in ("GET", "HEAD") and not is_api(request):
            logger.info("Refused a value the database cannot hold: %s", exception)
            detail = _("A value in the address is out of the range the database can hold: %(values)s")
            values = json.dumps(dict(request.GET.lists()), ensure_ascii=False)
            return HttpResponse(
                detail % {"values": values},
                status=HTTPStatus.BAD_REQUEST,
                content_type="text/plain; charset=utf-8",
            )
        return None


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.warning("Database unavailable: %s", exception)
        return database_unavailable_response(api=is_api(request))
