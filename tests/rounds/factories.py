"""Factories for the rounds app's models."""

import datetime
from decimal import Decimal

import factory

from rounds.choices import InvestorKind, ListingKind, MarkBasis, Role, Stage
from rounds.models import FundingRound, Investor, Listing, Participation, ValuationMark
from tests.companies.factories import CompanyFactory, SourceFactory


class InvestorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Investor
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"investor-{n}")
    name_en = factory.Sequence(lambda n: f"Investor {n}")
    name_zh = factory.Sequence(lambda n: f"投资人{n}")
    kind = InvestorKind.VC
    country = "CN"


class FundingRoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FundingRound

    company = factory.SubFactory(CompanyFactory)
    stage = Stage.A
    label = "A轮"
    announced_on = datetime.date(2021, 1, 1)
    announced_on_precision = "year"
    source = factory.SubFactory(SourceFactory)


class ParticipationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participation

    funding_round = factory.SubFactory(FundingRoundFactory)
    investor = factory.SubFactory(InvestorFactory)
    role = Role.PARTICIPANT


class ListingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Listing

    company = factory.SubFactory(CompanyFactory)
    kind = ListingKind.IPO
    exchange = "HKEX"
    listed_on = datetime.date(2026, 1, 8)
    listed_on_precision = "day"


class ValuationMarkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ValuationMark

    company = factory.SubFactory(CompanyFactory)
    marked_on = factory.Sequence(lambda n: datetime.date(2025, 1, 1) + datetime.timedelta(days=n))
    basis = MarkBasis.OTHER
    value = Decimal("1000000000")
    currency = "CNY"
