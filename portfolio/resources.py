"""Spreadsheet import and export (django-import-export): what every resource of the project shares.

Rows are matched to records by natural key (a slug, or a company plus a release name), so
importing the same file twice changes nothing the second time: an unchanged row is
skipped and writes no history. Each row is validated like a form (`full_clean`), and a
bad cell becomes an error on its column, never an exception, so the preview can say
which rows and fields are wrong while nothing is written.
"""

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import override
from import_export import fields, resources, widgets

from portfolio.dates import format_partial_date, parse_partial_date

# History rows keep the reason in a 100-character column.
CHANGE_REASON_LENGTH = 100
# Ids are 64-bit; a longer number cannot name a record (and would overflow the query).
MAX_ID_DIGITS = 18


class NaturalKeyWidget(widgets.ForeignKeyWidget):
    """A related record named by its natural key (a slug or a code); an unknown one is a cell error."""

    def key_name(self) -> str:
        opts = self.model._meta
        return opts.pk.verbose_name if self.field == "pk" else opts.get_field(self.field).verbose_name

    def clean(self, value, row=None, **kwargs):
        if value is None or str(value).strip() == "":
            return None
        key = str(value).strip()
        try:
            return self.get_queryset(key, row, **kwargs).get(**{self.field: key})
        except self.model.DoesNotExist:
            raise ValueError(
                _("No %(model)s has the %(field)s “%(value)s”.")
                % {
                    "model": self.model._meta.verbose_name,
                    "field": self.key_name(),
                    "value": key,
                }
            ) from None


class RecordIdWidget(NaturalKeyWidget):
    """A related record that has no natural key (a source), named by its id."""

    def __init__(self, model: type[models.Model]):
        super().__init__(model, field="pk")

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = "" if value is None else str(value).strip()
        if text and not (text.isdigit() and len(text) <= MAX_ID_DIGITS):
            raise ValueError(_("Enter the id of a %(model)s.") % {"model": self.model._meta.verbose_name})
        return super().clean(value, row, **kwargs)


class NaturalKeyListWidget(widgets.Widget):
    """Several related records named by natural key, separated by semicolons ("a; b")."""

    separator = ";"

    def __init__(self, model: type[models.Model], field: str):
        self.model = model
        self.field = field
        super().__init__()

    def clean(self, value, row=None, **kwargs) -> list[models.Model]:
        if value is None:
            return []
        keys = list(dict.fromkeys(key.strip() for key in str(value).split(self.separator) if key.strip()))
        found = {
            getattr(record, self.field): record
            for record in self.model.objects.filter(**{f"{self.field}__in": keys})
        }
        unknown = [key for key in keys if key not in found]
        if unknown:
            raise ValueError(
                _("Unknown %(model)s: %(keys)s.")
                % {"model": self.model._meta.verbose_name_plural, "keys": ", ".join(unknown)}
            )
        return [found[key] for key in keys]

    def render(self, value: Iterable[models.Model] | None, obj=None, **kwargs) -> str:
        return f"{self.separator} ".join(getattr(record, self.field) for record in value or ())


class ChoiceWidget(widgets.Widget):
    """A choice given by its code or by its English or Chinese label, case aside; exported as the code."""

    def __init__(self, choices: type[models.TextChoices]):
        self.choices = choices
        super().__init__()

    def accepted(self) -> dict[str, str]:
        names = {}
        for language in ("en", "zh-hans"):
            with override(language):
                names.update({str(label).casefold(): value for value, label in self.choices.choices})
        names.update({value.casefold(): value for value in self.choices.values})
        return names

    def clean(self, value, row=None, **kwargs) -> str:
        if value is None or str(value).strip() == "":
            return ""
        try:
            return self.accepted()[str(value).strip().casefold()]
        except KeyError:
            raise ValueError(
                _("“%(value)s” is not one of: %(choices)s.")
                % {"value": value, "choices": ", ".join(self.choices.values)}
            ) from None

    def render(self, value, obj=None, **kwargs) -> str:
        return value or ""


class StrictBooleanWidget(widgets.Widget):
    """Yes or no, spelled as a spreadsheet or a person would; anything else is an error, not False."""

    TRUE = {"1", "true", "yes", "y", "是", "x"}
    FALSE = {"0", "false", "no", "n", "否"}

    def clean(self, value, row=None, **kwargs) -> bool | None:
        if value is None or str(value).strip() == "":
            return None
        if isinstance(value, bool):
            return value
        text = str(value).strip().casefold()
        if isinstance(value, float) and value.is_integer():
            text = str(int(value))
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise ValueError(_("Enter yes or no (true/false, 1/0), not “%(value)s”.") % {"value": value})

    def render(self, value, obj=None, **kwargs) -> str:
        return "" if value is None else ("true" if value else "false")


