"""The filter shapes every list shares, so each app's filterset declares only its own fields.

A filterset here is declarative: foreign keys by slug and by id, choices comma-separated,
dates as `<field>_after` / `<field>_before`, amounts as `<field>_min` / `<field>_max`,
`q` for text search, `updated_since` for incremental sync and `ordering` from a whitelist.
"""

import datetime
import re
from decimal import Decimal
from functools import cache, reduce
from operator import or_

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters.fields import DateRangeField, RangeField
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema_field

from portfolio.values import ISO_DATE_PATTERN, MAX_ID, parse_yes_no


class TextField(forms.CharField):
    """Free text in a query; NUL characters, which no stored text contains, are dropped."""

    def to_python(self, value):
        return super().to_python(value).replace("\x00", "")


class TextFilter(django_filters.CharFilter):
    field_class = TextField


class ChoiceInFilter(django_filters.BaseInFilter, django_filters.ChoiceFilter):
    """One or several choices, comma-separated (`stage=a,b`); an unknown choice is an error."""


@extend_schema_field({"type": "string", "minLength": 1, "pattern": "^[^,]+$"})
class SlugInFilter(django_filters.BaseInFilter, TextFilter):
    """Records named by slug (or another unique text key), comma-separated for several.

    An unknown slug matches nothing, as a filter should; it is not an error.
    """


