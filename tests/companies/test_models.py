import datetime
from decimal import Decimal

import pytest
from django.db.models import ProtectedError

from companies.models import KPI, Company, ModelRelease, Source
from tests.companies.factories import (
    CompanyFactory,
    KPIFactory,
    MetricFactory,
    ModelReleaseFactory,
    SourceFactory,
)
from tests.helpers import assert_database_refuses, assert_validation_refuses

pytestmark = pytest.mark.django_db


@pytest.fixture
def company() -> Company:
    return CompanyFactory(slug="zhipu-ai", name_en="Zhipu AI", name_zh="智谱")


class TestCompany:
    def test_slug_is_unique(self, company):
        assert_database_refuses(CompanyFactory.build(slug=company.slug))

    def test_status_must_be_a_known_value(self):
        assert_database_refuses(CompanyFactory.build(status="bankrupt"))
        assert_validation_refuses(CompanyFactory.build(status="bankrupt"), "status")

    def test_precision_must_be_a_known_value(self):
        assert_database_refuses(CompanyFactory.build(founded_on_precision="week"))

    @pytest.mark.parametrize(
        ("founded_on", "precision"),
        [(datetime.date(2019, 6, 11), "year"), (datetime.date(2019, 6, 11), "month")],
    )
    def test_partial_date_must_be_the_first_day_of_its_period(self, founded_on, precision):
        assert_database_refuses(CompanyFactory.build(founded_on=founded_on, founded_on_precision=precision))

    def test_save_moves_a_partial_date_to_the_start_of_its_period(self):
        company = CompanyFactory(founded_on=datetime.date(2019, 6, 11), founded_on_precision="month")
        company.refresh_from_db()
        assert company.founded_on == datetime.date(2019, 6, 1)
        assert company.founded_on_display == "2019-06"

    def test_aliases_are_one_per_line(self):
        assert CompanyFactory.build(aliases="Zhipu\n 智谱AI \n\n").alias_list == ["Zhipu", "智谱AI"]

    def test_company_with_releases_cannot_be_deleted(self, company):
        ModelReleaseFactory(company=company)
        with pytest.raises(ProtectedError):
            company.delete()
        assert Company.objects.filter(pk=company.pk).exists()


class TestSource:
    def test_cited_source_cannot_be_deleted(self):
        release = ModelReleaseFactory()
        with pytest.raises(ProtectedError):
            release.source.delete()
        assert Source.objects.filter(pk=release.source_id).exists()

    def test_published_on_precision_is_checked(self):
        assert_database_refuses(
            SourceFactory.build(published_on=datetime.date(2026, 1, 8), published_on_precision="year")
        )


class TestModelRelease:
    def test_name_is_unique_per_company(self, company):
        ModelReleaseFactory(company=company, name="GLM-4")
        assert_database_refuses(ModelReleaseFactory.build(company=company, name="GLM-4", source=None))
        assert_validation_refuses(
            ModelReleaseFactory.build(company=company, name="GLM-4", source=None), "__all__"
        )

    def test_the_same_name_may_be_used_by_another_company(self, company):
        ModelReleaseFactory(company=company, name="GLM-4")
        ModelReleaseFactory(company=CompanyFactory(), name="GLM-4")
        assert ModelRelease.objects.filter(name="GLM-4").count() == 2

    def test_parameter_count_must_be_positive(self, company):
        assert_database_refuses(
            ModelReleaseFactory.build(company=company, parameters_b=Decimal("-6"), source=None)
        )

    def test_kind_must_be_a_known_value(self, company):
        assert_database_refuses(ModelReleaseFactory.build(company=company, kind="robot", source=None))

    def test_released_on_precision_is_checked(self, company):
        row = ModelReleaseFactory.build(
            company=company, released_on=datetime.date(2025, 7, 28), released_on_precision="year", source=None
        )
        assert_database_refuses(row)

    def test_display_follows_precision(self, company):
        release = ModelReleaseFactory(
            company=company, released_on=datetime.date(2021, 3, 5), released_on_precision="year"
        )
        assert (release.released_on, release.released_on_display) == (datetime.date(2021, 1, 1), "2021")

    def test_changes_are_kept_in_history(self, company):
        release = ModelReleaseFactory(company=company, name="GLM-4")
        release.parameters_b = Decimal("9")
        release.save()
        assert [h.history_type for h in release.history.all()] == ["~", "+"]
        assert release.history.first().parameters_b == Decimal("9")


class TestMetric:
    def test_code_is_unique(self):
        MetricFactory(code="market_share")
        assert_database_refuses(MetricFactory.build(code="market_share"))

    def test_unit_must_be_a_known_value(self):
        assert_database_refuses(MetricFactory.build(unit="furlongs"))

    def test_metric_with_kpis_cannot_be_deleted(self):
        kpi = KPIFactory()
        with pytest.raises(ProtectedError):
            kpi.metric.delete()


class TestKPI:
    def test_period_must_not_end_before_it_starts(self, company):
        row = KPIFactory.build(
            company=company,
            metric=MetricFactory(),
            source=None,
            period_start=datetime.date(2024, 12, 31),
            period_end=datetime.date(2024, 1, 1),
        )
        assert_database_refuses(row)

    def test_qualifier_must_be_a_known_value(self, company):
        assert_database_refuses(
            KPIFactory.build(company=company, metric=MetricFactory(), source=None, qualifier="ne")
        )

    def test_currency_must_be_iso_4217(self, company):
        assert_database_refuses(
            KPIFactory.build(company=company, metric=MetricFactory(), source=None, currency="ABC")
        )
        assert_validation_refuses(
            KPIFactory.build(company=company, metric=MetricFactory(), source=None, currency="ABC"), "currency"
        )

    def test_model_release_must_belong_to_the_company(self, company):
        other_release = ModelReleaseFactory()
        row = KPIFactory.build(
            company=company, metric=MetricFactory(), source=None, model_release=other_release
        )
        assert_validation_refuses(row, "model_release")

    def test_money_metric_needs_a_currency(self, company):
        row = KPIFactory.build(company=company, metric=MetricFactory(unit="money"), source=None, currency="")
        assert_validation_refuses(row, "currency")

    @pytest.mark.parametrize(
        ("unit", "qualifier", "value", "expected"),
        [
            ("percent", "eq", "6.6", "6.6%"),
            ("count", "gt", "10000000", "> 10,000,000"),
            ("rank", "eq", "1", "#1"),
            ("rank", "lte", "10", "≤ #10"),
        ],
    )
    def test_value_is_shown_as_a_reader_says_it(self, company, unit, qualifier, value, expected):
        kpi = KPIFactory(
            company=company, metric=MetricFactory(unit=unit), qualifier=qualifier, value=Decimal(value)
        )
        kpi.refresh_from_db()
        assert kpi.value_display == expected
        assert isinstance(kpi, KPI)
