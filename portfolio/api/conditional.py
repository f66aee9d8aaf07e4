"""Conditional requests (RFC 9110 §13): a record's ETag is its version; If-Match guards writes.

Django's `condition` decorator answers a failed precondition with an empty 412 and decides
before the view has locked the row; here the check runs on the row as locked for the write
(`PortfolioViewSet.get_object`), and a 412 says, in JSON, which version is current.
"""

from __future__ import annotations

import re

from django.utils.http import parse_etags
from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError

from portfolio.values import is_record_id

IF_MATCH = "If-Match"
IF_NONE_MATCH = "If-None-Match"
# `*`, or entity tags (RFC 9110 §8.8.3: optionally weak, quoted, without spaces) separated by commas;
# a bare version number (3, as a list item's `version` shows it) is taken as its ETag ("3").
ETAG_LIST_PATTERN = (
    r'^(?:\*|[0-9]{1,18}|(?:W/)?"[\x21\x23-\x7e]*"(?:[ \t]*,[ \t]*(?:W/)?"[\x21\x23-\x7e]*")*)$'
)


def version_etag(version: int) -> str:
    """The strong ETag of a record at `version`: the version number in quotes, e.g. "3"."""
    return f'"{version}"'


def record_etag(instance) -> str:
    return version_etag(instance.version)


class PreconditionFailed(APIException):
    """The record is no longer at the version the request named; nothing was changed."""

    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = _(
        "The record has changed since the version named in If-Match; nothing was changed. "
        "Fetch it again (its current ETag is given) and repeat the change if it still applies."
    )
    default_code = "precondition_failed"

    def __init__(self, etag: str | None):
        super().__init__()
        self.etag = etag


class VersionConflict(PreconditionFailed):
    """Someone else wrote the record while this request ran (it named no version); nothing was changed."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = _(
        "The record was changed by someone else while this request ran; nothing was changed. "
        "Fetch it again and repeat the change if it still applies."
    )
    default_code = "version_conflict"


def requested_etags(request, header: str) -> list[str] | None:
    """The entity tags of a conditional header (["*"] for any), None when absent; 400 when malformed."""
    value = request.headers.get(header)
    if value is None:
        return None
    if is_record_id(value):  # a bare version number, as a list item shows it
        return [version_etag(int(value))]
    etags = parse_etags(value) if re.fullmatch(ETAG_LIST_PATTERN, value) else []
    if not etags:
        raise ValidationError(
            {header: [_('Give an ETag such as "3" (or the version, 3), several separated by commas, or *.')]}
        )
    return etags


def strong_match(etag: str, candidates: list[str]) -> bool:
    return "*" in candidates or any(c == etag and not c.startswith("W/") for c in candidates)


def weak_match(etag: str, candidates: list[str]) -> bool:
    return "*" in candidates or any(c.removeprefix("W/") == etag for c in candidates)


def check_if_match(request, instance) -> None:
    """A write naming a version other than the record's current one is refused with 412."""
    etags = requested_etags(request, IF_MATCH)
    if etags is not None and not strong_match(record_etag(instance), etags):
        raise PreconditionFailed(record_etag(instance))


def not_modified(request, version: int) -> bool:
    """Whether a GET's If-None-Match names the record's current version (answer 304)."""
    etags = requested_etags(request, IF_NONE_MATCH)
    return etags is not None and weak_match(version_etag(version), etags)
