"""What every model admin of the project shares: change history, spreadsheet export and import, columns."""

import dataclasses
import re
from collections.abc import Callable
from decimal import Decimal
from functools import cached_property

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db import models, router, transaction
from django.forms.models import BaseInlineFormSet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.text import capfirst, slugify
from django.utils.translation import gettext, override
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportActionMixin, ImportExportMixin
from import_export.forms import ConfirmImportForm, SelectableFieldsExportForm
from import_export.tmp_storages import TempFolderStorage
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from portfolio.api.exports import JSON, XLSX, csv_lines, json_chunks, xlsx_file
from portfolio.changes import change_log_position, history_token_names
from portfolio.database import read_in_long_work
from portfolio.date_hierarchy import PartialDateChangeList
from portfolio.dates import format_partial_date
from portfolio.forms import AmountFormField, PartialDateFormField
from portfolio.models import ApiToken
from portfolio.money import currency_label
from portfolio.resources import PortfolioResource
from portfolio.values import ID_PATTERN
from portfolio.versioning import StaleVersion

ListColumn = Callable[[object, models.Model], str]


def list_column(field: str, description: str, show: Callable[[models.Model], str]) -> ListColumn:
    """A changelist column named `<field>_display`, sortable by `field`, showing `show(record)`."""

    @admin.display(description=description, ordering=field)
    def column(self, obj: models.Model) -> str:
        return show(obj)

    column.__name__ = f"{field}_display"
    return column


def partial_date_column(field: str, description: str) -> ListColumn:
    """A partial date as "2021", "2021-07" or "2021-07-28", sorted by date."""
    return list_column(
        field,
        description,
        lambda obj: format_partial_date(getattr(obj, field), getattr(obj, f"{field}_precision")) or "—",
    )


def money_column(amount: str, currency: str, description: str) -> ListColumn:
    """An amount with its currency, "—" while unknown."""

    def show(obj: models.Model) -> str:
        value = getattr(obj, amount)
        return "—" if value is None else f"{getattr(obj, currency)} {value:,}"

    return list_column(amount, description, show)


def text_column(field: str, description: str) -> ListColumn:
    """A long text cut after three lines; the whole text is its tooltip."""

    def show(obj: models.Model) -> str:
        value = getattr(obj, field)
        return format_html('<span class="clamp" title="{}">{}</span>', value, value) if value else "—"

    return list_column(field, description, show)


def url_column(field: str, description: str) -> ListColumn:
    """A link to the address, on one line cut with "…" however long it is."""

    def show(obj: models.Model) -> str:
        value = getattr(obj, field)
        if not value:
            return "—"
        return format_html(
            '<a class="url" href="{}" title="{}" target="_blank" rel="noopener noreferrer">{}</a>',
            value,
            value,
            value.removeprefix("https://").removeprefix("http://"),
        )

    return list_column(field, description, show)


class CurrencyFilter(admin.ChoicesFieldListFilter):
    """The currencies some record uses, named in the reader's language, not all 180 of ISO 4217."""

    def choices(self, changelist):
        yield {
            "selected": self.lookup_val is None,
            "query_string": changelist.get_query_string(remove=[self.lookup_kwarg, self.lookup_kwarg_isnull]),
            "display": gettext("All"),
        }
        used = self.field.model._default_manager.exclude(**{self.field.name: ""})
        for code in sorted(used.order_by().values_list(self.field.name, flat=True).distinct()):
            yield {
                "selected": self.lookup_val is not None and code in self.lookup_val,
                "query_string": changelist.get_query_string(
                    {self.lookup_kwarg: code}, [self.lookup_kwarg_isnull]
                ),
                "display": currency_label(code),
            }


# Record ids are 64-bit integers; anything else in an admin URL names no record.
RECORD_ID = re.compile(ID_PATTERN)


