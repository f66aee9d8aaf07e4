"""Idempotent creates (Stripe's semantics): a POST retried with its `Idempotency-Key` gets the first answer.

The first request with a key claims it (a row, unique per user and key, in the request's
transaction) and stores its answer before committing. A retry finds the row and gets the same
status and body, byte for byte, with `Idempotent-Replayed: true`; the same key with a different request is a
422. Concurrent requests with one key wait on the row's unique index for the first to commit,
then replay it, so they create one record. A request that fails leaves no row (its transaction
is rolled back), so it can be retried. Keys are kept for 24 hours.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from portfolio.models import IdempotencyKey

IDEMPOTENCY_KEY = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
# Printable ASCII without spaces, as Stripe's keys and UUIDs are.
KEY_PATTERN = r"^[\x21-\x7e]{1,255}$"
KEY_LIFETIME = timedelta(hours=24)
# The headers of the first answer that a replay repeats.
REPLAYED_HEADERS = ("Location", "ETag")


class KeyReused(APIException):
    """The key was first used with another request; nothing was done."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = _(
        "This Idempotency-Key was used with a different request (method, path or body). "
        "Use a new key for a new request."
    )
    default_code = "idempotency_key_reused"


class KeyInProgress(APIException):
    """Another request with the key has not finished; the client may retry shortly."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = _("A request with this Idempotency-Key is still being processed. Retry shortly.")
    default_code = "idempotency_key_in_progress"


def requested_key(request) -> str | None:
    """The request's Idempotency-Key, None when absent; 400 when it is not a usable key."""
    key = request.headers.get(IDEMPOTENCY_KEY)
    if key is None:
        return None
    if not re.fullmatch(KEY_PATTERN, key):
        raise ValidationError(
            {IDEMPOTENCY_KEY: [_("Give 1 to 255 printable ASCII characters without spaces, e.g. a UUID.")]}
        )
    return key


def request_fingerprint(request) -> str:
    """What makes a request the same request: its method, path and body (key order aside)."""
    body = json.dumps(request.data, sort_keys=True, separators=(",", ":"), cls=JSONEncoder)
    return hashlib.sha256(f"{request.method} {request.get_full_path()}\n{body}".encode()).hexdigest()


def idempotency_claim(request, key: str) -> IdempotencyKey | HttpResponse:
    """The claimed key for a first request, or the first answer to replay for a retry."""
    user, fingerprint = request.user, request_fingerprint(request)
    # Expired keys go (one indexed statement, usually deleting nothing), so a key can be used again.
    IdempotencyKey.objects.filter(created_at__lt=timezone.now() - KEY_LIFETIME).delete()
    try:
        with transaction.atomic():
            return IdempotencyKey.objects.create(user=user, key=key, fingerprint=fingerprint)
    except IntegrityError:
        first = IdempotencyKey.objects.get(user=user, key=key)
    if first.fingerprint != fingerprint:
        raise KeyReused()
    if first.status_code is None:
        raise KeyInProgress()
    replay = HttpResponse(first.response_body, status=first.status_code, content_type="application/json")
    for name, value in {**first.response_headers, REPLAYED: "true"}.items():
        replay[name] = value
    return replay


def idempotency_store(claim: IdempotencyKey, response: Response) -> None:
    """Keep the answer to the claimed request, in its transaction, for retries to replay."""
    claim.status_code = response.status_code
    claim.response_body = JSONRenderer().render(response.data).decode()
    claim.response_headers = {name: response[name] for name in REPLAYED_HEADERS if response.has_header(name)}
    claim.save(update_fields=["status_code", "response_body", "response_headers"])
