"""What every model admin of the project shares: change history and partial-date columns."""

from collections.abc import Callable

from django.contrib import admin, messages
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from portfolio.dates import format_partial_date
from portfolio.models import ApiToken


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


@admin.register(ApiToken)
class ApiTokenAdmin(SimpleHistoryAdmin):
    """Tokens are listed and revoked here; a new one's plaintext is shown once, after saving."""

    list_display = ("key_prefix", "user", "name", "read_only", "created_at", "last_used_at", "revoked_at")
    list_filter = ("read_only", ("revoked_at", admin.EmptyFieldListFilter))
    list_select_related = ("user",)
    search_fields = ("key_prefix", "name", "user__username")
    autocomplete_fields = ("user",)
    readonly_fields = ("key_prefix", "created_at", "last_used_at", "revoked_at")
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("user", "name", "read_only")
        return ("user", "name", "read_only", "key_prefix", "created_at", "last_used_at", "revoked_at")

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("user", "read_only", *self.readonly_fields)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        token, plaintext = ApiToken.issue(user=obj.user, read_only=obj.read_only, name=obj.name)
        obj.pk = token.pk
        obj.refresh_from_db()
        messages.warning(
            request,
            _("The new token is %(token)s — copy it now: it is shown only this once.") % {"token": plaintext},
        )

    @admin.action(description=_("Revoke selected tokens"), permissions=["change"])
    def revoke(self, request, queryset):
        count = 0
        for token in queryset.filter(revoked_at__isnull=True):
            token.revoke()
            count += 1
        self.message_user(request, _("%(count)d token(s) revoked.") % {"count": count})
