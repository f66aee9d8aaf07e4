"""The change log: every create, update and delete of a portfolio record, numbered in commit order.

Each history row that django-simple-history writes for a portfolio record gets a `Change`
entry pointing at it, in the same transaction. Writers are applied one transaction at a time
(`portfolio.versioning.serialize_writes`), so the entries' sequence numbers follow commit order
and a reader paging by sequence number never skips an entry that commits later.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable

from django.db import models
from simple_history.models import HistoricalRecords

from portfolio.models import ApiToken, Change, ChangeAction
from portfolio.values import MAX_ID, PORTFOLIO_APPS
from portfolio.versioning import serialize_writes

HISTORY_ACTIONS = {"+": ChangeAction.CREATED, "~": ChangeAction.UPDATED, "-": ChangeAction.DELETED}
TOKEN_NAME_LENGTH = 100


def is_logged(model: type[models.Model]) -> bool:
    return model._meta.app_label in PORTFOLIO_APPS


def current_token_name() -> str:
    """The name of the API token the current request was made with ("" in the admin or a command)."""
    request = getattr(HistoricalRecords.context, "request", None)
    token = getattr(request, "auth", None)
    if not isinstance(token, ApiToken):
        return ""
    return (token.name or f"{token.key_prefix}…")[:TOKEN_NAME_LENGTH]


def change_entry(history_row: models.Model, *, token_name: str = "") -> Change:
    """The log entry (not saved) of one history row."""
    return Change(
        model=history_row.instance_type._meta.label_lower,
        object_id=history_row.id,
        history_id=history_row.history_id,
        action=HISTORY_ACTIONS[history_row.history_type],
        version=history_row.version,
        occurred_at=history_row.history_date,
        user_id=history_row.history_user_id,
        token_name=token_name,
    )


def change_record(*, history_row: models.Model, using: str = "default") -> Change:
    """Log the change a new history row records; called in the transaction that wrote it."""
    serialize_writes(using)
    entry = change_entry(history_row, token_name=current_token_name())
    entry.save(using=using)
    return entry


def changes_record_many(history_rows: Iterable[models.Model], *, token_name: str = "") -> int:
    """Log history rows written in bulk (the first entries of records loaded from a fixture, or
    created together), in one statement."""
    serialize_writes()
    entries = [change_entry(row, token_name=token_name) for row in history_rows]
    Change.objects.bulk_create(entries)
    return len(entries)


def record_historical_change(sender, history_instance, using=None, **kwargs) -> None:
    """django-simple-history's hook after it writes a history row: portfolio records also go in the log."""
    if is_logged(history_instance.instance_type):
        change_record(history_row=history_instance, using=using or "default")


# A cursor is opaque to clients: a position in the log, as eight bytes in URL-safe base64.
CURSOR_PATTERN = r"^[A-Za-z0-9_-]{11}$"
MAX_SEQ = MAX_ID


def cursor_encode(seq: int) -> str:
    return base64.urlsafe_b64encode(seq.to_bytes(8, "big")).decode().rstrip("=")


def cursor_decode(cursor: str) -> int:
    """The position a cursor stands for; ValueError when it is not shaped like one."""
    if not re.fullmatch(CURSOR_PATTERN, cursor):
        raise ValueError(cursor)
    try:
        seq = int.from_bytes(base64.urlsafe_b64decode(cursor + "="), "big")
    except (binascii.Error, ValueError):
        raise ValueError(cursor) from None
    return min(seq, MAX_SEQ)


def changes_after(*, seq: int, models: Iterable[str], limit: int) -> list[Change]:
    """Up to `limit` entries after `seq`, of the given models (app_label.model_name), oldest first."""
    return list(
        Change.objects.filter(seq__gt=seq, model__in=list(models))
        .select_related("user")
        .order_by("seq")[:limit]
    )


def change_log_position() -> int:
    """The sequence number of the latest entry (0 for an empty log): a point to ask "changed since?"."""
    return Change.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def changes_since(model: type[models.Model], position: int) -> dict[int, Change]:
    """The latest change logged after `position` of each record of `model` changed since, by record id."""
    entries = Change.objects.filter(model=model._meta.label_lower, seq__gt=position).select_related("user")
    return {entry.object_id: entry for entry in entries.order_by("seq")}


def history_token_names(model: type[models.Model], history_ids: list[int]) -> dict[int, str]:
    """The API token names of the changes these history rows record (those made through the API)."""
    entries = Change.objects.filter(model=model._meta.label_lower, history_id__in=history_ids).exclude(
        token_name=""
    )
    return dict(entries.values_list("history_id", "token_name"))
