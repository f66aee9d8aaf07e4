"""Filtersets of the rounds app's API lists."""

import django_filters
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from companies.models import in_portfolio_exists
from portfolio.dates import DatePrecision
from portfolio.filters import (
    AmountRangeFilter,
    BooleanFilter,
    ChoiceInFilter,
    DateRangeFilter,
    PortfolioFilterSet,
    SlugInFilter,
    TextFilter,
    id_filter,
    slug_filter,
)
from rounds.choices import InvestorKind, ListingKind, Role, Stage
from rounds.models import FundingRound, Investor, Listing, Participation


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
