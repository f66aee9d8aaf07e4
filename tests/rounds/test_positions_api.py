"""The firm's view in the API: the portfolio with totals, one company's position, and KPI series."""

import csv
import io
import json

import openpyxl
import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tests.api_cases import body
from tests.companies.factories import CompanyFactory, KPIFactory, MetricFactory
from tests.helpers import queries_of_a_get
from tests.rounds.factories import FundingRoundFactory, ParticipationFactory

pytestmark = pytest.mark.django_db

PORTFOLIO = reverse("api:portfolio")
AS_OF = {"as_of": "2025-12-31"}


def position_url(slug: str) -> str:
    return reverse("api:company-position", args=[slug])


def series_url(slug: str) -> str:
    return reverse("api:company-kpi-series", args=[slug])


@pytest.mark.usefixtures("portfolio")
class TestPortfolio:
    def test_one_row_per_position_with_its_figures(self, viewer_api):
        response = viewer_api.get(PORTFOLIO, AS_OF)
        assert response.status_code == 200, response.data
        data = response.json()
        assert (data["as_of"], data["currency"], data["count"]) == ("2025-12-31", "USD", 3)
        alpha = {p["company"]: p for p in data["results"]}["alpha"]
        assert alpha["first_investment"]["label"] == "Series A"
        assert alpha["first_investment"]["announced_on_display"] == "2021"
        assert alpha["first_investment"]["role"] == "lead"
        assert [(r["label"], r["role"], r["is_follow_on"]) for r in alpha["rounds"]] == [
            ("Series A", "lead", False),
            ("Series C", "participant", True),
        ]
        assert alpha["rounds"][0]["amount"] == "20000000.00"
        assert alpha["rounds"][0]["cost"] == {
            "amount": "3125000.00",
            "currency": "USD",
            "rate": "0.15625",
            "rate_date": "2021-12-31",
            "rate_origin": "ecb",
            "reason": "",
        }
        assert alpha["cost"]["amount"] == "8125000.00"
        assert alpha["ownership"] == {
            "percent": "4.3333",
            "basis": "implied",
            "reason": "",
            "not_counted": [],
        }
        assert alpha["mark"]["kind"] == "mark" and alpha["mark"]["basis"] == "write_down"
        assert alpha["mark"]["company_value"] == "1400000000.00"
        assert (alpha["value"]["amount"], alpha["value"]["rate_date"]) == ("8666666.67", "2025-12-31")
        assert alpha["value_method"] == "ownership_times_value"
        assert alpha["moic"] == {"value": "1.07", "reason": ""}
        assert alpha["irr"] == {"value": "0.024812", "reason": ""}

    def test_unknown_figures_are_null_with_the_reason(self, viewer_api):
        gamma = {p["company"]: p for p in viewer_api.get(PORTFOLIO, AS_OF).json()["results"]}["gamma"]
        assert gamma["cost"]["amount"] is None
        assert gamma["cost"]["reason"] == "A轮 (2022): The amount is not known."
        assert gamma["value"]["amount"] is None and gamma["value"]["reason"]
        assert gamma["moic"]["value"] is None and gamma["irr"]["value"] is None
        assert gamma["mark"] is None

    def test_totals_count_the_positions_they_could_sum(self, viewer_api):
        totals = viewer_api.get(PORTFOLIO, AS_OF).json()["totals"]
        assert totals["cost"]["amount"] is None
        assert totals["cost"]["reason"] == "1 of 3 positions have no known cost."
        assert (totals["known_cost"], totals["known_value"]) == ("9375000.00", "12000000.00")
        assert (totals["positions"], totals["positions_with_cost"], totals["positions_with_value"]) == (
            3,
            2,
            2,
        )
        known = viewer_api.get(
            PORTFOLIO, {**AS_OF, "q": "a", "status": "private,listed", "sector": ""}
        ).json()
        assert known["count"] == 3

    @pytest.mark.parametrize(
        ("params", "expected"),
        [
            ({"status": "listed"}, ["beta"]),
            ({"status": "private"}, ["alpha", "gamma"]),
            ({"country": "cn"}, ["alpha", "beta", "gamma"]),
            ({"country": "SG"}, []),
            ({"entry_year": "2021"}, ["alpha"]),
            ({"entry_year": "2022"}, ["beta", "gamma"]),
            ({"q": "Gamma"}, ["gamma"]),
            ({"sector": "robot"}, ["beta"]),
            ({"as_of": "2021-06-30"}, ["alpha"]),
            ({"as_of": "2020-12-31"}, []),
            ({"ordering": "cost"}, ["beta", "alpha", "gamma"]),
            ({"ordering": "-cost"}, ["alpha", "beta", "gamma"]),
            ({"ordering": "-moic"}, ["beta", "alpha", "gamma"]),
            ({"ordering": "irr"}, ["alpha", "beta", "gamma"]),
            ({"ordering": "-value"}, ["alpha", "beta", "gamma"]),
            ({"ordering": "entry"}, ["alpha", "gamma", "beta"]),
            ({"ordering": "-company"}, ["gamma", "beta", "alpha"]),
        ],
    )
    def test_filters_and_ordering(self, viewer_api, params, expected):
        from companies.models import Company

        Company.objects.filter(slug="beta").update(sector="Robotics")
        response = viewer_api.get(PORTFOLIO, {**AS_OF, **params})
        assert response.status_code == 200, response.data
        assert [p["company"] for p in response.json()["results"]] == expected

    @pytest.mark.parametrize(
        "params",
        [
            {"as_of": "2099-01-01"},
            {"as_of": "31/12/2025"},
            {"as_of": ""},
            {"entry_year": "twenty"},
            {"entry_year": "1800"},
            {"status": "bankrupt"},
            {"ordering": "name"},
            {"page": "2"},
            {"updated_since": "2026-01-01T00:00:00Z"},
        ],
        ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()),
    )
    def test_bad_parameters_are_400_naming_them(self, viewer_api, params):
        response = viewer_api.get(PORTFOLIO, params)
        assert response.status_code == 400, response.data
        assert set(params) <= set(response.data)

    def test_csv_has_one_row_per_position(self, viewer_api):
        response = viewer_api.get(PORTFOLIO, {**AS_OF, "format": "csv", "ordering": "company"})
        assert response.status_code == 200
        disposition = response["Content-Disposition"]
        assert disposition.startswith('attachment; filename="portfolio-as-of-2025-12-31-')
        rows = list(csv.DictReader(io.StringIO(body(response).decode("utf-8-sig"))))
        assert [r["company"] for r in rows] == ["alpha", "beta", "gamma"]
        alpha, beta, gamma = rows
        assert (alpha["cost"], alpha["value"], alpha["moic"], alpha["irr"]) == (
            "8125000.00",
            "8666666.67",
            "1.07",
            "0.024812",
        )
        assert alpha["rounds"] == "Series A (2021) lead; Series C (2024-03) participant follow-on"
        assert (beta["ownership_percent"], beta["ownership_basis"]) == ("2.5000", "stated")
        assert (gamma["cost"], gamma["cost_reason"]) == ("", "A轮 (2022): The amount is not known.")

    def test_xlsx_and_json_exports(self, viewer_api):
        response = viewer_api.get(PORTFOLIO, {**AS_OF, "format": "xlsx"})
        assert response.status_code == 200
        sheet = openpyxl.load_workbook(io.BytesIO(body(response))).active
        rows = list(sheet.iter_rows(values_only=True))
        header = rows[0]
        assert len(rows) == 4
        alpha = dict(zip(header, rows[1], strict=True))
        assert float(alpha["value"]) == pytest.approx(8666666.67)
        response = viewer_api.get(PORTFOLIO, {**AS_OF, "format": "json"})
        assert [row["company"] for row in json.loads(body(response))] == ["alpha", "beta", "gamma"]

    def test_queries_do_not_grow_with_positions(self, viewer_api, make_api_client):
        def count() -> int:
            return queries_of_a_get(viewer_api, PORTFOLIO, AS_OF)

        count()
        few = count()
        from rounds.models import Investor

        house = Investor.objects.get(is_house=True)
        for _ in range(10):
            ParticipationFactory(funding_round=FundingRoundFactory(), investor=house)
        assert count() == few


