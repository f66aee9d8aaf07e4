"""Filtersets of the rounds app's API lists."""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from companies.choices import CompanyStatus
from companies.models import Company, in_portfolio_exists
from portfolio.dates import DatePrecision
from portfolio.filters import (
    AmountRangeFilter,
    BooleanFilter,
    ChoiceInFilter,
    DateRangeFilter,
    ISODateField,
    PortfolioFilterSet,
    SlugInFilter,
    TextFilter,
    id_filter,
    slug_filter,
)
from rounds.choices import InvestorKind, ListingKind, MarkBasis, Role, Stage
from rounds.models import FundingRound, Investor, Listing, Participation, ValuationMark


class InvestorFilterSet(PortfolioFilterSet):
    search_fields = Investor.search_fields

    kind = ChoiceInFilter(choices=InvestorKind.choices)
    country = TextFilter(lookup_expr="iexact", label=_("Country (ISO 3166 alpha-2)"))
    is_house = BooleanFilter()
    ordering = django_filters.OrderingFilter(fields=("slug", "name_en", "name_zh", "updated_at"))

    class Meta:
        model = Investor
        fields = ()


class FundingRoundFilterSet(PortfolioFilterSet):
    search_fields = FundingRound.search_fields

    company = slug_filter("company", label=_("Company (slug)"))
    source_id = id_filter("source", label=_("Source (id)"))
    stage = ChoiceInFilter(choices=Stage.choices)
    announced_on = DateRangeFilter(label=_("Announced on"))
    announced_on_precision = ChoiceInFilter(choices=DatePrecision.choices)
    amount = AmountRangeFilter(label=_("Amount"))
    currency = TextFilter(lookup_expr="iexact")
    pre_money = AmountRangeFilter(label=_("Pre-money valuation"))
    post_money = AmountRangeFilter(label=_("Post-money valuation"))
    investor = SlugInFilter(
        method="filter_investor",
        label=_("Any participating investor (slug)"),
    )
    lead_investor = SlugInFilter(
        method="filter_lead_investor",
        label=_("A lead or co-lead investor (slug)"),
    )
    in_portfolio = BooleanFilter(method="filter_in_portfolio", label=_("Rounds of portfolio companies"))
    ordering = django_filters.OrderingFilter(
        fields=("id", "announced_on", "amount", "post_money", "updated_at")
    )

    class Meta:
        model = FundingRound
        fields = ()

    @staticmethod
    def with_participation(queryset, **conditions):
        participations = Participation.objects.filter(funding_round=OuterRef("pk"), **conditions)
        return queryset.filter(Exists(participations))

    def filter_investor(self, queryset, name, slugs):
        return self.with_participation(queryset, investor__slug__in=slugs)

    def filter_lead_investor(self, queryset, name, slugs):
        return self.with_participation(queryset, investor__slug__in=slugs, role__in=[Role.LEAD, Role.CO_LEAD])

    def filter_in_portfolio(self, queryset, name, value):
        if value is None:
            return queryset
        in_portfolio = in_portfolio_exists("company_id")
        return queryset.filter(in_portfolio if value else ~in_portfolio)


class ParticipationFilterSet(PortfolioFilterSet):
    search_fields = Participation.search_fields

    round = id_filter("funding_round", label=_("Round (id)"))
    investor = slug_filter("investor", label=_("Investor (slug)"))
    company = slug_filter("funding_round__company", label=_("Company (slug)"))
    source_id = id_filter("source", label=_("Source (id)"))
    role = ChoiceInFilter(choices=Role.choices)
    is_follow_on = BooleanFilter()
    amount = AmountRangeFilter(label=_("Amount"))
    currency = TextFilter(lookup_expr="iexact")
    shares_after = AmountRangeFilter(label=_("Shares held after the round"))
    ownership_after = AmountRangeFilter(label=_("Ownership after the round (%)"))
    ordering = django_filters.OrderingFilter(fields=("id", "amount", "updated_at"))

    class Meta:
        model = Participation
        fields = ()


