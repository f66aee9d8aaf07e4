"""What every model admin of the project shares: change history and partial-date columns."""

from collections.abc import Callable

from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from portfolio.dates import format_partial_date


def partial_date_column(field: str, description: str) -> Callable[[object, models.Model], str]:
    """A changelist column showing a partial date as "2021", "2021-07" or "2021-07-28", sortable by date."""

    @admin.display(description=description, ordering=field)
    def column(self, obj: models.Model) -> str:
        return format_partial_date(getattr(obj, field), getattr(obj, f"{field}_precision")) or "—"

    column.__name__ = f"{field}_display"
    return column


def money_column(amount: str, currency: str, description: str) -> Callable[[object, models.Model], str]:
    """A changelist column showing an amount with its currency, "—" while unknown."""

    @admin.display(description=description, ordering=amount)
    def column(self, obj: models.Model) -> str:
        value = getattr(obj, amount)
        return "—" if value is None else f"{getattr(obj, currency)} {value:,}"

    column.__name__ = f"{amount}_display"
    return column


class PortfolioAdmin(SimpleHistoryAdmin):
    """Base admin: keeps the change history (who changed which field, when) and shows timestamps."""

    readonly_fields = ("created_at", "updated_at")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_per_page = 100
    show_full_result_count = False


TIMESTAMPS_FIELDSET = (_("Record"), {"fields": ("created_at", "updated_at"), "classes": ("collapse",)})
SOURCE_FIELDSET = (_("Source"), {"fields": ("source", "source_quote")})
