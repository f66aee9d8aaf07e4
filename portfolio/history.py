"""Change history helpers: records loaded without a history (fixtures, raw loads) get a first entry."""

from django.apps import apps
from django.db import transaction
from simple_history.manager import HistoryManager

from portfolio.changes import changes_record_many
from portfolio.values import PORTFOLIO_APPS


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