class IdField(forms.IntegerField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdInFilter(django_filters.BaseInFilter, django_filters.NumberFilter):
    """Records named by id, comma-separated for several; ids are positive 64-bit integers."""

    field_class = IdField


class StrictBooleanField(forms.Field):
    """true/false (or 1/0, yes/no); anything else is an error rather than "no filter"."""

    def to_python(self, value):
        if value is None:
            return None
        try:
            return parse_yes_no(value)
        except ValueError:
            raise forms.ValidationError(_("Enter true or false."), code="invalid") from None


class BooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class ISODateField(forms.DateField):
    """Only YYYY-MM-DD: a query parameter has one spelling of a date, the one the schema documents."""

    PATTERN = re.compile(ISO_DATE_PATTERN)

    def to_python(self, value):
        if value is not None and not self.PATTERN.fullmatch(str(value)):
            raise forms.ValidationError(_("Enter a date as YYYY-MM-DD."), code="invalid")
        return super().to_python(value)


class NoEmptyPartsMixin:
    """`amount_min=` (given, but empty) is an error, not "no bound": only absent means absent."""

    def clean(self, value):
        if value and any(part == "" for part in value):
            raise forms.ValidationError(_("Give a value or leave the parameter out."), code="required")
        return super().clean(value)


class ISODateRangeField(NoEmptyPartsMixin, DateRangeField):
    def __init__(self, *args, **kwargs):
        RangeField.__init__(self, (ISODateField(), ISODateField()), *args, **kwargs)


class DateRangeFilter(django_filters.DateFromToRangeFilter):
    """`<field>_after` and `<field>_before`, both inclusive, as YYYY-MM-DD."""

    field_class = ISODateRangeField


class RFC3339DateTimeField(forms.DateTimeField):
    """A full RFC 3339 date-time with its offset, e.g. 2026-01-08T09:30:00Z."""

    PATTERN = re.compile(ISO_DATE_PATTERN + r"[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")

    def to_python(self, value):
        if value is None:
            return None
        if not self.PATTERN.fullmatch(str(value)):
            raise forms.ValidationError(_("Enter a date-time as in 2026-01-08T09:30:00Z."), code="invalid")
        try:
            moment = datetime.datetime.fromisoformat(str(value).upper().replace("Z", "+00:00"))
            # In UTC: databases accept fewer offsets than RFC 3339 (PostgreSQL stops at ±15:59).
            return moment.astimezone(datetime.UTC)
        except (ValueError, OverflowError):
            raise forms.ValidationError(_("Enter a valid date-time."), code="invalid") from None


class RFC3339DateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = RFC3339DateTimeField


NUMBER_LIMIT = 10**15


def bounded_number(minimum: int) -> forms.DecimalField:
    return forms.DecimalField(min_value=Decimal(minimum), max_value=Decimal(NUMBER_LIMIT))


class AmountRangeField(NoEmptyPartsMixin, RangeField):
    def __init__(self, *args, **kwargs):
        super().__init__((bounded_number(0), bounded_number(0)), *args, **kwargs)


class NumberRangeField(NoEmptyPartsMixin, RangeField):
    def __init__(self, *args, **kwargs):
        super().__init__((bounded_number(-NUMBER_LIMIT), bounded_number(-NUMBER_LIMIT)), *args, **kwargs)


@extend_schema_field({"type": "number", "minimum": 0, "maximum": NUMBER_LIMIT})
class AmountRangeFilter(django_filters.RangeFilter):
    """`<field>_min` and `<field>_max`, inclusive; amounts are never negative."""

    field_class = AmountRangeField


@extend_schema_field({"type": "number", "minimum": -NUMBER_LIMIT, "maximum": NUMBER_LIMIT})
class NumberRangeFilter(django_filters.RangeFilter):
    """`<field>_min` and `<field>_max`, inclusive, for values that may be negative."""

    field_class = NumberRangeField


def slug_filter(field_name: str, *, to_field_name: str = "slug", label=None) -> SlugInFilter:
    """A foreign key given by its slug (or other unique text key)."""
    return SlugInFilter(field_name=f"{field_name}__{to_field_name}", lookup_expr="in", label=label)


def id_filter(field_name: str, *, label=None) -> IdInFilter:
    """A foreign key given by its id."""
    return IdInFilter(field_name=field_name, lookup_expr="in", label=label)


class PortfolioFilterSet(django_filters.FilterSet):
    """Base filterset: text search over `search_fields` and `updated_since`."""

    search_fields: tuple[str, ...] = ()

    q = TextFilter(method="search", label=_("Search names, Chinese names and aliases"))
    updated_since = RFC3339DateTimeFilter(
        field_name="updated_at", lookup_expr="gte", label=_("Changed at or after (ISO 8601 date-time)")
    )

    def is_valid(self) -> bool:
        """Also refuses empty lists and empty items (`stage=`, `stage=a,,b`): absent means "no filter"."""
        valid = super().is_valid()
        for name, filter_ in self.filters.items():
            raw = self.data.get(name)
            if raw is None or not isinstance(filter_, django_filters.BaseInFilter):
                continue
            if "" in raw.split(","):
                self.form.add_error(
                    name, _("Give one or more values separated by commas, none of them empty.")
                )
                valid = False
        return valid

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        if not any("__" in field for field in self.search_fields):
            return queryset.filter(reduce(or_, (Q(**{f"{f}__icontains": value}) for f in self.search_fields)))
        parts = search_keys(queryset.model, self.search_fields, value)
        return queryset.filter(pk__in=parts[0].union(*parts[1:]))


def search_keys(model, fields: tuple[str, ...], value: str) -> list[QuerySet]:
    """The keys of `model`'s records whose fields (some through relations) contain `value`, as one
    query per relation, to be united: each query reads its own table (by the index of the relation)
    rather than joining everything first, which would read every row of every table."""
    own = [field for field in fields if "__" not in field]
    by_relation: dict[str, list[str]] = {}
    for field in fields:
        if "__" in field:
            relation, rest = field.split("__", 1)
            by_relation.setdefault(relation, []).append(rest)
    parts = []
    if own:
        condition = reduce(or_, (Q(**{f"{f}__icontains": value}) for f in own))
        parts.append(model.objects.filter(condition).order_by().values("pk"))
    for relation, rest in by_relation.items():
        field = model._meta.get_field(relation)
        related = search_keys(field.related_model, tuple(rest), value)
        matching = related[0].union(*related[1:]) if len(related) > 1 else related[0]
        if field.many_to_one:  # a foreign key of this model
            parts.append(model.objects.filter(**{f"{relation}__in": matching}).order_by().values("pk"))
        else:  # records of another model pointing to this one
            remote = field.remote_field.name
            parts.append(field.related_model.objects.filter(pk__in=matching).order_by().values(remote))
    return parts


@cache
def query_parameter_names(filterset_class: type[django_filters.FilterSet]) -> frozenset[str]:
    """The query parameters a filterset reads, with the suffixes of range filters expanded."""
    names: set[str] = set()
    for name, filter_ in filterset_class.base_filters.items():
        suffixes = getattr(filter_.field.widget, "suffixes", None)
        names.update(f"{name}_{suffix}" for suffix in suffixes) if suffixes else names.add(name)
    return frozenset(names)


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, which builds no filterset (a deep copy of every filter and a form,
    about 3 ms) for a list asked for without any of its filters: such a filterset filters nothing."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None and query_parameter_names(filterset_class).isdisjoint(
            request.query_params
        ):
            return queryset
        return super().filter_queryset(request, queryset, view)
