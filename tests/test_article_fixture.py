"""The article fixture against the article (../shared/seed/article-zh.txt), fact by fact."""

import datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.core import serializers
from django.core.management import call_command

from companies.models import KPI, Company, ModelRelease, Source
from rounds.models import FundingRound, Investor, Listing, Participation

pytestmark = pytest.mark.usefixtures("article")

D = datetime.date


@pytest.fixture
def zhipu() -> Company:
    return Company.objects.get(slug="zhipu-ai")


def test_the_article_is_the_source():
    source = Source.objects.get()
    assert source.language == "zh-Hans"
    assert "达晨IPO B面" in source.title
    assert (source.published_on, source.published_on_precision) == (D(2026, 1, 1), "month")


def test_every_fact_cites_the_article():
    source = Source.objects.get()
    for model in (ModelRelease, KPI, FundingRound, Participation, Listing):
        rows = model.objects.all()
        assert rows.exists()
        for row in rows:
            assert row.source_id == source.pk, row
            assert row.source_quote, row


def test_the_company(zhipu):
    assert (zhipu.name_en, zhipu.name_zh, zhipu.status, zhipu.country.code) == (
        "Zhipu AI",
        "智谱",
        "listed",
        "CN",
    )
    assert zhipu.founded_on is None  # the article does not say
    for fact in (
        "清华",
        "Tsinghua",
        "L1-L5",
        "MaaS",
        "Samsung",
        "Shopee",
        "Malaysia",
        "自主大模型国际共建联盟",
    ):
        assert fact in zhipu.summary


def test_the_house_investor():
    house = Investor.objects.get(is_house=True)
    assert (house.slug, house.name_en, house.name_zh, house.kind) == (
        "fortune-capital",
        "Fortune Capital",
        "达晨财智",
        "vc",
    )
    assert "达晨" in house.alias_list


def test_the_series_a_of_2021_led_by_the_house_investor(zhipu):
    series_a = FundingRound.objects.get(company=zhipu)
    assert (series_a.stage, series_a.label) == ("a", "A轮")
    assert (series_a.announced_on, series_a.announced_on_precision) == (D(2021, 1, 1), "year")
    assert series_a.announced_on_display == "2021"
    assert (series_a.amount, series_a.pre_money, series_a.post_money) == (None, None, None)
    assert "多轮加注" in series_a.notes
    lead = series_a.participations.get()
    assert (lead.investor.is_house, lead.role, lead.is_follow_on, lead.amount) == (True, "lead", False, None)


def test_the_company_is_in_the_portfolio(zhipu):
    assert list(Company.objects.in_portfolio()) == [zhipu]


def test_the_hong_kong_listing(zhipu):
    listing = Listing.objects.get(company=zhipu)
    assert (listing.kind, listing.exchange) == ("ipo", "HKEX")
    assert (listing.listed_on, listing.listed_on_precision) == (D(2026, 1, 8), "day")
    assert (listing.offer_price, listing.amount_raised, listing.ticker) == (None, None, "")


RELEASES = {
    # name: (released_on, precision, parameters_b, open_weights, kind, family)
    "GLM-10B": (D(2021, 1, 1), "year", Decimal("10"), None, "base", "GLM"),
    "GLM-130B": (D(2022, 1, 1), "year", Decimal("130"), None, "base", "GLM"),
    "ChatGLM": (D(2023, 1, 1), "year", None, None, "chat", "ChatGLM"),
    "ChatGLM-6B": (D(2023, 1, 1), "year", Decimal("6"), True, "chat", "ChatGLM"),
    "ChatGLM3": (D(2023, 1, 1), "year", None, True, "chat", "ChatGLM"),
    "GLM-4": (D(2024, 1, 1), "year", None, None, "base", "GLM"),
    "GLM-4.5": (D(2025, 7, 28), "day", None, True, "base", "GLM"),
    "GLM-4.6": (None, "day", None, None, "base", "GLM"),
    "GLM-4.7": (D(2025, 12, 23), "day", None, True, "base", "GLM"),
}


