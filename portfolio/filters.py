"""The filter shapes every list shares, so each app's filterset declares only its own fields.

A filterset here is declarative: foreign keys by slug and by id, choices comma-separated,
dates as `<field>_after` / `<field>_before`, amounts as `<field>_min` / `<field>_max`,
`q` for text search, `updated_since` for incremental sync and `ordering` from a whitelist.
"""

from decimal import Decimal
from functools import reduce
from operator import or_

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters.fields import RangeField
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field


class ChoiceInFilter(django_filters.BaseInFilter, django_filters.ChoiceFilter):
    """One or several choices, comma-separated (`stage=a,b`); an unknown choice is an error."""


class StrictBooleanField(forms.Field):
    """true/false (or 1/0, yes/no); anything else is an error rather than "no filter"."""

    TRUE, FALSE = {"true", "1", "yes"}, {"false", "0", "no"}

    def to_python(self, value):
        if value in (None, ""):
            return None
        text = str(value).strip().lower()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise forms.ValidationError(_("Enter true or false."), code="invalid")


class BooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class AmountRangeField(RangeField):
    def __init__(self, *args, **kwargs):
        fields = (
            forms.DecimalField(min_value=Decimal(0), max_digits=20, decimal_places=2),
            forms.DecimalField(min_value=Decimal(0), max_digits=20, decimal_places=2),
        )
        super().__init__(fields, *args, **kwargs)


class AmountRangeFilter(django_filters.RangeFilter):
    """`<field>_min` and `<field>_max`, inclusive; amounts are never negative."""

    field_class = AmountRangeField


class DateRangeFilter(django_filters.DateFromToRangeFilter):
    """`<field>_after` and `<field>_before`, both inclusive, as ISO dates."""


@extend_schema_field(OpenApiTypes.STR)
class SlugFilter(django_filters.ModelMultipleChoiceFilter):
    """Records named by slug (or another unique text key); repeat the parameter for several."""


def slug_filter(field_name: str, queryset: QuerySet, *, to_field_name: str = "slug", label=None):
    """A foreign key given by its slug (or other unique key); an unknown one is an error."""
    return SlugFilter(
        field_name=f"{field_name}__{to_field_name}",
        queryset=queryset,
        to_field_name=to_field_name,
        label=label,
    )


def id_filter(field_name: str, queryset: QuerySet, *, label=None):
    """A foreign key given by its id; an unknown one is an error."""
    return django_filters.ModelMultipleChoiceFilter(field_name=field_name, queryset=queryset, label=label)


class PortfolioFilterSet(django_filters.FilterSet):
    """Base filterset: text search over `search_fields` and `updated_since`."""

    search_fields: tuple[str, ...] = ()

    q = django_filters.CharFilter(method="search", label=_("Search names, Chinese names and aliases"))
    updated_since = django_filters.IsoDateTimeFilter(
        field_name="updated_at", lookup_expr="gte", label=_("Changed at or after (ISO 8601 date-time)")
    )

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        condition = reduce(or_, (Q(**{f"{field}__icontains": value}) for field in self.search_fields))
        if any("__" in field for field in self.search_fields):
            return queryset.filter(pk__in=queryset.model.objects.filter(condition).values("pk"))
        return queryset.filter(condition)


def query_parameter_names(filterset_class: type[django_filters.FilterSet]) -> set[str]:
    """The query parameters a filterset reads, with the suffixes of range filters expanded."""
    names: set[str] = set()
    for name, filter_ in filterset_class.base_filters.items():
        suffixes = getattr(filter_.field.widget, "suffixes", None)
        names.update(f"{name}_{suffix}" for suffix in suffixes) if suffixes else names.add(name)
    return names