class StrictDecimalWidget(widgets.Widget):
    """A number; text that is not one is a cell error. Amounts keep their exact decimal digits."""

    def clean(self, value, row=None, **kwargs) -> Decimal | None:
        if value is None or str(value).strip() == "":
            return None
        if isinstance(value, bool):
            raise ValueError(_("Enter a number."))
        try:
            number = Decimal(str(value).strip().replace(",", ""))
        except InvalidOperation:
            raise ValueError(_("Enter a number, not “%(value)s”.") % {"value": value}) from None
        if not number.is_finite():
            raise ValueError(_("Enter a number, not “%(value)s”.") % {"value": value})
        return number

    def render(self, value, obj=None, **kwargs) -> str:
        return "" if value is None else str(value)


class TextWidget(widgets.Widget):
    """Text as written; an empty cell is an empty string (the models keep no NULL text)."""

    def clean(self, value, row=None, **kwargs) -> str:
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value).strip()

    def render(self, value, obj=None, **kwargs) -> str:
        return "" if value is None else str(value)


class PartialDateField(fields.Field):
    """A partial date in one cell ("2021", "2021-07" or "2021-07-28"), stored as date plus precision."""

    def __init__(self, attribute: str, **kwargs):
        super().__init__(attribute=attribute, column_name=attribute, **kwargs)

    @property
    def precision_attribute(self) -> str:
        return f"{self.attribute}_precision"

    def clean(self, row, **kwargs):
        return parse_partial_date(row[self.column_name])

    def lookup(self, row) -> dict:
        date, precision = self.clean(row)
        return (
            {self.attribute: None}
            if date is None
            else {self.attribute: date, self.precision_attribute: precision}
        )

    def get_value(self, instance) -> str:
        return format_partial_date(
            getattr(instance, self.attribute), getattr(instance, self.precision_attribute)
        )

    def save(self, instance, row, is_m2m=False, **kwargs) -> None:
        date, precision = self.clean(row)
        setattr(instance, self.attribute, date)
        setattr(instance, self.precision_attribute, precision)

    def export(self, instance, **kwargs) -> str:
        return self.get_value(instance)


def text_field(name: str) -> fields.Field:
    return fields.Field(attribute=name, column_name=name, widget=TextWidget())


def choice_field(name: str, choices: type[models.TextChoices]) -> fields.Field:
    return fields.Field(attribute=name, column_name=name, widget=ChoiceWidget(choices))


def decimal_field(name: str) -> fields.Field:
    return fields.Field(attribute=name, column_name=name, widget=StrictDecimalWidget())


def boolean_field(name: str) -> fields.Field:
    """A yes/no column; an empty cell keeps the record's current value (or the default)."""
    return fields.Field(
        attribute=name, column_name=name, widget=StrictBooleanWidget(), saves_null_values=False
    )


def date_field(name: str) -> fields.Field:
    return fields.Field(attribute=name, column_name=name, widget=widgets.DateWidget(format="%Y-%m-%d"))


def key_field(name: str, model: type[models.Model], key: str) -> fields.Field:
    return fields.Field(attribute=name, column_name=name, widget=NaturalKeyWidget(model, field=key))


class PortfolioResource(resources.ModelResource):
    """Base resource: natural-key matching, unchanged rows skipped, every row validated, history noted.

    Subclasses declare their columns as fields and name the natural key in
    `Meta.import_id_fields`. `export_select_related` lists the relations the export reads,
    so an export costs the same few queries however many rows it has.
    """

    export_select_related: tuple[str, ...] = ()
    export_prefetch_related: tuple = ()

    class Meta:
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_transactions = True

    def get_instance(self, instance_loader, row):
        """The record the row's natural key names, or None for a new one.

        A malformed key cell is reported by the field itself when the row is imported, so
        here it only means "no match". Two matches are an error, never a guess.
        """
        lookup = {}
        for name in self.get_import_id_fields():
            field = self.fields[name]
            if field.column_name not in row:
                return None
            try:
                lookup.update(
                    field.lookup(row)
                    if isinstance(field, PartialDateField)
                    else {field.attribute: field.clean(row)}
                )
            except (ValueError, ValidationError):
                return None
        matches = list(self.get_queryset().filter(**lookup)[:2])
        if len(matches) > 1:
            raise ValidationError(
                _("This row matches several existing records (%(key)s); tell them apart before importing.")
                % {"key": ", ".join(self.get_import_id_fields())}
            )
        return matches[0] if matches else None

    def before_save_instance(self, instance, row, **kwargs):
        """The record's history says the change came from a spreadsheet, and from which file."""
        file_name = kwargs.get("file_name") or ""
        reason = _("Imported from %(file)s") % {"file": file_name} if file_name else _("Imported")
        instance._change_reason = reason[:CHANGE_REASON_LENGTH]

    def after_import(self, dataset, result, **kwargs):
        """Rows are numbered as the spreadsheet numbers them: the header is row 1, the first record row 2."""
        super().after_import(dataset, result, **kwargs)
        for row in (*result.invalid_rows, *result.error_rows):
            row.number += 1
            for error in getattr(row, "errors", ()):
                error.number = row.number

    def filter_export(self, queryset, **kwargs):
        queryset = queryset.select_related(*self.export_select_related)
        if self.export_prefetch_related:
            queryset = queryset.prefetch_related(*self.export_prefetch_related)
        return queryset
