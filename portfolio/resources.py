"""Spreadsheet import and export (django-import-export): what every resource of the project shares.

Rows are matched to records by natural key (a slug, or a company plus a release name), so
importing the same file twice changes nothing the second time: an unchanged row is
skipped and writes no history. Each row is validated like a form (`full_clean`), and a
bad cell becomes an error on its column, never an exception, so the preview can say
which rows and fields are wrong while nothing is written.
"""

import datetime
import logging
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cached_property

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.db.models.lookups import Exact
from django.utils.translation import gettext as _
from django.utils.translation import override
from import_export import fields, resources, widgets

from portfolio.changes import changes_since
from portfolio.database import long_work
from portfolio.dates import DatePrecision, format_partial_date, parse_partial_date, period_start
from portfolio.spreadsheets import formula_unescape
from portfolio.values import is_record_id, parse_named_label, parse_yes_no

logger = logging.getLogger(__name__)

# History rows keep the reason in a 100-character column.
CHANGE_REASON_LENGTH = 100
# How many rows an import's preview shows, compared field by field; the others are only counted.
PREVIEW_ROWS = 1000

# The natural keys one import has looked up, with what each named (or why it named nothing), so a
# file that names one company in 10,000 rows looks it up once. Set for the length of an import.
import_lookups: ContextVar[dict | None] = ContextVar("import_lookups", default=None)


class NaturalKeyWidget(widgets.ForeignKeyWidget):
    """A related record named by its natural key (a slug or a code), or by one of its names.

    `names` are further fields a person may write instead of the key, such as the English
    and Chinese names; with two, the exports' "English (中文)" label works too. A name that
    fits no record, or several, is a cell error that says so.
    """

    def __init__(self, model: type[models.Model], field: str = "pk", names: tuple[str, ...] = (), **kwargs):
        super().__init__(model, field=field, **kwargs)
        self.names = names

    def key_name(self) -> str:
        opts = self.model._meta
        return opts.pk.verbose_name if self.field == "pk" else opts.get_field(self.field).verbose_name

    def lookup(self, key: str) -> Q:
        query = Q(**{self.field: key})
        for name in self.names:
            query |= Q(**{name: key})
        label = parse_named_label(key)
        if label and len(self.names) == 2:
            query |= Q(**{self.names[0]: label[0], self.names[1]: label[1]})
        return query

    def clean(self, value, row=None, **kwargs):
        if value is None or str(value).strip() == "":
            return None
        key = str(value).strip()
        lookups = import_lookups.get()
        if lookups is None:
            return self.find(key, row, **kwargs)
        if (self, key) not in lookups:
            try:
                lookups[self, key] = self.find(key, row, **kwargs)
            except ValueError as error:
                lookups[self, key] = error
        found = lookups[self, key]
        if isinstance(found, ValueError):
            raise found
        return found

    def find(self, key: str, row=None, **kwargs) -> models.Model:
        """The one record `key` names; a ValueError that says why when it names none or several."""
        matches = list(self.get_queryset(key, row, **kwargs).filter(self.lookup(key)).distinct()[:2])
        names = {"model": self.model._meta.verbose_name, "field": self.key_name(), "value": key}
        if not matches:
            if self.names:
                raise ValueError(_("No %(model)s has the %(field)s or name “%(value)s”.") % names)
            raise ValueError(_("No %(model)s has the %(field)s “%(value)s”.") % names)
        if len(matches) > 1:
            raise ValueError(_("“%(value)s” names several %(model)s records; write its %(field)s.") % names)
        return matches[0]


class RecordIdWidget(NaturalKeyWidget):
    """A related record that has no natural key (a source), named by its id or by one of `names`."""

    def __init__(self, model: type[models.Model], names: tuple[str, ...] = ()):
        super().__init__(model, field="pk", names=names)

    def lookup(self, key: str) -> Q:
        by_name = Q(pk__in=[])
        for name in self.names:
            by_name |= Q(**{name: key})
        if is_record_id(key):
            return Q(pk=int(key)) | by_name
        return by_name

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = "" if value is None else str(value).strip()
        if text and not self.names and not is_record_id(text):
            raise ValueError(_("Enter the id of a %(model)s.") % {"model": self.model._meta.verbose_name})
        return super().clean(text, row, **kwargs)