class ChangesWithoutTimestamps(HistoricalRecordContextHelper):
    """A history entry lists the fields a person changed; timestamps change with every save and are noise."""

    hidden_fields = ("created_at", "updated_at")

    def context_for_delta_changes(self, delta):
        """Each partial date shows at its precision ("2021 → 2021-09"), one entry for the date and its
        precision together, also when only the precision changed."""
        partial_dates = getattr(self.model, "partial_date_fields", ())
        precisions = {f"{name}_precision" for name in partial_dates}
        changed = {change.field for change in delta.changes}
        dates = [name for name in partial_dates if {name, f"{name}_precision"} & changed]
        skipped = {*self.hidden_fields, *partial_dates, *precisions}
        kept = [change for change in delta.changes if change.field not in skipped]
        others = super().context_for_delta_changes(
            dataclasses.replace(delta, changes=kept, changed_fields=[change.field for change in kept])
        )
        return [self.partial_date_change(name, delta) for name in dates] + others

    def partial_date_change(self, name: str, delta) -> dict:
        old, new = (
            format_partial_date(getattr(record, name), getattr(record, f"{name}_precision"))
            for record in (delta.old_record, delta.new_record)
        )
        field = self.model._meta.get_field(name)
        return {"field": capfirst(field.verbose_name), "old": old, "new": new}

    def prepare_delta_change_value(self, change, value):
        """Choices by their label, yes/no in words (in the reader's language, as the forms show them)
        and amounts with their digits grouped."""
        field = self.model._meta.get_field(change.field)
        if value is None:
            return ""  # shown as "—"
        if isinstance(value, bool):
            return gettext("Yes") if value else gettext("No")
        if isinstance(value, Decimal):
            return f"{value:,}"
        if field.choices and value not in (None, ""):
            return dict(field.flatchoices).get(value, value)
        return super().prepare_delta_change_value(change, value)


class ExportColumnsForm(SelectableFieldsExportForm):
    """The export form's column choices named in the reader's language, with the column's own name."""

    def _get_field_label(self, resource, field_name: str) -> str:
        field = resource.fields.get(field_name)
        column = field.column_name if field else field_name
        return f"{capfirst(column_label(resource, field_name))} ({column})"


def column_label(resource, field_name: str) -> str:
    """A column's name for people: the model field's verbose name, or the resource's own label for it."""
    labels = getattr(resource, "column_labels", {})
    if field_name in labels:
        return labels[field_name]
    field = resource.fields.get(field_name)
    attribute = (field.attribute if field else None) or field_name
    try:
        return resource._meta.model._meta.get_field(attribute.split("__")[0]).verbose_name
    except FieldDoesNotExist:
        return field_name.replace("_", " ")


# Web addresses default to https; amounts are typed as staff write them (1,500,000 or 1.5亿).
FORMFIELD_OVERRIDES = {
    models.URLField: {"assume_scheme": "https"},
    models.DecimalField: {"form_class": AmountFormField},
}

# The hidden field of a change form, and of each inline row, holding the version it was opened on.
OPENED_VERSION = "opened_version"
# Fields every save changes; a refusal names the fields a person changed.
BOOKKEEPING_FIELDS = {"created_at", "updated_at", "version"}


def changes_since(instance: models.Model, version: int) -> str:
    """Who changed a record after `version`, when, and which fields: the reason a stale save is refused."""
    record = str(instance)
    model = type(instance)
    current = model._base_manager.filter(pk=instance.pk).values_list("version", flat=True).first()
    if current is None:
        return gettext("%(record)s was deleted after you opened it.") % {"record": record}
    history = getattr(model, "history", None)
    rows = []
    if history is not None:
        rows = list(
            history.filter(id=instance.pk, version__gt=version)
            .select_related("history_user")
            .order_by("history_date", "history_id")
        )
    if not rows:
        return gettext("%(record)s was changed after you opened it.") % {"record": record}
    users = dict.fromkeys(str(row.history_user) if row.history_user else gettext("someone") for row in rows)
    opened = history.filter(id=instance.pk, version=version).first()
    fields = []
    if opened is not None:
        changed = rows[-1].diff_against(opened).changed_fields
        fields = [
            str(model._meta.get_field(name).verbose_name)
            for name in changed
            if name not in BOOKKEEPING_FIELDS
        ]
    when = date_format(timezone.localtime(rows[-1].history_date), "DATETIME_FORMAT")
    message = gettext("%(record)s was changed by %(users)s (last at %(when)s) after you opened it") % {
        "record": record,
        "users": ", ".join(users),
        "when": when,
    }
    if fields:
        message += gettext(": %(fields)s changed") % {"fields": ", ".join(fields)}
    else:
        reasons = dict.fromkeys(row.history_change_reason for row in rows if row.history_change_reason)
        message += "".join(f" ({reason})" for reason in reasons)
    return message + "."


