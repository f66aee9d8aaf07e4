"""The firm's view in the admin: the overview on the home page and the position on a company's page."""

import json
import re

import pytest
from django.urls import reverse

from companies.models import Company
from rounds.models import Investor
from tests.companies.factories import KPIFactory, MetricFactory
from tests.conftest import grant
from tests.helpers import queries_of_a_get
from tests.rounds.factories import FundingRoundFactory, ParticipationFactory

pytestmark = pytest.mark.django_db

HOME = reverse("admin:index")
AS_OF = {"as_of": "2025-12-31"}


@pytest.fixture
def staff_client(client, django_user_model):
    def log_in(*actions: str, apps=("companies", "rounds", "fx")):
        name = f"staff-{'-'.join(actions)}-{'-'.join(apps)}"
        user, _ = django_user_model.objects.get_or_create(username=name, is_staff=True)
        grant(user, *actions, apps=apps)
        client.force_login(user)
        return client

    return log_in


def chart(response, name: str) -> dict:
    found = re.search(
        rf'<script id="{name}" type="application/json">(.*?)</script>', response.content.decode()
    )
    assert found, name
    return json.loads(found.group(1))


def table_rows(response, table_id: str) -> list[str]:
    html = response.content.decode()
    body = html.split(f'id="{table_id}"', 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in body.split("</tr>")[:-1]]


@pytest.mark.usefixtures("portfolio")
class TestOverview:
    def test_the_home_page_opens_on_the_positions_with_totals(self, staff_client):
        response = staff_client("view", "export").get(HOME, AS_OF)
        assert response.status_code == 200
        html = response.content.decode()
        assert "The portfolio as of 2025-12-31, in USD" in html
        rows = table_rows(response, "positions")
        assert [row.split(" ")[0] for row in rows] == ["Alpha", "Beta", "Gamma"]
        alpha = rows[0]
        for figure in ("8,125,000.00", "4.3333% implied", "8,666,666.67", "1.07x", "2.5%", "write-down"):
            assert figure in alpha, figure
        assert "unknown A轮 (2022): The amount is not known." in rows[2]
        assert "Total of 3 positions" in html and "9,375,000.00 known for 2 positions" in html
        assert "Portfolio records" in html  # the list of records follows

    def test_charts_have_the_tables_figures(self, staff_client):
        response = staff_client("view").get(HOME, AS_OF)
        cost_and_value = chart(response, "chart-cost-value-data")
        assert (
            cost_and_value["labels"] == ["Alpha (公司0)", "Beta (公司1)", "Gamma (公司2)"]
            or len(cost_and_value["labels"]) == 3
        )
        assert cost_and_value["datasets"] == [
            {"label": "Cost", "data": [8125000.0, 1250000.0, None]},
            {"label": "Value", "data": [8666666.67, 3333333.33, None]},
        ]
        invested = chart(response, "chart-invested-data")
        assert invested["labels"] == ["2021-12-31", "2022-05-10", "2024-03-31"]
        assert invested["datasets"][0]["data"] == [3125000.0, 4375000.0, 9375000.0]
        rows = table_rows(response, "invested")
        assert len(rows) == 4 and "not counted" in rows[2]
        assert "1 investment has no known cost or date" in response.content.decode()

    @pytest.mark.parametrize(
        ("params", "expected"),
        [
            ({"status": "listed"}, ["Beta"]),
            ({"entry_year": "2021"}, ["Alpha"]),
            ({"ordering": "-cost"}, ["Alpha", "Beta", "Gamma"]),
            ({"ordering": "cost"}, ["Beta", "Alpha", "Gamma"]),
            ({"as_of": "2021-06-30"}, ["Alpha"]),
        ],
    )
    def test_filters_and_sorting(self, staff_client, params, expected):
        response = staff_client("view").get(HOME, {**AS_OF, **params})
        assert [row.split(" ")[0] for row in table_rows(response, "positions")] == expected

    def test_a_column_header_sorts_and_then_reverses(self, staff_client):
        html = staff_client("view").get(HOME, {**AS_OF, "ordering": "cost"}).content.decode()
        assert 'class="sortable number ascending"><a href="?as_of=2025-12-31&amp;ordering=-cost"' in html

    def test_bad_filters_say_so_and_show_today(self, staff_client):
        response = staff_client("view").get(HOME, {"as_of": "2999-01-01"})
        html = response.content.decode()
        assert "Some filters are not valid" in html and "Give today or an earlier day." in html

    def test_exports_are_offered_to_who_may_export(self, staff_client):
        html = staff_client("view", "export").get(HOME, {**AS_OF, "status": "listed"}).content.decode()
        assert "/api/v1/portfolio/?as_of=2025-12-31&amp;status=listed&amp;format=csv" in html
        assert "/api/v1/portfolio/?" not in staff_client("view").get(HOME, AS_OF).content.decode()

    def test_staff_who_may_not_read_positions_get_the_records_only(self, staff_client):
        response = staff_client("view", apps=("companies",)).get(HOME)
        assert response.status_code == 200
        assert "portfolio-overview" not in response.content.decode()

    def test_in_chinese(self, staff_client):
        response = staff_client("view").get(HOME, AS_OF, HTTP_ACCEPT_LANGUAGE="zh-hans")
        html = response.content.decode()
        assert "截至 2025-12-31 的投资组合（USD）" in html
        assert "A轮 (2022)：本机构的投资金额未知。" in html or "金额未知。" in html

    def test_queries_do_not_grow_with_positions(self, staff_client):
        client = staff_client("view")

        def count() -> int:
            return queries_of_a_get(client, HOME, AS_OF)

        count()
        few = count()
        house = Investor.objects.get(is_house=True)
        for _ in range(8):
            ParticipationFactory(funding_round=FundingRoundFactory(), investor=house)
        assert count() == few