class NaturalKeyListWidget(widgets.Widget):
    """Several related records, each named as `NaturalKeyWidget` reads one, separated by semicolons."""

    separator = ";"

    def __init__(self, model: type[models.Model], field: str, names: tuple[str, ...] = ()):
        self.one = NaturalKeyWidget(model, field=field, names=names)
        super().__init__()

    def clean(self, value, row=None, **kwargs) -> list[models.Model]:
        if value is None:
            return []
        records, errors = [], []
        for key in dict.fromkeys(key.strip() for key in str(value).split(self.separator) if key.strip()):
            try:
                record = self.one.clean(key, row, **kwargs)
            except ValueError as error:
                errors.append(str(error))
                continue
            if record not in records:
                records.append(record)
        if errors:
            raise ValueError(" ".join(errors))
        return records

    def render(self, value: Iterable[models.Model] | None, obj=None, **kwargs) -> str:
        return f"{self.separator} ".join(getattr(record, self.one.field) for record in value or ())


class ChoiceWidget(widgets.Widget):
    """A choice given by its code or by its English or Chinese label, case aside; exported as the code."""

    def __init__(self, choices: type[models.TextChoices]):
        self.choices = choices
        super().__init__()

    @cached_property
    def accepted(self) -> dict[str, str]:
        """Every spelling the cell may use, casefolded, with the code it stands for."""
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
            return self.accepted[str(value).strip().casefold()]
        except KeyError:
            labels = ", ".join(str(label) for label in self.choices.labels)
            raise ValueError(
                _("“%(value)s” is not one of: %(choices)s.") % {"value": value, "choices": labels}
            ) from None

    def render(self, value, obj=None, **kwargs) -> str:
        return value or ""


class StrictBooleanWidget(widgets.Widget):
    """Yes or no, spelled as a spreadsheet or a person would; anything else is an error, not False."""

    def clean(self, value, row=None, **kwargs) -> bool | None:
        if value is None or str(value).strip() == "":
            return None
        try:
            return parse_yes_no(value)
        except ValueError:
            raise ValueError(
                _("Enter yes or no (true/false, 1/0), not “%(value)s”.") % {"value": value}
            ) from None

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


class Column(fields.Field):
    """A spreadsheet column of a resource; `lookup` is what its cell contributes to a natural-key query."""

    def lookup(self, row) -> dict:
        return {self.attribute: self.clean(row)}

    def export_names(self) -> list[str]:
        """The columns this field writes in an export (a partial date writes three)."""
        return [self.column_name]

    def export_schemas(self) -> dict[str, dict]:
        """The OpenAPI schema of this field's value in a JSON export, by column."""
        widget = self.widget
        if self.attribute == "id":
            schema = {"type": "integer", "nullable": True}
        elif isinstance(widget, StrictDecimalWidget):
            schema = {"type": "string", "nullable": True, "pattern": r"^-?\d+(\.\d+)?$"}
        elif isinstance(widget, StrictBooleanWidget):
            schema = {"type": "boolean"}
        elif isinstance(widget, DayWidget):
            schema = {"type": "string", "format": "date", "nullable": True}
        elif isinstance(widget, ChoiceWidget):
            schema = {"type": "string", "enum": ["", *widget.choices.values]}
        elif isinstance(widget, NaturalKeyListWidget):
            schema = {"type": "string", "description": "Keys separated by semicolons."}
        elif isinstance(widget, RecordIdWidget):
            schema = {"type": "integer", "nullable": True}
        elif isinstance(widget, NaturalKeyWidget | TextWidget):
            schema = {"type": "string", "nullable": isinstance(widget, NaturalKeyWidget)}
        else:
            schema = {}
        return {self.column_name: schema}

    def export_values(self) -> dict[str, tuple[models.Expression, str]] | None:
        """This field's cells of an export row as SQL, by column: the expression and its kind (text,
        number, day or yes/no), giving what `export_cells` gives; None when a column has none (its
        list is then exported row by row from model instances)."""
        widget = self.widget
        if isinstance(widget, RecordIdWidget):
            return {self.column_name: (models.F(f"{self.attribute}_id"), NUMBER)}
        if isinstance(widget, NaturalKeyWidget):
            return {self.column_name: (models.F(f"{self.attribute}__{widget.field}"), TEXT)}
        if isinstance(widget, StrictBooleanWidget):
            return {self.column_name: (models.F(self.attribute), YES_NO)}
        if isinstance(widget, DayWidget):
            return {self.column_name: (models.F(self.attribute), DAY)}
        if isinstance(widget, StrictDecimalWidget) or self.attribute == "id":
            return {self.column_name: (models.F(self.attribute), NUMBER)}
        if isinstance(widget, ChoiceWidget | TextWidget) or type(widget) is widgets.Widget:
            return {self.column_name: (models.F(self.attribute), TEXT)}
        return None

    def export_cells(self, instance) -> dict:
        """This field's cells of an export row, typed: text, numbers, dates and yes/no as stored,
        related records by the key the import reads them by."""
        value = self.get_value(instance)
        if isinstance(value, models.Model | list | tuple):
            value = self.widget.render(value)
        elif not isinstance(value, str | int | float | Decimal | datetime.date | None):
            value = str(value)  # a country, say: its code
        return {self.column_name: value}