def test_the_article_shows_zhipus_position_with_every_money_figure_unknown(viewer_api, article):
    data = viewer_api.get(PORTFOLIO).json()
    [zhipu] = data["results"]
    assert zhipu["company"] == "zhipu-ai"
    assert (zhipu["first_investment"]["label"], zhipu["first_investment"]["role"]) == ("A轮", "lead")
    for figure in (zhipu["cost"], zhipu["value"]):
        assert figure["amount"] is None and figure["reason"]
    for figure in (zhipu["moic"], zhipu["irr"], zhipu["shares"]):
        assert figure["value"] is None and figure["reason"]
    assert zhipu["ownership"]["percent"] is None and zhipu["ownership"]["reason"]


@pytest.mark.usefixtures("portfolio")
class TestCompanyPosition:
    def test_one_companys_position(self, viewer_api):
        response = viewer_api.get(position_url("beta"), AS_OF)
        assert response.status_code == 200, response.data
        data = response.json()
        assert (data["company"], data["cost"]["amount"], data["value"]["amount"]) == (
            "beta",
            "1250000.00",
            "3333333.33",
        )
        assert data["shares"] == {"value": "1000000", "reason": ""}
        assert data["mark"]["kind"] == "listing" and data["mark"]["price_per_share"] == "25"

    def test_a_company_outside_the_portfolio_or_before_the_investment_is_404(self, viewer_api):
        CompanyFactory(slug="outside")
        assert viewer_api.get(position_url("outside")).status_code == 404
        response = viewer_api.get(position_url("alpha"), {"as_of": "2020-01-01"})
        assert response.status_code == 404
        assert response.json()["detail"] == "The firm holds no position in Alpha as of 2020-01-01."
        assert viewer_api.get(position_url("no-such-company")).status_code == 404

    @pytest.mark.parametrize("params", [{"as_of": "soon"}, {"as_of": "2999-01-01"}, {"status": "listed"}])
    def test_bad_parameters_are_400(self, viewer_api, params):
        response = viewer_api.get(position_url("alpha"), params)
        assert response.status_code == 400
        assert set(params) <= set(response.json())


