"""The companies app's API resources, through the generic case, and their own behaviour."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from companies.models import KPI, Company, Metric, ModelRelease, Source
from tests.api_cases import APIResourceCase
from tests.companies.factories import (
    CompanyFactory,
    KPIFactory,
    MetricFactory,
    ModelReleaseFactory,
    SourceFactory,
)
from tests.fx.factories import ExchangeRateFactory
from tests.rounds.factories import InvestorFactory

pytestmark = pytest.mark.django_db


class TestSourceAPI(APIResourceCase):
    basename = "source"
    model = Source
    factory = SourceFactory
    update_payload = {
        "publisher": "达晨财智",
        "published_on_precision": "month",
        "published_on": "2026-01-01",
    }

    def create_payload(self):
        return {
            "title": "IPO B-side",
            "publisher": "Fortune Capital",
            "published_on": "2026-01-08",
            "language": "zh-Hans",
        }


class TestCompanyAPI(APIResourceCase):
    basename = "company"
    model = Company
    factory = CompanyFactory
    lookup_field = lookup_key = "slug"
    update_payload = {"name_zh": "月之暗面", "aliases": ["Moonshot", "Kimi"], "status": "listed"}

    def create_payload(self):
        return {"slug": "moonshot-ai", "name_en": "Moonshot AI", "name_zh": "月之暗面", "country": "CN"}


class TestModelReleaseAPI(APIResourceCase):
    basename = "modelrelease"
    model = ModelRelease
    factory = ModelReleaseFactory
    update_payload = {"parameters_b": "355.000", "open_weights": True, "kind": "reasoning"}

    def create_payload(self):
        company = CompanyFactory(slug="zhipu-ai")
        return {
            "company": company.slug,
            "name": "GLM-4.5",
            "family": "GLM",
            "released_on": "2025-07-28",
            "released_on_precision": "day",
            "kind": "base",
        }


class TestMetricAPI(APIResourceCase):
    basename = "metric"
    model = Metric
    factory = MetricFactory
    update_payload = {"name_zh": "市场份额", "unit": "percent"}

    def create_payload(self):
        return {"code": "market_share", "name_en": "Market share", "unit": "percent"}


class TestKPIAPI(APIResourceCase):
    basename = "kpi"
    model = KPI
    factory = KPIFactory
    update_payload = {"value": "6.6000", "qualifier": "approx", "scope": "China, by 2024 revenue"}

    def create_payload(self):
        company = CompanyFactory(slug="zhipu-ai")
        MetricFactory(code="market_share", unit="percent")
        return {
            "company": company.slug,
            "metric": "market_share",
            "period_start": "2024-01-01",
            "period_end": "2024-12-31",
            "value": "6.6000",
            "qualifier": "eq",
        }


@pytest.mark.usefixtures("article")
class TestArticleThroughTheAPI:
    def test_company_with_names_status_and_portfolio_flag(self, viewer_api):
        data = viewer_api.get(reverse("api:company-detail", args=["zhipu-ai"])).data
        assert (data["name_en"], data["name_zh"], data["status"], data["in_portfolio"]) == (
            "Zhipu AI",
            "智谱",
            "listed",
            True,
        )
        assert data["founded_on"] is None
        assert data["aliases"] == ["Zhipu"]

    def test_release_dates_carry_their_precision(self, viewer_api):
        response = viewer_api.get(
            reverse("api:modelrelease-list"), {"ordering": "released_on", "page_size": 100}
        )
        by_name = {r["name"]: r for r in response.data["results"]}
        assert (by_name["GLM-10B"]["released_on"], by_name["GLM-10B"]["released_on_precision"]) == (
            "2021-01-01",
            "year",
        )
        assert by_name["GLM-10B"]["released_on_display"] == "2021"
        assert by_name["GLM-4.5"]["released_on_display"] == "2025-07-28"
        assert by_name["GLM-10B"]["parameters_b"] == "10.000"

    def test_kpi_values_read_as_the_article_says(self, viewer_api):
        response = viewer_api.get(reverse("api:kpi-list"), {"metric": "market_share"})
        [kpi] = response.data["results"]
        assert (kpi["value_display"], kpi["qualifier"], kpi["unit"]) == ("6.6%", "eq", "percent")
        assert (kpi["period_start"], kpi["period_end"]) == ("2024-01-01", "2024-12-31")


class TestCompanyWrites:
    def test_a_partial_date_is_moved_to_the_start_of_its_period(self, editor_api):
        payload = {"slug": "x", "name_en": "X", "founded_on": "2019-06-11", "founded_on_precision": "year"}
        response = editor_api.post(reverse("api:company-list"), payload, format="json")
        assert response.status_code == 201, response.data
        assert (response.data["founded_on"], response.data["founded_on_display"]) == ("2019-01-01", "2019")

    def test_duplicate_slug_is_409_naming_the_field(self, editor_api):
        CompanyFactory(slug="zhipu-ai")
        payload = {"slug": "zhipu-ai", "name_en": "Z"}
        response = editor_api.post(reverse("api:company-list"), payload, format="json")
        assert response.status_code == 409
        assert "slug" in response.data
        assert Company.objects.count() == 1

    def test_a_second_house_investor_is_409(self, editor_api):
        InvestorFactory(is_house=True)
        payload = {"slug": "another", "name_en": "Another", "is_house": True}
        response = editor_api.post(reverse("api:investor-list"), payload, format="json")
        assert response.status_code == 409, response.data

    @pytest.mark.parametrize(
        ("field", "value"),
        [("name_en", 5), ("aliases", "Zhipu"), ("aliases", [1]), ("founded_on", "2019-6-1"), ("website", 3)],
    )
    def test_wrong_json_types_are_400(self, editor_api, field, value):
        payload = {"slug": "x", "name_en": "X"} | {field: value}
        response = editor_api.post(reverse("api:company-list"), payload, format="json")
        assert response.status_code == 400
        assert field in response.data

    def test_unknown_status_is_400(self, editor_api):
        response = editor_api.post(
            reverse("api:company-list"), {"slug": "z", "name_en": "Z", "status": "bankrupt"}, format="json"
        )
        assert response.status_code == 400
        assert "status" in response.data
        assert not Company.objects.exists()

    def test_unknown_country_is_400(self, editor_api):
        response = editor_api.post(
            reverse("api:company-list"), {"slug": "z", "name_en": "Z", "country": "XX"}, format="json"
        )
        assert response.status_code == 400
        assert "country" in response.data

    def test_company_with_releases_cannot_be_deleted(self, editor_api):
        release = ModelReleaseFactory()
        response = editor_api.delete(reverse("api:company-detail", args=[release.company.slug]))
        assert response.status_code == 409
        assert Company.objects.filter(pk=release.company_id).exists()


class TestKPIWrites:
    def test_model_release_of_another_company_is_400(self, editor_api):
        company = CompanyFactory()
        other_release = ModelReleaseFactory()
        metric = MetricFactory()
        payload = {
            "company": company.slug,
            "metric": metric.code,
            "value": "1",
            "model_release": other_release.pk,
        }
        response = editor_api.post(reverse("api:kpi-list"), payload, format="json")
        assert response.status_code == 400
        assert "model_release" in response.data

    def test_period_that_ends_before_it_starts_is_400(self, editor_api):
        company, metric = CompanyFactory(), MetricFactory()
        payload = {
            "company": company.slug,
            "metric": metric.code,
            "value": "1",
            "period_start": "2024-12-31",
            "period_end": "2024-01-01",
        }
        response = editor_api.post(reverse("api:kpi-list"), payload, format="json")
        assert response.status_code == 400
        assert not KPI.objects.exists()

    def test_unknown_company_slug_is_400(self, editor_api):
        metric = MetricFactory()
        payload = {"company": "no-such-company", "metric": metric.code, "value": "1"}
        response = editor_api.post(reverse("api:kpi-list"), payload, format="json")
        assert response.status_code == 400
        assert "company" in response.data


def test_a_money_kpi_comes_converted_and_another_kpi_does_not(viewer_api):
    ExchangeRateFactory(base="USD", quote="CNY", on=datetime.date(2024, 12, 31), rate=Decimal("7.3"))
    revenue = KPIFactory(
        metric=MetricFactory(code="revenue", unit="money"),
        period_start=datetime.date(2024, 1, 1),
        period_end=datetime.date(2024, 12, 31),
        value=Decimal("730000000"),
        currency="CNY",
    )
    share = KPIFactory(metric=MetricFactory(code="share", unit="percent"), value=Decimal("6.6"))
    converted = viewer_api.get(reverse("api:kpi-detail", args=[revenue.pk])).json()["value_converted"]
    assert (converted["amount"], converted["rate_date"]) == ("100000000.00", "2024-12-31")
    assert viewer_api.get(reverse("api:kpi-detail", args=[share.pk])).json()["value_converted"] is None