class PartialDateField(Column):
    """A partial date in one cell ("2021", "2021-07" or "2021-07-28"), stored as date plus precision."""

    def __init__(self, attribute: str, **kwargs):
        super().__init__(attribute=attribute, column_name=attribute, **kwargs)

    @property
    def precision_attribute(self) -> str:
        return f"{self.attribute}_precision"

    def clean(self, row, **kwargs):
        """The date and precision of the cell; a `<column>_precision` column, when the file has one, wins.

        The round-history export writes the first day of the period plus the precision
        ("2021-01-01", "year"), so that file reads back as the date it was written from.
        """
        date, precision = parse_partial_date(row[self.column_name])
        given = row.get(f"{self.column_name}_precision")
        if given is None or str(given).strip() == "":
            return date, precision
        given = str(given).strip().casefold()
        if given not in DatePrecision.values:
            raise ValueError(
                _("The precision must be year, month or day, not “%(value)s”.") % {"value": given}
            )
        return (None, given) if date is None else (period_start(date, given), given)

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

    def export_names(self) -> list[str]:
        return [self.column_name, f"{self.column_name}_precision", f"{self.column_name}_display"]

    def export_schemas(self) -> dict[str, dict]:
        first, precision, display = self.export_names()
        return {
            first: {"type": "string", "format": "date", "nullable": True},
            precision: {"type": "string", "enum": DatePrecision.values},
            display: {"type": "string", "description": "2021, 2021-07 or 2021-07-28"},
        }

    def export_values(self) -> dict[str, tuple[models.Expression, str]]:
        first, precision, display = self.export_names()
        day = models.F(self.attribute)
        shown = models.Case(
            models.When(**{self.precision_attribute: DatePrecision.YEAR}, then=to_char(day, "YYYY")),
            models.When(**{self.precision_attribute: DatePrecision.MONTH}, then=to_char(day, "YYYY-MM")),
            default=to_char(day, "YYYY-MM-DD"),
            output_field=models.TextField(),
        )
        shown = Coalesce(shown, models.Value(""), output_field=models.TextField())  # "" when unknown
        return {
            first: (day, DAY),
            precision: (models.F(self.precision_attribute), TEXT),
            display: (shown, TEXT),
        }

    def export_cells(self, instance) -> dict:
        """The first day of the period (a real date), its precision, and the date as people write it."""
        date, precision = getattr(instance, self.attribute), getattr(instance, self.precision_attribute)
        first, *others = self.export_names()
        return {first: date, others[0]: precision, others[1]: format_partial_date(date, precision)}


# The kinds of an export cell's SQL value (`Column.export_values`).
TEXT, NUMBER, DAY, YES_NO = "text", "number", "day", "yes_no"


@dataclass(frozen=True)
class SharedPart:
    """A column's SQL value that is one element (from 1) of a text array several columns share, such as
    a round's investors by role from one pass over its participations: a CSV export written by
    PostgreSQL computes the array once a row (`PortfolioResource.copy_query`); elsewhere each column
    uses `alone`, its own expression."""

    alias: str
    shared: Callable[[], models.Expression]
    index: int
    alone: models.Expression