class TestKPISeries:
    @pytest.fixture
    def company(self, db):
        company = CompanyFactory(slug="zhipu-ai")
        share = MetricFactory(code="market_share", unit="percent")
        downloads = MetricFactory(code="downloads", unit="count")
        import datetime

        D = datetime.date
        KPIFactory(company=company, metric=share, period_start=D(2025, 1, 1), period_end=D(2025, 12, 31))
        KPIFactory(company=company, metric=share, period_start=D(2024, 1, 1), period_end=D(2024, 12, 31))
        KPIFactory(company=company, metric=downloads, period_start=D(2025, 7, 28), period_end=D(2025, 8, 26))
        KPIFactory(company=company, metric=downloads, period_start=None, period_end=None)
        KPIFactory(company=CompanyFactory(slug="other"), metric=share)
        return company

    def test_each_metric_is_a_series_oldest_first(self, viewer_api, company):
        data = viewer_api.get(series_url("zhipu-ai")).json()
        assert data["company"] == "zhipu-ai"
        assert [(s["metric"], s["unit"], len(s["points"])) for s in data["series"]] == [
            ("downloads", "count", 2),
            ("market_share", "percent", 2),
        ]
        downloads, share = data["series"]
        assert [p["period_display"] for p in share["points"]] == ["2024", "2025"]
        assert [p["period_precision"] for p in share["points"]] == ["year", "year"]
        # A value with no period is not dropped: it comes last, for a table if not a chart.
        assert [p["period_end"] for p in downloads["points"]] == ["2025-08-26", None]
        assert set(share["points"][0]) >= {
            "value",
            "qualifier",
            "scope",
            "currency",
            "source",
            "value_display",
        }

    def test_one_metric(self, viewer_api, company):
        data = viewer_api.get(series_url("zhipu-ai"), {"metric": "market_share"}).json()
        assert [s["metric"] for s in data["series"]] == ["market_share"]

    def test_an_unknown_metric_has_no_series(self, viewer_api, company):
        response = viewer_api.get(series_url("zhipu-ai"), {"metric": "no_such_metric"})
        assert (response.status_code, response.json()["series"]) == (200, [])

    @pytest.mark.parametrize("params", [{"metric": ""}, {"period": "2024"}])
    def test_bad_parameters_are_400(self, viewer_api, company, params):
        response = viewer_api.get(series_url("zhipu-ai"), params)
        assert response.status_code == 400
        assert set(params) <= set(response.json())

    def test_an_unknown_company_is_404(self, viewer_api, db):
        assert viewer_api.get(series_url("nobody")).status_code == 404

    def test_queries_do_not_grow_with_points(self, viewer_api, company):
        def count() -> int:
            return queries_of_a_get(viewer_api, series_url("zhipu-ai"))

        count()
        few = count()
        for _ in range(10):
            KPIFactory(company=company)
        assert count() == few


