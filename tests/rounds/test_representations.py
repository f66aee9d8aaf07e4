"""Rounds read from their columns (`rounds.representations`) are the serializer's JSON, field for field."""

import datetime
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from fx.models import ExchangeRate, RateOrigin
from portfolio.synthetic import seed
from rounds.api.serializers import FundingRoundSerializer
from rounds.models import FundingRound, Participation
from rounds.representations import RoundReader
from rounds.services import company_round_history, rounds_with_participations
from tests.rounds.factories import FundingRoundFactory, InvestorFactory, ParticipationFactory


def serialized(queryset) -> list[dict]:
    """The serializer's JSON, as a client parses it."""
    return json.loads(json.dumps(FundingRoundSerializer(queryset, many=True).data))


@pytest.fixture
def synthetic_rounds(db) -> None:
    """Synthetic rounds in every currency and date precision, the ECB's rates of their currencies for a
    few years (so some amounts convert and others say why not), and a round with every amount known,
    a staff rate and a participation with its stake."""
    seed(rounds=400, seed=3)
    call_command(
        "load_fx_rates", "--since", "2019-01-01", *[f"--currency={c}" for c in ("CNY", "USD", "HKD")]
    )
    ExchangeRate.objects.create(
        base="CNY",
        quote="USD",
        on=datetime.date(2024, 3, 28),
        rate=Decimal("0.1401"),
        origin=RateOrigin.STAFF,
    )
    known = FundingRoundFactory(
        announced_on=datetime.date(2024, 3, 1),
        announced_on_precision="month",
        amount=Decimal("123456789.05"),
        currency="CNY",
        pre_money=Decimal("1000000000.00"),
        post_money=Decimal("1123456789.05"),
        valuation_currency="HKD",
        notes="“引号” and a line\nbreak",
    )
    ParticipationFactory(
        funding_round=known,
        investor=InvestorFactory(name_en="Same Name"),
        role="lead",
        amount=Decimal("5000000.00"),
        currency="EUR",
        shares_after=Decimal("1234.5"),
        ownership_after=Decimal("12.3456"),
    )
    ParticipationFactory(funding_round=known, investor=InvestorFactory(name_en="Same Name"), role="lead")
    assert FundingRound.objects.filter(amount__isnull=False).exclude(currency="USD").count() > 50


def test_a_list_of_rounds_is_the_serializers_json(synthetic_rounds):
    rounds = rounds_with_participations().order_by("id")
    reader = RoundReader().read(rounds)
    assert len(reader) == FundingRound.objects.count()
    assert reader == serialized(rounds)
    converted = [r["amount_converted"] for r in reader if r["currency"] not in ("", "USD") and r["amount"]]
    assert {bool(c["rate"]) for c in converted} == {True, False}  # some convert, others say why not
    assert any(c["rate_origin"] == RateOrigin.STAFF for r in reader for c in [r["amount_converted"]])
    assert Participation.objects.filter(amount__isnull=False).exists()


def test_a_page_of_rounds_comes_in_the_order_of_its_ids(synthetic_rounds):
    rounds = rounds_with_participations().order_by("id")
    ids = list(FundingRound.objects.order_by("-amount", "id").values_list("pk", flat=True)[:30])
    expected = {r["id"]: r for r in serialized(rounds.filter(pk__in=ids))}
    assert RoundReader().read(rounds, ids) == [expected[pk] for pk in ids]


def test_a_company_history_is_the_serializers_json_in_chinese_too(synthetic_rounds):
    busiest = FundingRound.objects.values_list("company", flat=True).order_by("company").first()
    company = FundingRound.objects.filter(company=busiest).first().company
    with translation.override("zh-hans"):
        history = company_round_history(company=company)
        read = RoundReader().read(history)
        assert read == serialized(history)
    reasons = {r["pre_money_converted"]["reason"] for r in read}
    assert all(reason == "" or not reason.isascii() for reason in reasons)


def test_the_api_answers_the_serializers_json(synthetic_rounds, viewer_api):
    rounds = rounds_with_participations().order_by("id")
    listed = viewer_api.get(reverse("api:fundinground-list"), {"page_size": 1000}).json()["results"]
    assert listed == serialized(rounds)
    one = rounds.last()
    detail = viewer_api.get(reverse("api:fundinground-detail", args=[one.pk])).json()
    assert detail == serialized(rounds.filter(pk=one.pk))[0]
    history = viewer_api.get(reverse("api:company-rounds", args=[one.company.slug])).json()
    assert history == serialized(company_round_history(company=one.company))
