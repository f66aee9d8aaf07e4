"""Spreadsheet import of companies, model releases and KPIs: matching by natural key, idempotence, errors."""

import datetime
from decimal import Decimal

import pytest

from companies.models import KPI, Company, ModelRelease
from companies.resources import CompanyResource, KPIResource, ModelReleaseResource
from tests.companies.factories import CompanyFactory, KPIFactory, MetricFactory, ModelReleaseFactory
from tests.helpers import import_file, invalid_cells, sample

pytestmark = pytest.mark.django_db


def history_rows() -> int:
    return Company.history.count() + ModelRelease.history.count() + KPI.history.count()


@pytest.mark.parametrize(
    ("resource", "name", "model"),
    [
        (CompanyResource, "companies.csv", Company),
        (ModelReleaseResource, "model_releases.xlsx", ModelRelease),
        (KPIResource, "kpis.csv", KPI),
    ],
)
def test_the_sample_files_restate_the_article_so_importing_them_changes_nothing(
    article, resource, name, model
):
    before = history_rows()
    result = import_file(resource(), sample(name), file_name=name)
    assert not result.has_errors() and not result.has_validation_errors(), invalid_cells(result)
    assert result.totals["skip"] == model.objects.count() > 0
    assert result.totals["new"] == result.totals["update"] == 0
    assert history_rows() == before


@pytest.mark.parametrize("resource", [CompanyResource, ModelReleaseResource, KPIResource])
def test_an_export_in_either_format_reimports_unchanged(article, resource):
    dataset = resource().export()
    for content in (dataset.csv, dataset.export("xlsx")):
        result = import_file(resource(), content)
        assert result.totals["skip"] == len(dataset) and not result.has_validation_errors()


def test_a_new_company_with_a_date_known_to_the_month():
    content = (
        "slug,name_en,name_zh,status,founded_on,country\nmoonshot,Moonshot AI,月之暗面,Private,2023-03,CN\n"
    )
    result = import_file(CompanyResource(), content, file_name="companies.csv")
    assert result.totals["new"] == 1
    company = Company.objects.get(slug="moonshot")
    assert (company.name_zh, company.status, company.founded_on, company.founded_on_precision) == (
        "月之暗面",
        "private",
        datetime.date(2023, 3, 1),
        "month",
    )
    record = company.history.get()
    assert record.history_change_reason == "Imported from companies.csv"


def test_company_cells_are_validated_like_the_admin_form():
    content = "slug,name_en,status,country,website\nbad slug,,public,XX,not a url\n"
    result = import_file(CompanyResource(), content)
    assert set(invalid_cells(result)[2]) == {"slug", "name_en", "status", "country", "website"}
    assert Company.objects.count() == 0


def test_releases_are_matched_by_company_and_name():
    zhipu, other = CompanyFactory(slug="zhipu-ai"), CompanyFactory(slug="other")
    release = ModelReleaseFactory(company=zhipu, name="GLM-4.5", parameters_b=Decimal("355"))
    content = (
        "company,name,parameters_b,open_weights,kind\n"
        "zhipu-ai,GLM-4.5,356,yes,base\n"
        "other,GLM-4.5,10,no,chat\n"
    )

    result = import_file(ModelReleaseResource(), content)

    assert (result.totals["update"], result.totals["new"]) == (1, 1)
    release.refresh_from_db()
    assert release.parameters_b == Decimal("356") and release.open_weights is True
    assert ModelRelease.objects.get(company=other).kind == "chat"


def test_kpis_are_matched_by_company_metric_release_period_and_scope():
    kpi = KPIFactory(
        company__slug="zhipu-ai", metric__code="downloads", scope="Hugging Face", value=Decimal("10")
    )
    MetricFactory(code="share")
    header = "company,metric,model_release,period_start,period_end,qualifier,value,scope\n"
    content = header + (
        "zhipu-ai,downloads,,2024-01-01,2024-12-31,more than,20,Hugging Face\n"
        "zhipu-ai,share,,2024-01-01,2024-12-31,eq,6.6,China\n"
    )

    result = import_file(KPIResource(), content)

    assert (result.totals["update"], result.totals["new"]) == (1, 1)
    kpi.refresh_from_db()
    assert (kpi.value, kpi.qualifier) == (Decimal("20"), "gt")


def test_a_kpi_release_is_looked_up_among_the_rows_company_only():
    ModelReleaseFactory(company=CompanyFactory(slug="other"), name="GLM-4.5")
    CompanyFactory(slug="zhipu-ai")
    MetricFactory(code="downloads")
    content = "company,metric,model_release,value\nzhipu-ai,downloads,GLM-4.5,1\n"
    errors = invalid_cells(import_file(KPIResource(), content))
    assert errors[2]["model_release"] == ["No model release has the name “GLM-4.5”."]


def test_the_broken_kpi_spreadsheet_writes_nothing_and_names_each_wrong_row_and_field(article):
    before = (KPI.objects.count(), history_rows())

    result = import_file(KPIResource(), sample("broken/kpis.xlsx"))

    assert (KPI.objects.count(), history_rows()) == before
    errors = invalid_cells(result)
    assert set(errors) == {2, 3}
    assert errors[2] == {"value": ["Enter a number, not “about six”."]}
    assert set(errors[3]) == {"metric", "model_release", "period_end", "qualifier"}


def test_a_period_that_ends_before_it_starts_is_refused(article):
    content = "company,metric,period_start,period_end,value\nzhipu-ai,market_share,2025-01-01,2024-01-01,5\n"
    errors = invalid_cells(import_file(KPIResource(), content))
    assert "The period cannot end before it starts." in str(errors[2])


def test_a_kpi_release_is_found_when_its_company_is_written_by_name(article):
    header = "company,metric,model_release,period_start,period_end,value,scope\n"
    content = header + "智谱,hf_downloads,GLM-4.5,,,1,New scope\n"
    result = import_file(KPIResource(), content)
    assert result.totals["new"] == 1, invalid_cells(result)
    assert KPI.objects.get(scope="New scope").model_release.name == "GLM-4.5"