def test_each_model_release(zhipu):
    found = {
        r.name: (r.released_on, r.released_on_precision, r.parameters_b, r.open_weights, r.kind, r.family)
        for r in zhipu.model_releases.all()
    }
    assert found == RELEASES
    assert zhipu.model_releases.get(name="GLM-130B").languages == "zh, en"


KPIS = {
    # (metric, release, scope starts with): (value, qualifier, period_start, period_end)
    ("market_share", None, "All general-purpose"): (Decimal("6.6"), "eq", D(2024, 1, 1), D(2024, 12, 31)),
    ("revenue_rank", None, "Independent"): (Decimal("1"), "eq", D(2024, 1, 1), D(2024, 12, 31)),
    ("revenue_rank", None, "All general-purpose"): (Decimal("2"), "eq", D(2024, 1, 1), D(2024, 12, 31)),
    ("overseas_revenue_share", None, "Share of 2024"): (
        Decimal("27.6"),
        "eq",
        D(2024, 1, 1),
        D(2024, 12, 31),
    ),
    ("hf_downloads", "GLM-4.5", "Hugging Face"): (Decimal("10000000"), "gt", D(2025, 7, 28), D(2025, 8, 26)),
    ("derived_models", "GLM-4.5", "Vertical models"): (Decimal("230"), "gt", D(2025, 7, 28), D(2025, 8, 26)),
    ("derived_model_domains", "GLM-4.5", "Domains"): (Decimal("12"), "eq", D(2025, 7, 28), D(2025, 8, 26)),
    ("openrouter_call_rank", "GLM-4.5", "All models on OpenRouter"): (Decimal("10"), "lte", None, None),
    ("openrouter_call_rank", "GLM-4.6", "All models on OpenRouter"): (Decimal("10"), "lte", None, None),
    ("codearena_rank", "GLM-4.7", "Open-source"): (Decimal("1"), "eq", D(2025, 12, 23), D(2025, 12, 23)),
    ("codearena_rank", "GLM-4.7", "Chinese"): (Decimal("1"), "eq", D(2025, 12, 23), D(2025, 12, 23)),
    ("aa_intelligence_index_rank", "GLM-4.7", "Open-source"): (
        Decimal("1"),
        "eq",
        D(2025, 12, 23),
        D(2025, 12, 23),
    ),
}


def test_each_kpi(zhipu):
    kpis = list(zhipu.kpis.select_related("metric", "model_release"))
    assert len(kpis) == len(KPIS)
    for (code, release, scope), expected in KPIS.items():
        [kpi] = [
            k
            for k in kpis
            if k.metric.code == code
            and (k.model_release.name if k.model_release else None) == release
            and k.scope.startswith(scope)
        ]
        assert (kpi.value, kpi.qualifier, kpi.period_start, kpi.period_end) == expected, (
            code,
            release,
            scope,
        )


def test_the_article_numbers_read_as_the_article_says(zhipu):
    shown = {(k.metric.code, k.value_display) for k in zhipu.kpis.select_related("metric")}
    assert {
        ("market_share", "6.6%"),
        ("overseas_revenue_share", "27.6%"),
        ("hf_downloads", "> 10,000,000"),
    } <= shown
    assert ("derived_models", "> 230") in shown


def test_metrics_are_named_in_both_languages():
    for kpi in KPI.objects.select_related("metric"):
        assert kpi.metric.name_en and kpi.metric.name_zh


def test_reloading_changes_nothing():
    models = [m for app in ("companies", "rounds") for m in apps.get_app_config(app).get_models()]

    def snapshot() -> str:
        return serializers.serialize("json", [row for m in models for row in m.objects.order_by("pk")])

    before = snapshot()
    call_command("loaddata", "article", verbosity=0)
    assert snapshot() == before
