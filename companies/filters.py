"""Filtersets of the companies app's API lists."""

import django_filters
from django.utils.translation import gettext_lazy as _

from companies.choices import CompanyStatus, MetricUnit, Qualifier, ReleaseKind
from companies.models import KPI, Company, Metric, ModelRelease, Source, in_portfolio_exists
from portfolio.dates import DatePrecision
from portfolio.filters import (
    AmountRangeFilter,
    BooleanFilter,
    ChoiceInFilter,
    DateRangeFilter,
    NumberRangeFilter,
    PortfolioFilterSet,
    TextFilter,
    id_filter,
    slug_filter,
)


class SourceFilterSet(PortfolioFilterSet):
    search_fields = Source.search_fields

    published_on = DateRangeFilter(label=_("Published on"))
    published_on_precision = ChoiceInFilter(choices=DatePrecision.choices)
    language = TextFilter(lookup_expr="iexact")
    ordering = django_filters.OrderingFilter(fields=("id", "title", "published_on", "updated_at"))

    class Meta:
        model = Source
        fields = ()


class CompanyFilterSet(PortfolioFilterSet):
    search_fields = Company.search_fields

    status = ChoiceInFilter(choices=CompanyStatus.choices)
    country = TextFilter(lookup_expr="iexact", label=_("Country (ISO 3166 alpha-2)"))
    city = TextFilter(lookup_expr="iexact")
    sector = TextFilter(lookup_expr="icontains")
    founded_on = DateRangeFilter(label=_("Founded on"))
    founded_on_precision = ChoiceInFilter(choices=DatePrecision.choices)
    in_portfolio = BooleanFilter(method="filter_in_portfolio", label=_("In the portfolio"))
    ordering = django_filters.OrderingFilter(
        fields=("slug", "name_en", "name_zh", "founded_on", "updated_at")
    )

    class Meta:
        model = Company
        fields = ()

    def filter_in_portfolio(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(in_portfolio_exists() if value else ~in_portfolio_exists())


class ModelReleaseFilterSet(PortfolioFilterSet):
    search_fields = ModelRelease.search_fields

    company = slug_filter("company", label=_("Company (slug)"))
    source_id = id_filter("source", label=_("Source (id)"))
    family = TextFilter(lookup_expr="iexact")
    kind = ChoiceInFilter(choices=ReleaseKind.choices)
    open_weights = BooleanFilter()
    released_on = DateRangeFilter(label=_("Released on"))
    released_on_precision = ChoiceInFilter(choices=DatePrecision.choices)
    parameters_b = AmountRangeFilter(label=_("Parameters (billions)"))
    ordering = django_filters.OrderingFilter(
        fields=("id", "name", "released_on", "parameters_b", "updated_at")
    )

    class Meta:
        model = ModelRelease
        fields = ()


class MetricFilterSet(PortfolioFilterSet):
    search_fields = Metric.search_fields

    unit = ChoiceInFilter(choices=MetricUnit.choices)
    ordering = django_filters.OrderingFilter(fields=("id", "code", "name_en", "updated_at"))

    class Meta:
        model = Metric
        fields = ()


class KPIFilterSet(PortfolioFilterSet):
    search_fields = KPI.search_fields

    company = slug_filter("company", label=_("Company (slug)"))
    metric = slug_filter("metric", to_field_name="code", label=_("Metric (code)"))
    metric_id = id_filter("metric", label=_("Metric (id)"))
    model_release_id = id_filter("model_release", label=_("Model release (id)"))
    source_id = id_filter("source", label=_("Source (id)"))
    qualifier = ChoiceInFilter(choices=Qualifier.choices)
    period_start = DateRangeFilter(label=_("Period start"))
    period_end = DateRangeFilter(label=_("Period end"))
    value = NumberRangeFilter(label=_("Value"))
    currency = TextFilter(lookup_expr="iexact")
    ordering = django_filters.OrderingFilter(
        fields=("id", "period_start", "period_end", "value", "updated_at")
    )

    class Meta:
        model = KPI
        fields = ()