def alone(value) -> models.Expression:
    return value.alone if isinstance(value, SharedPart) else value


def to_char(day: models.Expression, pattern: str) -> models.Func:
    return models.Func(day, models.Value(pattern), function="to_char", output_field=models.TextField())


def csv_cell(expression: models.Expression, kind: str) -> models.Expression:
    """A cell's value as the CSV writer of `portfolio.api.exports` writes it, computed by PostgreSQL:
    text formula-escaped, without control characters and empty as NULL (`portfolio_csv_text`, migration
    0006 of portfolio), numbers as written (12, 1500000.00), days as YYYY-MM-DD, yes/no as true/false."""
    if kind == TEXT:
        return models.Func(expression, function="portfolio_csv_text", output_field=models.TextField())
    if kind == DAY:
        return to_char(expression, "YYYY-MM-DD")
    if kind == YES_NO:
        return models.Case(
            models.When(Exact(expression, True), then=models.Value("true")),
            models.When(Exact(expression, False), then=models.Value("false")),
            output_field=models.TextField(),
        )
    return models.Func(expression, template="(%(expressions)s)::text", output_field=models.TextField())


def text_field(name: str) -> Column:
    return Column(attribute=name, column_name=name, widget=TextWidget())


def choice_field(name: str, choices: type[models.TextChoices]) -> Column:
    return Column(attribute=name, column_name=name, widget=ChoiceWidget(choices))


def decimal_field(name: str) -> Column:
    return Column(attribute=name, column_name=name, widget=StrictDecimalWidget())


def boolean_field(name: str) -> Column:
    """A yes/no column; an empty cell keeps the record's current value (or the default)."""
    return Column(attribute=name, column_name=name, widget=StrictBooleanWidget(), saves_null_values=False)


class DayWidget(widgets.DateWidget):
    """A day, written YYYY-MM-DD or held by a spreadsheet's date cell (which comes as a date-time)."""

    def clean(self, value, row=None, **kwargs):
        day = super().clean(value, row, **kwargs)
        return day.date() if isinstance(day, datetime.datetime) else day


def date_field(name: str) -> Column:
    return Column(attribute=name, column_name=name, widget=DayWidget(format="%Y-%m-%d"))


def key_field(name: str, model: type[models.Model], key: str, names: tuple[str, ...] = ()) -> Column:
    return Column(attribute=name, column_name=name, widget=NaturalKeyWidget(model, field=key, names=names))


class PreviewDiff(resources.Diff):
    """A row's values before and after, for the first `PREVIEW_ROWS` rows of an import, which its
    preview shows; the rows after them are counted but not compared, which would cost as much
    as importing them."""

    def __init__(self, resource, instance, new):
        resource.compared_rows = getattr(resource, "compared_rows", 0) + 1
        self.shown = resource.compared_rows <= PREVIEW_ROWS
        if self.shown:
            super().__init__(resource, instance, new)
        else:
            self.left, self.right, self.new = [], [], new

    def compare_with(self, resource, instance):
        if self.shown:
            super().compare_with(resource, instance)

    def as_html(self):
        return super().as_html() if self.shown else []