class VersionedForm(forms.ModelForm):
    """A change form that carries the version it was opened on and refuses to save over a later save.

    The version is checked here, to tell the editor who changed what, and again by the save
    itself (`portfolio.versioning`), which writes only if the record is still at that version,
    so of several forms opened on one version exactly one can be saved. A change form posted
    without its version is refused too.
    """

    opened_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_change():
            self.fields[OPENED_VERSION].initial = self.current_version
        for name in self.partial_dates():
            # One input per partial date; what is written sets the precision.
            model_field = self.instance._meta.get_field(name)
            self.fields[name] = PartialDateFormField(
                required=not model_field.blank, label=capfirst(model_field.verbose_name)
            )
            date, precision = getattr(self.instance, name), getattr(self.instance, f"{name}_precision")
            self.initial[name] = PartialDateFormField.display(date, precision)

    def partial_dates(self) -> list[str]:
        return [name for name in getattr(self._meta.model, "partial_date_fields", ()) if name in self.fields]

    def is_change(self) -> bool:
        return self.instance.pk is not None and not self.instance._state.adding

    @cached_property
    def current_version(self) -> int | None:
        """The record's version now, read from the database: the form may restore a past version."""
        model = type(self.instance)
        return model._base_manager.filter(pk=self.instance.pk).values_list("version", flat=True).first()

    def clean(self):
        cleaned_data = super().clean()
        for name in self.partial_dates():
            if name in cleaned_data:
                date, precision = cleaned_data[name]
                cleaned_data[name] = date
                if precision:
                    setattr(self.instance, f"{name}_precision", precision)
        if not self.is_change():
            return cleaned_data
        opened = cleaned_data.get(OPENED_VERSION)
        if opened is None:
            raise forms.ValidationError(
                _(
                    "Nothing was saved: this form does not say which version of %(record)s it was opened "
                    "on, so saving it could overwrite someone else's change. Open it again, then make "
                    "your change."
                ),
                code="no_version",
                params={"record": str(self.instance)},
            )
        if self.current_version != opened:
            raise forms.ValidationError(
                _("Nothing was saved: %(changes)s Open it again to see those changes, then make yours."),
                code="stale",
                params={"changes": changes_since(self.instance, opened)},
            )
        self.instance.version = opened
        return cleaned_data


class VersionedInlineForm(VersionedForm):
    """An inline row: its record was read with the rest of the page, so its version is already known."""

    @cached_property
    def current_version(self) -> int | None:
        return self.instance.version


class VersionedInlineFormSet(BaseInlineFormSet):
    """Inline rows marked for deletion are checked against their versions too (Django skips their errors)."""

    def clean(self):
        super().clean()
        for form in self.initial_forms:
            if not (self.can_delete and self._should_delete_form(form)):
                continue
            for error in form.non_field_errors().as_data():
                if error.code in ("stale", "no_version"):
                    raise error


