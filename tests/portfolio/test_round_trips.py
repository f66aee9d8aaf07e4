"""Every list's export imports back unchanged: one column definition serves both ways, in every format."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from companies.models import KPI, Company, Metric, ModelRelease, Source
from companies.resources import (
    CompanyResource,
    KPIResource,
    MetricResource,
    ModelReleaseResource,
    SourceResource,
)
from rounds.models import FundingRound, Investor, Listing, Participation, ValuationMark
from rounds.resources import (
    FundingRoundResource,
    InvestorResource,
    ListingResource,
    ParticipationResource,
    ValuationMarkResource,
)
from tests.api_cases import body
from tests.helpers import import_file, invalid_cells
from tests.rounds.factories import InvestorFactory, ListingFactory, ParticipationFactory, ValuationMarkFactory

pytestmark = pytest.mark.django_db

RESOURCES = {
    "sources": (Source, SourceResource),
    "companies": (Company, CompanyResource),
    "model-releases": (ModelRelease, ModelReleaseResource),
    "metrics": (Metric, MetricResource),
    "kpis": (KPI, KPIResource),
    "investors": (Investor, InvestorResource),
    "rounds": (FundingRound, FundingRoundResource),
    "participations": (Participation, ParticipationResource),
    "listings": (Listing, ListingResource),
    "valuation-marks": (ValuationMark, ValuationMarkResource),
}
TRICKY_TEXT = "=1+1, +86, -5%, @handle and 'quoted' stay text · 智谱"


@pytest.fixture
def records(article):
    """The article's records plus ones using what the demo does not: every role, two currencies,
    each date precision, and text a spreadsheet would take for a formula."""
    zhipu = Company.objects.get(slug="zhipu-ai")
    zhipu.summary, zhipu.city = TRICKY_TEXT, "-北京"
    zhipu.save()
    Source.objects.update(publisher="@达晨财智")
    listing = ListingFactory(
        company=zhipu,
        ticker="+2513",
        offer_price=Decimal("116.20"),
        amount_raised=Decimal("4300000000.00"),
        currency="HKD",
        listed_on=datetime.date(2026, 1, 1),
        listed_on_precision="month",
    )
    assert listing.pk
    for role, currency in (("co_lead", "USD"), ("participant", "CNY")):
        ParticipationFactory(
            funding_round=FundingRound.objects.get(),
            investor=InvestorFactory(name_en=f"={role} fund", name_zh="基金"),
            role=role,
            is_follow_on=role == "participant",
            amount=Decimal("1000000.50"),
            currency=currency,
            shares_after=Decimal("1234567.8901"),
            ownership_after=Decimal("2.5"),
            source_quote=TRICKY_TEXT,
        )
    ValuationMarkFactory(
        company=zhipu,
        marked_on=datetime.date(2026, 6, 30),
        basis="public_market",
        value=None,
        price_per_share=Decimal("131.500001"),
        currency="HKD",
        notes=TRICKY_TEXT,
    )
    ValuationMarkFactory(company=zhipu, marked_on=datetime.date(2025, 12, 31), basis="write_down")


def database_state(model) -> list[dict]:
    return [list(model.objects.order_by("pk").values()), model.history.count()]


def assert_imports_back_unchanged(response, resource, export_format: str, models: list, rows: int) -> None:
    """The exported file, imported as it is: every row skipped, the records and their history as before."""
    assert response.status_code == 200
    content = body(response)
    before = [database_state(model) for model in models]

    result = import_file(
        resource,
        content if export_format == "xlsx" else content.decode("utf-8-sig"),
        file_name=f"export.{export_format}",
    )

    assert not result.has_errors() and not result.invalid_rows, invalid_cells(result)
    assert result.totals["skip"] == rows > 0
    assert [database_state(model) for model in models] == before


@pytest.mark.usefixtures("records")
@pytest.mark.parametrize("export_format", ["csv", "xlsx", "json"])
@pytest.mark.parametrize("resource", list(RESOURCES))
def test_the_export_of_every_list_imports_back_unchanged(viewer_api, resource, export_format):
    model, resource_class = RESOURCES[resource]
    response = viewer_api.get(f"/api/v1/{resource}/", {"format": export_format})
    assert_imports_back_unchanged(response, resource_class(), export_format, [model], model.objects.count())


@pytest.mark.usefixtures("records")
@pytest.mark.parametrize("export_format", ["csv", "xlsx", "json"])
@pytest.mark.parametrize("download", ["admin", "api"])
def test_a_companys_round_history_imports_back_unchanged(admin_client, viewer_api, download, export_format):
    company = Company.objects.get(slug="zhipu-ai")
    if download == "admin":
        url = reverse("admin:companies_company_round_history", args=[company.pk])
        response = admin_client.get(url, {"format": export_format})
    else:
        response = viewer_api.get(f"/api/v1/companies/{company.slug}/rounds/", {"format": export_format})
    rounds = company.funding_rounds.count()
    assert_imports_back_unchanged(
        response, FundingRoundResource(), export_format, [FundingRound, Participation], rounds
    )