ENDPOINTS = [
    ("portfolio", PORTFOLIO),
    ("position", position_url("alpha")),
    ("series", series_url("alpha")),
]


@pytest.mark.usefixtures("portfolio")
@pytest.mark.parametrize(("name", "url"), ENDPOINTS, ids=[name for name, _ in ENDPOINTS])
@pytest.mark.parametrize(
    ("actions", "read_only", "method", "expected"),
    [
        (None, False, "get", 401),
        ((), False, "get", 403),
        (("export",), False, "get", 403),
        (("view",), False, "get", 200),
        (("view",), True, "get", 200),
        (("view", "add", "change", "delete"), False, "post", 405),
        (("view", "add", "change", "delete"), False, "delete", 405),
        (("view",), False, "export", 403),
        (("view", "export"), False, "export", 200),
    ],
)
def test_permission_matrix(make_api_client, name, url, actions, read_only, method, expected):
    if name != "portfolio" and method == "export":
        expected = 400  # only the portfolio exports; the others refuse the parameter
    client = APIClient() if actions is None else make_api_client(*actions, read_only=read_only)
    if method == "export":
        response = client.get(url, {**AS_OF, "format": "csv"} if name == "portfolio" else {"format": "csv"})
    elif method == "get":
        response = client.get(url, AS_OF if name != "series" else {})
    else:
        response = getattr(client, method)(url)
    assert response.status_code == expected


def test_the_schema_describes_the_firms_view_with_examples(viewer_api):
    response = viewer_api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    schema = json.loads(response.content)
    paths = schema["paths"]
    for path in (
        "/api/v1/portfolio/",
        "/api/v1/companies/{slug}/position/",
        "/api/v1/companies/{slug}/kpis/series/",
    ):
        content = paths[path]["get"]["responses"]["200"]["content"]["application/json"]
        assert content.get("examples"), path
    parameters = {p["name"] for p in paths["/api/v1/portfolio/"]["get"]["parameters"]}
    assert {"as_of", "status", "sector", "country", "entry_year", "ordering", "q", "format"} <= parameters
    assert "text/csv" in paths["/api/v1/portfolio/"]["get"]["responses"]["200"]["content"]
    converted = schema["components"]["schemas"]["FundingRound"]["properties"]["amount_converted"]
    assert converted == {"allOf": [{"$ref": "#/components/schemas/ConvertedAmount"}], "readOnly": True}