class ListingFilterSet(PortfolioFilterSet):
    search_fields = Listing.search_fields

    company = slug_filter("company", label=_("Company (slug)"))
    source_id = id_filter("source", label=_("Source (id)"))
    kind = ChoiceInFilter(choices=ListingKind.choices)
    exchange = TextFilter(lookup_expr="iexact")
    ticker = TextFilter(lookup_expr="iexact")
    listed_on = DateRangeFilter(label=_("Listed on"))
    listed_on_precision = ChoiceInFilter(choices=DatePrecision.choices)
    offer_price = AmountRangeFilter(label=_("Offer price"))
    amount_raised = AmountRangeFilter(label=_("Amount raised"))
    currency = TextFilter(lookup_expr="iexact")
    ordering = django_filters.OrderingFilter(fields=("id", "listed_on", "amount_raised", "updated_at"))

    class Meta:
        model = Listing
        fields = ()


class ValuationMarkFilterSet(PortfolioFilterSet):
    search_fields = ValuationMark.search_fields

    company = slug_filter("company", label=_("Company (slug)"))
    source_id = id_filter("source", label=_("Source (id)"))
    basis = ChoiceInFilter(choices=MarkBasis.choices)
    marked_on = DateRangeFilter(label=_("Marked on"))
    value = AmountRangeFilter(label=_("Company value"))
    price_per_share = AmountRangeFilter(label=_("Price per share"))
    currency = TextFilter(lookup_expr="iexact")
    ordering = django_filters.OrderingFilter(fields=("id", "marked_on", "value", "updated_at"))

    class Meta:
        model = ValuationMark
        fields = ()


class AsOfField(ISODateField):
    """The day a position is stated as of: today when not given, and never a day still to come."""

    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

    def clean(self, value):
        day = super().clean(value)
        if day is not None and day > timezone.localdate():
            raise forms.ValidationError(_("Give today or an earlier day."), code="future")
        return day


@extend_schema_field({"type": "string", "format": "date"})
class AsOfFilter(django_filters.Filter):
    field_class = AsOfField


@extend_schema_field({"type": "integer", "minimum": 1900, "maximum": 2100})
class YearFilter(django_filters.Filter):
    field_class = forms.IntegerField


POSITION_ORDERINGS = ("company", "entry", "cost", "value", "moic", "irr")


class PositionFilterSet(PortfolioFilterSet):
    """The portfolio's positions: which companies, as of which day, in which order (`?as_of=` and
    `?ordering=` are read by the view; positions are computed, so they are ordered after)."""

    search_fields = Company.search_fields

    updated_since = None  # a position changes with its company's rounds, marks and rates, not its row
    as_of = AsOfFilter(method="keep", label=_("As of (YYYY-MM-DD; today if not given)"))
    status = ChoiceInFilter(choices=CompanyStatus.choices, label=_("Status"))
    sector = TextFilter(lookup_expr="icontains", label=_("Sector"))
    country = TextFilter(lookup_expr="iexact", label=_("Country (ISO 3166 alpha-2)"))
    entry_year = YearFilter(
        min_value=1900,
        max_value=2100,
        method="filter_entry_year",
        label=_("Year of the firm's first investment"),
    )
    ordering = django_filters.ChoiceFilter(
        choices=[(o, o) for name in POSITION_ORDERINGS for o in (name, f"-{name}")],
        method="keep",
        label=_("Order by company, entry, cost, value, moic or irr; a leading - reverses"),
    )

    class Meta:
        model = Company
        fields = ()

    def keep(self, queryset, name, value):
        return queryset

    def filter_entry_year(self, queryset, name, year):
        if year is None:
            return queryset
        first = (
            FundingRound.objects.filter(company=OuterRef("pk"), participations__investor__is_house=True)
            .exclude(announced_on=None)
            .order_by("announced_on")
            .values("announced_on")[:1]
        )
        return queryset.annotate(entry_on=Subquery(first)).filter(entry_on__year=year)
