"""Change history helpers: records loaded without a history (fixtures, raw loads) get a first entry, and
records created together are written in bulk with theirs."""

from collections.abc import Sequence

from django.apps import apps
from django.db import models, transaction
from simple_history.manager import HistoryManager
from simple_history.models import HistoricalRecords

from portfolio.changes import changes_record_many, current_token_name
from portfolio.values import PORTFOLIO_APPS
from portfolio.versioning import serialize_writes


def history_user(instance: models.Model):
    """Who a history entry of `instance` names, as django-simple-history decides it when saving one
    record: the author an import or a command set on it, else the logged-in user of the request."""
    if hasattr(instance, "_history_user"):
        return instance._history_user
    request = getattr(HistoricalRecords.context, "request", None)
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def create_with_history(
    model: type[models.Model], records: Sequence[models.Model], *, author_of: models.Model
):
    """Insert new records in one statement, with their first history entries and change-log entries
    in one statement each, as saving them one by one would have written (three statements instead of
    six a record); the entries name the author of `author_of`, the record they belong to."""
    if not records:
        return []
    with transaction.atomic():
        serialize_writes()
        created = model.objects.bulk_create(records)
        rows = model.history.bulk_history_create(
            created, default_user=history_user(author_of), default_change_reason=None
        )
        changes_record_many(rows, token_name=current_token_name())
    return created


def history_baseline_create(*, reason: str) -> int:
    """Give every portfolio record without any history entry a first one, so later changes show a diff.

    `loaddata` saves rows raw, which writes no history; without this first entry the
    history page could not say what a field was before its first change, and the change
    log would not list the record. Returns the number of entries written.
    """
    written = 0
    with transaction.atomic():
        for model in apps.get_models():
            manager = getattr(model, "history", None)
            if model._meta.app_label not in PORTFOLIO_APPS or not isinstance(manager, HistoryManager):
                continue
            recorded = set(manager.values_list("id", flat=True))
            missing = [obj for obj in model.objects.order_by("pk") if obj.pk not in recorded]
            if missing:
                rows = manager.bulk_history_create(missing, default_change_reason=reason)
                changes_record_many(rows)
                written += len(missing)
    return written