@pytest.mark.usefixtures("portfolio")
class TestCompanyPage:
    def page(self, client, slug: str, **headers):
        company = Company.objects.get(slug=slug)
        return client.get(reverse("admin:companies_company_change", args=[company.pk]), **headers)

    def test_the_position_rounds_with_the_firms_row_marked_and_marks(self, staff_client, settings):
        response = self.page(staff_client("view"), "alpha")
        assert response.status_code == 200
        html = response.content.decode()
        assert "The firm's position as of" in html
        figures = table_rows(response, "position-figures")
        assert any("Cost (USD) 8,125,000.00" in row for row in figures)
        rounds = html.split('id="company-rounds"', 1)[1].split("</table>", 1)[0]
        assert rounds.count('class="house-investor"') == 2  # Series A and Series C
        assert "the firm" in rounds
        marks = table_rows(response, "company-marks")
        assert marks == ["2025-06-30 write-down 1,400,000,000.00 CNY —"]

    def test_each_kpi_over_time_as_a_chart_and_a_table(self, staff_client):
        import datetime

        company = Company.objects.get(slug="alpha")
        share = MetricFactory(code="market_share", name_en="Market share", name_zh="市场份额", unit="percent")
        for year, value in ((2023, "5.1"), (2024, "6.6")):
            KPIFactory(
                company=company,
                metric=share,
                period_start=datetime.date(year, 1, 1),
                period_end=datetime.date(year, 12, 31),
                value=value,
            )
        response = self.page(staff_client("view"), "alpha")
        data = chart(response, "kpi-data-market_share")
        assert data["labels"] == ["2023", "2024"]
        assert data["datasets"][0]["data"] == [5.1, 6.6]
        assert data["unit"] == "percent"
        zh = self.page(staff_client("view"), "alpha", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        assert "<figcaption>市场份额</figcaption>" in zh

    def test_a_company_outside_the_portfolio_says_so(self, staff_client):
        from tests.companies.factories import CompanyFactory

        outside = CompanyFactory(slug="outside")
        html = staff_client("view").get(reverse("admin:companies_company_change", args=[outside.pk]))
        assert "The firm holds no position in this company." in html.content.decode()