class RelatedLinksMixin:
    """A related record's box offers to add one, and to change it (or only to view it, for who may not
    change it); it never offers to delete the company or investor a form points at."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        widget = getattr(formfield, "widget", None)
        if isinstance(widget, RelatedFieldWidgetWrapper):
            widget.can_delete_related = False
            widget.can_view_related = widget.can_view_related and not widget.can_change_related
        return formfield


class PortfolioInline(RelatedLinksMixin, admin.TabularInline):
    """An inline of related records, each row checked against the version it was opened on."""

    form = VersionedInlineForm
    formset = VersionedInlineFormSet
    formfield_overrides = FORMFIELD_OVERRIDES

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        if self.has_change_permission(request, obj) and OPENED_VERSION not in fields:
            fields.append(OPENED_VERSION)
        return fields


# How often a save that lost a race at the database is checked again before giving up.
SAVE_ATTEMPTS = 3


class PortfolioAdmin(RelatedLinksMixin, ExportActionMixin, SimpleHistoryAdmin):
    """Base admin: the change history (who changed which field from what to what, when, with restore)
    and export of the selected or filtered rows as CSV or Excel."""

    form = VersionedForm
    readonly_fields = ("created_at", "updated_at", "version")
    formfield_overrides = FORMFIELD_OVERRIDES
    list_per_page = 100
    show_full_result_count = False
    # A byte-order mark lets spreadsheet programs read exported CSV as UTF-8 (Chinese names intact).
    to_encoding = "utf-8-sig"
    export_form_class = ExportColumnsForm

    def get_changelist(self, request, **kwargs):
        """Drilled down to a month or a day, a list shows the records known to it."""
        return PartialDateChangeList

    def get_export_data(self, file_format, request, queryset, **kwargs):
        """The admin's Export writes the list as the API's exports and the downloads do: the columns
        of the list's resource, typed in XLSX, marked in CSV (`portfolio.spreadsheets`)."""
        if not self.has_export_permission(request):
            raise PermissionDenied
        export_form = kwargs.get("export_form")
        resource_class = self.choose_export_resource_class(export_form, request)
        resource = resource_class(**self.get_export_resource_kwargs(request, **kwargs))
        if not isinstance(resource, PortfolioResource):
            return super().get_export_data(file_format, request, queryset, **kwargs)
        selected = self.get_export_resource_fields_from_form(export_form)
        header = resource.export_header(selected)
        rows = resource.export_rows(resource.filter_export(queryset).iterator(chunk_size=500), selected)
        rows = read_in_long_work(rows)
        if file_format.get_extension() == XLSX:
            with xlsx_file(header, rows, title=self.export_basename()) as workbook:
                return workbook.read()
        if file_format.get_extension() == JSON:
            return "".join(json_chunks(header, rows)).encode("utf-8")
        return "".join(csv_lines(header, rows)).encode("utf-8")

    def export_basename(self) -> str:
        """Exported files and sheets are named after the list, in English: `funding-rounds-2026-11-30.csv`."""
        with override("en"):
            return slugify(str(self.model._meta.verbose_name_plural))

    def get_export_filename(self, request, queryset, file_format):
        return f"{self.export_basename()}-{timezone.localdate().isoformat()}.{file_format.get_extension()}"

    def get_historical_record_context_helper(self, request, historical_record):
        return ChangesWithoutTimestamps(self.model, historical_record)

    def set_history_delta_changes(self, request, historical_records, **kwargs):
        """Each entry also names the API token its change was made with, from the change log."""
        super().set_history_delta_changes(request, historical_records, **kwargs)
        records = list(historical_records)
        tokens = history_token_names(self.model, [record.history_id for record in records])
        for record in records:
            record.token_name = tokens.get(record.history_id, "")

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """A save refused by the database (someone saved between this form's checks and its own save)
        is undone whole, parent and inline rows; the form is then checked again and says what changed."""
        for _attempt in range(SAVE_ATTEMPTS):
            try:
                return super().changeform_view(request, object_id, form_url, extra_context)
            except StaleVersion:
                continue
        return self.refuse_stale_save(request, object_id)

    def refuse_stale_save(self, request, object_id) -> HttpResponse:
        messages.error(
            request, _("Nothing was saved: the record kept changing while you saved. Open it again.")
        )
        opts = self.opts
        if object_id is None:
            return redirect(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        return redirect(f"admin:{opts.app_label}_{opts.model_name}_change", object_id)

    def delete_view(self, request, object_id, extra_context=None):
        """A record changed while its deletion was being confirmed is not deleted."""
        try:
            with transaction.atomic(using=router.db_for_write(self.model)):
                return super().delete_view(request, object_id, extra_context)
        except StaleVersion:
            return self.refuse_stale_save(request, object_id)

    def history_view(self, request, object_id, extra_context=None):
        """A malformed id in the URL is a missing record (404), not a server error."""
        if not RECORD_ID.fullmatch(unquote(object_id)):
            raise Http404
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """A past version is shown to anyone who may view the record, but restored only by who may change it.

        The library saves the version on any POST, and for a user without the change
        permission its form has no fields, so the save would restore the whole version.
        """
        if not (RECORD_ID.fullmatch(unquote(object_id)) and RECORD_ID.fullmatch(str(version_id))):
            raise Http404
        if request.method != "POST":
            return super().history_form_view(request, object_id, version_id, extra_context)
        obj = self.get_object(request, unquote(object_id))
        if obj is None or not self.has_change_permission(request, obj) or self.revert_disabled(request, obj):
            raise PermissionDenied
        for _attempt in range(SAVE_ATTEMPTS):
            try:
                with transaction.atomic(using=router.db_for_write(self.model)):
                    return super().history_form_view(request, object_id, version_id, extra_context)
            except StaleVersion:
                continue
        return self.refuse_stale_save(request, object_id)


class SpreadsheetTempStorage(TempFolderStorage):
    """The uploaded file between preview and confirmation; CSV is read as UTF-8, else as GB18030.

    Excel on a Chinese Windows saves "CSV" in the system's GBK code page, not UTF-8;
    GB18030 reads it (and every other GBK file) with its Chinese intact.
    """

    TEXT_ENCODINGS = ("utf-8-sig", "gb18030")

    def read(self):
        if "b" in self.read_mode:
            return super().read()
        with open(self.get_full_path(), "rb") as file:
            raw = file.read()
        for encoding in self.TEXT_ENCODINGS:
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError:
                continue
        raise ValueError(_("The file is neither UTF-8 nor GB18030 text."))


class PreviewedImportForm(ConfirmImportForm):
    """The confirmation of an import remembers how far the change log went when the preview was made."""

    previewed_at = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class PortfolioImportAdmin(ImportExportMixin, PortfolioAdmin):
    """An admin that also imports CSV or Excel files: a preview first, then all rows or none.

    The preview lists each row as new, changed, unchanged or invalid (with the wrong
    fields) and offers to confirm only when every row is valid. The confirmed import runs
    in one transaction that any invalid row rolls back, in case the data changed since
    the preview; a record someone changed after the preview is not overwritten either.
    """

    tmp_storage_class = SpreadsheetTempStorage
    confirm_form_class = PreviewedImportForm

    def get_confirm_form_initial(self, request, import_form):
        return {
            **super().get_confirm_form_initial(request, import_form),
            "previewed_at": change_log_position(),
        }

    def get_import_data_kwargs(self, **kwargs):
        form = kwargs.get("form")
        kwargs = {**super().get_import_data_kwargs(**kwargs), "rollback_on_validation_errors": True}
        if isinstance(form, PreviewedImportForm):
            kwargs["previewed_at"] = form.cleaned_data["previewed_at"]
        if form is not None and form.is_valid() and form.cleaned_data.get("format") not in (None, ""):
            file_format = self.get_import_formats()[int(form.cleaned_data["format"])]()
            kwargs["file_format"] = file_format.get_extension()
        return kwargs

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            messages.error(
                request,
                _("Nothing was imported: the file no longer passes the checks. Import it again to see why."),
            )
            return redirect(f"admin:{self.model._meta.app_label}_{self.model._meta.model_name}_import")
        return super().process_result(result, request)


TIMESTAMPS_FIELDSET = (
    _("Record"),
    {"fields": ("created_at", "updated_at", "version"), "classes": ("collapse",)},
)
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