class PortfolioResource(resources.ModelResource):
    """Base resource: natural-key matching, unchanged rows skipped, every row validated, history noted.

    Subclasses declare their columns as `Column`s and name the natural key in
    `Meta.import_id_fields`. `export_select_related` lists the relations the export reads,
    so an export costs the same few queries however many rows it has.
    """

    export_select_related: tuple[str, ...] = ()
    export_prefetch_related: tuple = ()
    on_row_imported: Callable[[int], None] | None = None

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
                lookup.update(field.lookup(row))
            except (ValueError, ValidationError):
                return None
        matches = list(self.get_queryset().filter(**lookup)[:2])
        if len(matches) > 1:
            raise ValidationError(
                _("This row matches several existing records (%(key)s); tell them apart before importing.")
                % {"key": ", ".join(self.get_import_id_fields())}
            )
        return matches[0] if matches else None

    # Export: one definition of the columns for every download of the list

    def export_header(self, selected_fields: list[str] | None = None) -> list[str]:
        fields = self.get_export_fields(selected_fields)
        return [name for field in fields for name in field.export_names()]

    @classmethod
    def export_row_schema(cls) -> dict:
        """The OpenAPI schema of one row of the JSON export: the export's columns, in order."""
        properties = {}
        for field in cls().get_export_fields():
            if isinstance(field, Column):
                properties.update(field.export_schemas())
            else:
                properties[field.column_name] = {}
        return {"type": "object", "properties": properties, "required": list(properties)}

    def export_rows(
        self, instances: Iterable[models.Model], selected_fields: list[str] | None = None
    ) -> Iterator[dict]:
        """Typed rows (dates, numbers, yes/no as such) for the writer of `portfolio.api.exports`."""
        export_fields = self.get_export_fields(selected_fields)
        for instance in instances:
            row = {}
            for field in export_fields:
                row.update(field.export_cells(instance))
            yield row

    # Import

    def import_data(self, dataset, **kwargs):
        """An import is long work (`portfolio.database`); natural keys are looked up once per
        import, and the first `PREVIEW_ROWS` rows compared."""
        self.compared_rows = 0
        token = import_lookups.set({})
        try:
            with long_work():
                return super().import_data(dataset, **kwargs)
        finally:
            import_lookups.reset(token)

    def get_diff_class(self):
        return PreviewDiff

    def handle_import_error(self, result, error, raise_errors=False):
        """A file that cannot be imported at all: staff read why (the admin shows the message
        alone), the server's log keeps the traceback."""
        logger.warning("Import of %s refused: %s", self._meta.model._meta.label, error, exc_info=error)
        super().handle_import_error(result, error, raise_errors)

    def before_import(self, dataset, **kwargs):
        """A file with a column this list does not know is refused whole: a misspelt header would
        otherwise leave its column unread, and its values silently not imported."""
        super().before_import(dataset, **kwargs)
        known = self.export_header()
        headers = [column for column in dataset.headers or () if column not in (None, "")]
        unknown = [column for column in headers if column not in known]
        if unknown:
            raise ValueError(
                _("The file has columns this list does not know: %(unknown)s. Its columns are: %(known)s.")
                % {"unknown": ", ".join(map(str, unknown)), "known": ", ".join(known)}
            )

    def before_import_row(self, row, **kwargs):
        """A NUL character, which no text column can store (PostgreSQL refuses it), and a list or an
        object in a JSON file's cell are cell errors;
        text a CSV export marked as text (`portfolio.spreadsheets`) is read back as it was."""
        super().before_import_row(row, **kwargs)
        if kwargs.get("file_format") == "csv":
            for column, value in row.items():
                if isinstance(value, str):
                    row[column] = formula_unescape(value)
        errors = {}
        for column, value in row.items():
            if isinstance(value, dict | list):
                # A JSON file's cell holds one value; a nested one would be stored as its repr.
                errors[column] = [_("Enter text, not a list or an object.")]
            elif isinstance(value, str) and "\x00" in value:
                errors[column] = [_("Remove the NUL character (U+0000) from this cell.")]
        if errors:
            raise ValidationError(errors)

    def changed_since_preview(self, previewed_at: int | None) -> dict:
        """The records of this list changed after the import's preview, read once per import."""
        if previewed_at is None:
            return {}
        if getattr(self, "_previewed_at", None) != previewed_at:
            self._previewed_at = previewed_at
            self._changed_since_preview = changes_since(self._meta.model, previewed_at)
        return self._changed_since_preview

    def before_save_instance(self, instance, row, **kwargs):
        """A record changed since the preview the import was confirmed from is not overwritten; the
        record's history says the change came from a spreadsheet, and from which file."""
        changed = self.changed_since_preview(kwargs.get("previewed_at"))
        if instance.pk is not None:
            change = changed.get(instance.pk)
            if change is not None:
                raise ValidationError(
                    _(
                        "%(record)s was changed after the preview (by %(user)s); nothing was imported. "
                        "Import the file again to see its new preview."
                    )
                    % {"record": instance, "user": change.user or _("someone")}
                )
        file_name = kwargs.get("file_name") or ""
        reason = _("Imported from %(file)s") % {"file": file_name} if file_name else _("Imported")
        instance._change_reason = reason[:CHANGE_REASON_LENGTH]
        if kwargs.get("user") is not None:
            instance._history_user = kwargs["user"]  # an import run outside a request names its author

    def after_import_row(self, row, row_result, **kwargs):
        """Tells `on_row_imported`, when set (the import command's progress), each row's number.

        The admin keeps each imported record until the import ends, for its log of the import;
        what was read along with it (a round's participations and their investors) is let go, or
        a large import would hold every row's related records in memory at once.
        """
        super().after_import_row(row, row_result, **kwargs)
        for kept in (getattr(row_result, "instance", None), getattr(row_result, "original", None)):
            if kept is not None:
                kept.__dict__.pop("_prefetched_objects_cache", None)
                kept.__dict__.pop("_participation_plan", None)
        if self.on_row_imported is not None:
            self.on_row_imported(kwargs.get("row_number", 0))

    def after_import(self, dataset, result, **kwargs):
        """Rows are numbered as the spreadsheet numbers them: the header is row 1, the first record row 2."""
        super().after_import(dataset, result, **kwargs)
        for row in (*result.invalid_rows, *result.error_rows):
            row.number += 1
            for error in getattr(row, "errors", ()):
                error.number = row.number

    def export_values(self) -> dict[str, tuple[models.Expression, str]] | None:
        """Every column's SQL value and kind (`Column.export_values`), or None if one has none."""
        values: dict[str, tuple[models.Expression, str]] = {}
        for field in self.get_export_fields():
            cells = field.export_values() if isinstance(field, Column) else None
            if cells is None:
                return None
            values.update(cells)
        return values

    def value_rows(self, queryset: models.QuerySet) -> Iterator[tuple] | None:
        """The export's rows of `queryset` as tuples of typed values in the header's order, read by
        the database from the columns' SQL (`export_values`), in chunks; None if a column has none."""
        values = self.export_values()
        if values is None:
            return None
        header = self.export_header()
        cells = {f"cell_{index}": alone(values[name][0]) for index, name in enumerate(header)}
        rows = queryset.prefetch_related(None).select_related(None).annotate(**cells).values_list(*cells)
        return rows.iterator(chunk_size=2000)

    def copy_query(self, queryset: models.QuerySet) -> tuple[str, tuple] | None:
        """The SELECT that gives the export's CSV rows of `queryset` as text cells in the header's order,
        for PostgreSQL to write (`COPY … TO STDOUT`); None when a column cannot be written so.

        Columns that share a value (`SharedPart`) take it from one subquery a row: the rows are selected
        with the shared arrays, in the queryset's order, and an outer SELECT picks the cells from them
        in that same order."""
        values = self.export_values()
        if values is None:
            return None
        header = self.export_header()
        rows = queryset.prefetch_related(None).select_related(None)
        ordering = [str(term) for term in rows.query.order_by] or list(rows.model._meta.ordering)
        sharing = all(isinstance(term, str) for term in ordering)
        cells, shared, outer = {}, {}, []
        for index, name in enumerate(header):
            value, kind = values[name]
            if isinstance(value, SharedPart) and sharing:
                shared[value.alias] = value.shared()
                outer.append(f'portfolio_csv_text("{value.alias}"[{value.index}])')
                continue
            cells[f"cell_{index}"] = csv_cell(value.alone if isinstance(value, SharedPart) else value, kind)
            outer.append(f'"cell_{index}"')
        if not shared:
            return rows.values(**cells).query.sql_with_params()
        sorts = {f"sort_{i}": models.F(term.lstrip("-")) for i, term in enumerate(ordering)}
        sql, params = rows.values(**cells, **shared, **sorts).query.sql_with_params()
        order = ", ".join(
            f'"sort_{i}"{" DESC" if term.startswith("-") else ""}' for i, term in enumerate(ordering)
        )
        return f"SELECT {', '.join(outer)} FROM ({sql}) AS export_rows ORDER BY {order}", params

    def filter_export(self, queryset, **kwargs):
        queryset = queryset.select_related(*self.export_select_related)
        if self.export_prefetch_related:
            queryset = queryset.prefetch_related(*self.export_prefetch_related)
        return queryset
