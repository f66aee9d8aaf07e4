"""`manage.py seed_synthetic`: deterministic, valid synthetic data in the issue's proportions."""

import io
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from companies.choices import CompanyStatus
from companies.models import KPI, Company, ModelRelease, Source
from portfolio.synthetic import Plan, seed
from rounds.choices import Role
from rounds.models import FundingRound, Investor, Listing, Participation

pytestmark = pytest.mark.django_db

MODELS = (Source, Company, Investor, ModelRelease, KPI, Listing, FundingRound, Participation)
ROUNDS = 400


def snapshot() -> dict[str, list[tuple]]:
    """Every synthetic record's stored values, timestamps aside; metrics by code (their ids come from a
    sequence, which a rolled-back transaction does not give back on PostgreSQL)."""

    def columns(model) -> list[str]:
        names = [f.attname for f in model._meta.concrete_fields if f.name not in {"created_at", "updated_at"}]
        return ["metric__code" if name == "metric_id" else name for name in names]

    return {
        model._meta.label: list(model.objects.order_by("pk").values_list(*columns(model))) for model in MODELS
    }


def test_the_records_come_in_the_planned_proportions_and_all_are_valid():
    written = seed(rounds=ROUNDS, seed=7)
    plan = Plan(ROUNDS)
    assert written["funding rounds"] == FundingRound.objects.count() == ROUNDS
    assert Company.objects.count() == plan.companies == ROUNDS // 10
    assert Investor.objects.count() == plan.investors
    assert Source.objects.count() == plan.sources
    assert ModelRelease.objects.count() == plan.model_releases
    assert KPI.objects.count() == plan.kpis
    assert Listing.objects.count() == Company.objects.filter(status=CompanyStatus.LISTED).count() > 0
    assert 2.8 <= Participation.objects.count() / ROUNDS <= 3.6

    for model in MODELS:
        for record in model.objects.all():
            record.full_clean()  # fields, clean() and every constraint, as the admin checks them

    leads = Counter(Participation.objects.filter(role=Role.LEAD).values_list("funding_round_id", flat=True))
    assert set(leads.values()) == {1} and len(leads) == ROUNDS
    busiest = Counter(FundingRound.objects.values_list("company_id", flat=True)).most_common(1)[0][1]
    assert busiest > 3 * ROUNDS / Plan(ROUNDS).companies  # a few companies have many rounds


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data():
    def seeded(seed_value: int) -> dict:
        with transaction.atomic():
            seed(rounds=200, seed=seed_value)
            data = snapshot()
            transaction.set_rollback(True)
        return data

    first = seeded(1)
    assert first == seeded(1)
    assert first != seeded(2)


def test_records_created_afterwards_get_the_next_free_ids():
    seed(rounds=50)
    highest = FundingRound.objects.order_by("-pk").values_list("pk", flat=True).first()
    company = Company.objects.create(slug="after", name_en="After")
    assert FundingRound.objects.create(company=company, stage="a").pk > highest
    seed(rounds=50)  # a second run adds to the first
    assert FundingRound.objects.count() == 101


def test_the_house_investor_joins_some_rounds_and_no_synthetic_investor_is_house():
    house = Investor.objects.create(slug="house", name_en="House", is_house=True)
    seed(rounds=ROUNDS, seed=3)
    assert Investor.objects.filter(is_house=True).get() == house
    assert Participation.objects.filter(investor=house).exists()


def test_the_command_reports_what_it_added():
    out = io.StringIO()
    call_command("seed_synthetic", "--rounds", "30", "--seed", "5", stdout=out)
    assert "Adding 30 rounds, 3 companies" in out.getvalue()
    assert "30 funding rounds" in out.getvalue()
    assert FundingRound.objects.count() == 30
    with pytest.raises(CommandError, match="at least 1"):
        call_command("seed_synthetic", "--rounds", "0")
