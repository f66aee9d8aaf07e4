"""The rounds app's API resources, the round history and the timeline."""

import csv
import datetime
import io
import json
import re
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from portfolio.models import Change
from rounds.models import FundingRound, Investor, Listing, Participation, ValuationMark
from tests.api_cases import APIResourceCase, body
from tests.companies.factories import CompanyFactory, KPIFactory, ModelReleaseFactory
from tests.conftest import grant
from tests.fx.factories import ExchangeRateFactory
from tests.rounds.factories import (
    FundingRoundFactory,
    InvestorFactory,
    ListingFactory,
    ParticipationFactory,
    ValuationMarkFactory,
)

pytestmark = pytest.mark.django_db


class TestInvestorAPI(APIResourceCase):
    basename = "investor"
    model = Investor
    factory = InvestorFactory
    lookup_field = lookup_key = "slug"
    update_payload = {"name_zh": "红杉中国", "kind": "pe", "aliases": ["Sequoia"]}

    def create_payload(self):
        return {
            "slug": "hongshan",
            "name_en": "HongShan",
            "name_zh": "红杉中国",
            "kind": "vc",
            "country": "CN",
        }


class TestFundingRoundAPI(APIResourceCase):
    basename = "fundinground"
    model = FundingRound
    factory = FundingRoundFactory
    update_payload = {"amount": "1000000.00", "currency": "CNY", "stage": "a_plus", "label": "A+轮"}

    def make(self):
        funding_round = FundingRoundFactory()
        ParticipationFactory(funding_round=funding_round, role="lead")
        ParticipationFactory(funding_round=funding_round)
        return funding_round

    def create_payload(self):
        company = CompanyFactory(slug="zhipu-ai")
        return {
            "company": company.slug,
            "stage": "b",
            "label": "B轮",
            "announced_on": "2022-01-01",
            "announced_on_precision": "year",
        }


class TestParticipationAPI(APIResourceCase):
    basename = "participation"
    model = Participation
    factory = ParticipationFactory
    update_payload = {"role": "co_lead", "is_follow_on": True}

    def create_payload(self):
        funding_round = FundingRoundFactory()
        investor = InvestorFactory(slug="fortune-capital")
        return {"round": funding_round.pk, "investor": investor.slug, "role": "lead"}


class TestListingAPI(APIResourceCase):
    basename = "listing"
    model = Listing
    factory = ListingFactory
    update_payload = {"ticker": "2513", "offer_price": "116.20", "currency": "HKD"}

    def create_payload(self):
        company = CompanyFactory(slug="zhipu-ai")
        return {
            "company": company.slug,
            "kind": "ipo",
            "exchange": "HKEX",
            "listed_on": "2026-01-08",
            "listed_on_precision": "day",
        }


class TestValuationMarkAPI(APIResourceCase):
    basename = "valuationmark"
    model = ValuationMark
    factory = ValuationMarkFactory
    update_payload = {"basis": "write_down", "value": "800000000.00", "currency": "CNY"}

    def create_payload(self):
        company = CompanyFactory(slug="zhipu-ai")
        return {
            "company": company.slug,
            "marked_on": "2026-06-30",
            "basis": "public_market",
            "price_per_share": "131.500000",
            "currency": "HKD",
        }

    def test_a_mark_needs_a_value_or_a_price_and_its_currency(self, editor_api):
        company = CompanyFactory(slug="zhipu-ai")
        url = reverse("api:valuationmark-list")
        base = {"company": company.slug, "marked_on": "2026-06-30", "basis": "other"}
        response = editor_api.post(url, base, format="json")
        assert response.status_code == 400, response.data
        response = editor_api.post(url, {**base, "value": "100"}, format="json")
        assert response.status_code == 400 and "currency" in response.data, response.data
        assert not ValuationMark.objects.exists()


@pytest.mark.usefixtures("article")
class TestRoundsOfTheArticle:
    def test_round_shows_company_and_participations(self, viewer_api):
        [data] = viewer_api.get(reverse("api:fundinground-list")).data["results"]
        assert (data["company"], data["company_name_zh"], data["stage"], data["label"]) == (
            "zhipu-ai",
            "智谱",
            "a",
            "A轮",
        )
        assert (data["announced_on"], data["announced_on_precision"], data["announced_on_display"]) == (
            "2021-01-01",
            "year",
            "2021",
        )
        assert data["amount"] is None
        assert data["participations"] == [
            {
                "id": 1,
                "investor": "fortune-capital",
                "investor_name_en": "Fortune Capital",
                "investor_name_zh": "达晨财智",
                "role": "lead",
                "is_follow_on": False,
                "amount": None,
                "currency": "",
                "amount_converted": {
                    "amount": None,
                    "currency": "USD",
                    "rate": None,
                    "rate_date": None,
                    "rate_origin": "",
                    "reason": "The amount is not known.",
                },
                "shares_after": None,
                "ownership_after": None,
                "source": 1,
                "source_quote": data["participations"][0]["source_quote"],
                "version": 1,
            }
        ]
        assert data["participations"][0]["source_quote"].startswith("达晨作为智谱的早期投资方")

    def test_listing(self, viewer_api):
        [data] = viewer_api.get(reverse("api:listing-list")).data["results"]
        assert (data["exchange"], data["listed_on"], data["listed_on_precision"], data["kind"]) == (
            "HKEX",
            "2026-01-08",
            "day",
            "ipo",
        )


class TestRoundHistory:
    url = staticmethod(lambda slug="zhipu-ai", **_: reverse("api:company-rounds", args=[slug]))

    @pytest.fixture
    def history(self, article):
        later = FundingRoundFactory(
            company_id=1,
            stage="b",
            label="B轮",
            announced_on=datetime.date(2022, 3, 1),
            announced_on_precision="month",
        )
        ParticipationFactory(
            funding_round=later, investor=Investor.objects.get(slug="fortune-capital"), is_follow_on=True
        )
        ParticipationFactory(
            funding_round=later,
            investor=InvestorFactory(name_en="Co-investor", name_zh="合投方"),
            role="lead",
        )
        FundingRoundFactory(company=CompanyFactory(), label="other company")
        return later

    def test_oldest_first_with_participations(self, viewer_api, history):
        data = viewer_api.get(self.url()).data
        assert [r["label"] for r in data] == ["A轮", "B轮"]
        follow_on = [p for p in data[1]["participations"] if p["investor"] == "fortune-capital"]
        assert follow_on[0]["is_follow_on"] is True

    def test_unknown_company_is_404(self, viewer_api):
        assert viewer_api.get(self.url("no-such")).status_code == 404

    def test_anonymous_is_401(self, article):
        assert APIClient().get(self.url()).status_code == 401

    def test_needs_view_permission(self, make_api_client, article):
        assert make_api_client().get(self.url()).status_code == 403

    def test_csv_has_one_row_per_round_with_its_investors_by_role(self, viewer_api, history):
        response = viewer_api.get(self.url(), {"format": "csv"})
        assert 'filename="zhipu-ai-rounds-' in response["Content-Disposition"]
        rows = list(csv.DictReader(io.StringIO(body(response).decode("utf-8-sig"))))
        co_investor = history.participations.get(role="lead").investor.slug
        assert [(r["label"], r["lead_investors"]) for r in rows] == [
            ("A轮", "fortune-capital"),
            ("B轮", co_investor),
        ]
        assert rows[1]["participants"] == "fortune-capital"
        assert rows[1]["follow_on_investors"] == "fortune-capital"
        assert (rows[0]["announced_on"], rows[0]["announced_on_precision"], rows[0]["amount"]) == (
            "2021-01-01",
            "year",
            "",
        )
        assert rows[0]["company_name_zh"] == "智谱"
        assert rows[0]["source"] == "1"

    def test_xlsx_has_typed_dates(self, viewer_api, history):
        response = viewer_api.get(self.url(), {"format": "xlsx"})
        sheet = openpyxl.load_workbook(io.BytesIO(body(response))).active
        header = [c.value for c in sheet[1]]
        announced = sheet.cell(row=2, column=header.index("announced_on") + 1)
        assert announced.is_date
        assert announced.value.date().isoformat() == "2021-01-01"

    def test_json_export_has_the_spreadsheet_columns_typed(self, viewer_api, history):
        items = json.loads(body(viewer_api.get(self.url(), {"format": "json"})))
        text = body(viewer_api.get(self.url(), {"format": "csv"})).decode("utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(text)))
        assert [list(item) for item in items] == [list(row) for row in rows]
        first = items[0]
        assert (first["announced_on"], first["announced_on_precision"], first["amount"]) == (
            "2021-01-01",
            "year",
            None,
        )
        assert (first["lead_investors"], first["company_name_zh"], first["source"]) == (
            "fortune-capital",
            "智谱",
            1,
        )

    def test_query_count_does_not_grow_with_rounds(self, viewer_api, history):
        viewer_api.get(self.url())

        def count() -> int:
            with CaptureQueriesContext(connection) as queries:
                assert viewer_api.get(self.url()).status_code == 200
            return len(queries)

        few = count()
        for _ in range(10):
            ParticipationFactory(funding_round=FundingRoundFactory(company_id=1))
        assert count() == few


class TestRoundExport:
    def test_round_list_exports_the_round_history_columns(self, viewer_api, article):
        response = viewer_api.get(reverse("api:fundinground-list"), {"format": "csv", "stage": "a"})
        [row] = list(csv.DictReader(io.StringIO(body(response).decode("utf-8-sig"))))
        assert (row["company"], row["stage"], row["lead_investors"], row["participants"]) == (
            "zhipu-ai",
            "a",
            "fortune-capital",
            "",
        )

    def test_xlsx_amounts_are_numbers(self, viewer_api):
        FundingRoundFactory(amount="1500000.50", currency="USD")
        response = viewer_api.get(
            reverse("api:fundinground-list"),
            HTTP_ACCEPT=("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )
        sheet = openpyxl.load_workbook(io.BytesIO(body(response))).active
        header = [c.value for c in sheet[1]]
        assert sheet.cell(row=2, column=header.index("amount") + 1).value == 1500000.5


class TestTimeline:
    def test_merges_rounds_listings_releases_and_kpis_oldest_first(self, viewer_api, article):
        data = viewer_api.get(reverse("api:company-timeline", args=["zhipu-ai"])).data
        dated = [item for item in data if item["date"]]
        assert [item["date"] for item in dated] == sorted(item["date"] for item in dated)
        assert (
            data[0]
            == {
                "kind": "round",
                "id": 1,
                "date": "2021-01-01",
                "precision": "year",
                "display": "2021",
                "title": "A轮",
            }
            or data[0]["kind"] == "model_release"
        )
        kinds = {item["kind"] for item in data}
        assert kinds == {"round", "listing", "model_release", "kpi"}
        listing = next(item for item in data if item["kind"] == "listing")
        assert (listing["date"], listing["precision"], listing["title"]) == ("2026-01-08", "day", "IPO HKEX")
        market_share = next(item for item in data if "Market share" in item["title"])
        assert (market_share["precision"], market_share["display"]) == ("year", "2024")
        assert data[-1]["date"] is None  # undated items (GLM-4.6, OpenRouter ranks) come last

    def test_query_count_does_not_grow(self, viewer_api):
        company = CompanyFactory()
        url = reverse("api:company-timeline", args=[company.slug])
        viewer_api.get(url)

        def count() -> int:
            with CaptureQueriesContext(connection) as queries:
                assert viewer_api.get(url).status_code == 200
            return len(queries)

        few = count()
        for _ in range(5):
            FundingRoundFactory(company=company)
            ListingFactory(company=company)
            KPIFactory(company=company, model_release=ModelReleaseFactory(company=company))
        assert count() == few

    def test_needs_view_permission_on_every_kind(self, make_api_client, article):
        client = make_api_client()
        grant(client.user, "view", apps=("companies",))
        assert client.get(reverse("api:company-timeline", args=["zhipu-ai"])).status_code == 403


class TestRoundWithItsInvestors:
    """A round is written with its participations, in one request and one transaction."""

    url = "/api/v1/rounds/"

    @pytest.fixture
    def investors(self):
        return [InvestorFactory(slug=slug) for slug in ("lead-fund", "co-fund", "old-fund")]

    def payload(self, **changes) -> dict:
        company = CompanyFactory(slug="zhipu-ai")
        return {
            "company": company.slug,
            "stage": "b",
            "label": "B轮",
            "announced_on": "2022-01-01",
            "announced_on_precision": "year",
            "participations": [
                {"investor": "lead-fund", "role": "lead", "amount": "50000000.00", "currency": "CNY"},
                {"investor": "co-fund", "role": "co_lead"},
                {"investor": "old-fund", "role": "participant", "is_follow_on": True, "source_quote": "加注"},
            ],
            **changes,
        }

    def stored(self, funding_round: FundingRound) -> list[tuple]:
        return sorted(
            funding_round.participations.values_list(
                "investor__slug", "role", "is_follow_on", "amount", "currency"
            )
        )

    def test_a_round_is_created_with_all_its_participations(self, editor_api, investors):
        response = editor_api.post(self.url, self.payload(), format="json")

        assert response.status_code == 201, response.data
        funding_round = FundingRound.objects.get(pk=response.data["id"])
        assert self.stored(funding_round) == [
            ("co-fund", "co_lead", False, None, ""),
            ("lead-fund", "lead", False, 50000000, "CNY"),
            ("old-fund", "participant", True, None, ""),
        ]
        shown = {p["investor"]: (p["role"], p["is_follow_on"]) for p in response.data["participations"]}
        assert shown == {
            "lead-fund": ("lead", False),
            "co-fund": ("co_lead", False),
            "old-fund": ("participant", True),
        }
        assert funding_round.participations.get(investor__slug="old-fund").source_quote == "加注"
        assert all(
            p.history.get().history_user == editor_api.user for p in funding_round.participations.all()
        )
        # Participations are written together, each with its history entry and change-log entry.
        logged = Change.objects.filter(model="rounds.participation", action="created")
        assert sorted(logged.values_list("object_id", flat=True)) == sorted(
            funding_round.participations.values_list("pk", flat=True)
        )
        token = editor_api.user.api_tokens.get()
        assert {(c.user, c.token_name) for c in logged} == {
            (editor_api.user, token.name or f"{token.key_prefix}…")
        }

    @pytest.mark.parametrize(
        ("bad", "field"),
        [
            ({"role": "boss"}, "role"),
            ({"investor": "no-such-fund"}, "investor"),
            ({"amount": "-5.00", "currency": "CNY"}, "amount"),
            ({"amount": "5.00"}, "currency"),
            ({"investor": "lead-fund"}, "investor"),  # listed twice
            ({"colour": "red"}, "colour"),
        ],
    )
    def test_one_invalid_participation_refuses_the_whole_write_naming_its_index(
        self, editor_api, investors, bad, field
    ):
        payload = self.payload()
        payload["participations"][2] |= bad
        before = (FundingRound.objects.count(), Participation.objects.count())

        response = editor_api.post(self.url, payload, format="json")

        assert response.status_code == 400
        assert list(response.data) == ["participations"]
        assert list(response.data["participations"]) == [2]
        assert field in response.data["participations"][2]
        assert (FundingRound.objects.count(), Participation.objects.count()) == before

    def test_a_put_makes_the_participations_exactly_those_given(self, editor_api, investors):
        created = editor_api.post(self.url, self.payload(), format="json").data
        funding_round = FundingRound.objects.get(pk=created["id"])
        lead = funding_round.participations.get(investor__slug="lead-fund")
        newcomer = InvestorFactory(slug="new-fund")
        read = editor_api.get(f"{self.url}{created['id']}/").data
        read["participations"] = [
            {**p, "role": "participant"} if p["investor"] == "lead-fund" else p
            for p in read["participations"]
            if p["investor"] != "co-fund"
        ] + [{"investor": newcomer.slug, "role": "lead"}]

        response = editor_api.put(f"{self.url}{created['id']}/", read, format="json", HTTP_IF_MATCH='"1"')

        assert response.status_code == 200, response.data
        assert self.stored(funding_round) == [
            ("lead-fund", "participant", False, 50000000, "CNY"),
            ("new-fund", "lead", False, None, ""),
            ("old-fund", "participant", True, None, ""),
        ]
        assert funding_round.participations.get(investor__slug="lead-fund").pk == lead.pk
        assert response["ETag"] == '"2"'
        assert {p["investor"] for p in response.data["participations"]} == {
            "lead-fund",
            "new-fund",
            "old-fund",
        }

    def test_a_patch_without_participations_leaves_them_as_they_are(self, editor_api, investors):
        created = editor_api.post(self.url, self.payload(), format="json").data
        funding_round = FundingRound.objects.get(pk=created["id"])
        before = self.stored(funding_round)

        response = editor_api.patch(f"{self.url}{created['id']}/", {"label": "B轮 (2022)"}, format="json")

        assert response.status_code == 200
        assert self.stored(funding_round) == before
        response = editor_api.patch(
            f"{self.url}{created['id']}/", {"participations": [{"investor": "co-fund"}]}, format="json"
        )
        assert response.status_code == 200
        assert self.stored(funding_round) == [("co-fund", "participant", False, None, "")]

    def test_a_participation_written_on_its_own_advances_its_rounds_version(self, editor_api, investors):
        created = editor_api.post(self.url, self.payload(), format="json").data
        round_etag = editor_api.get(f"{self.url}{created['id']}/")["ETag"]
        [lead] = [p["id"] for p in created["participations"] if p["investor"] == "lead-fund"]

        assert (
            editor_api.patch(f"/api/v1/participations/{lead}/", {"amount": "1.00"}, format="json").status_code
            == 200
        )

        stale_put = editor_api.put(
            f"{self.url}{created['id']}/", self.payload(), format="json", HTTP_IF_MATCH=round_etag
        )
        assert stale_put.status_code == 412
        assert Participation.objects.get(pk=lead).amount == 1
        funding_round = FundingRound.objects.get(pk=created["id"])
        assert funding_round.version == 2
        assert funding_round.history.latest().history_change_reason == "Investors changed"
        assert editor_api.delete(f"/api/v1/participations/{lead}/").status_code == 204
        funding_round.refresh_from_db()
        assert funding_round.version == 3


class TestConvertedAmounts:
    """Every amount also comes in the reporting currency, at the rate of its date, or says why not."""

    def test_a_round_and_its_participations_at_the_rate_of_the_rounds_period_end(self, viewer_api):
        for quote, rate in (("USD", "1.25"), ("CNY", "8")):
            ExchangeRateFactory(base="EUR", quote=quote, on=datetime.date(2021, 12, 31), rate=Decimal(rate))
        funding_round = FundingRoundFactory(
            announced_on=datetime.date(2021, 1, 1),
            announced_on_precision="year",
            amount=Decimal("100000000"),
            currency="CNY",
            post_money=Decimal("500000000"),
            valuation_currency="USD",
        )
        ParticipationFactory(funding_round=funding_round, amount=Decimal("8000"), currency="CNY")
        data = viewer_api.get(reverse("api:fundinground-detail", args=[funding_round.pk])).json()
        assert data["amount_converted"] == {
            "amount": "15625000.00",
            "currency": "USD",
            "rate": "0.15625",
            "rate_date": "2021-12-31",
            "rate_origin": "ecb",
            "reason": "",
        }
        assert data["post_money_converted"]["amount"] == "500000000.00"  # already in USD
        assert data["post_money_converted"]["rate"] == "1"
        assert data["pre_money_converted"] == {
            "amount": None,
            "currency": "USD",
            "rate": None,
            "rate_date": None,
            "rate_origin": "",
            "reason": "The amount is not known.",
        }
        assert data["participations"][0]["amount_converted"]["amount"] == "1250.00"

    def test_an_amount_without_a_rate_says_why(self, viewer_api):
        listing = ListingFactory(
            offer_price=Decimal("116.2"), currency="HKD", listed_on=datetime.date(2026, 1, 8)
        )
        data = viewer_api.get(reverse("api:listing-detail", args=[listing.pk])).json()
        assert data["offer_price_converted"]["amount"] is None
        assert data["offer_price_converted"]["reason"].startswith("No HKD to USD exchange rate on 2026-01-08")


@pytest.mark.parametrize(
    ("ownership", "expected"), [("100", 200), ("12.3456", 200), ("100.5", 400), ("946.56", 400)]
)
def test_ownership_after_a_round_is_a_percentage_as_the_schema_says(editor_api, ownership, expected):
    participation = ParticipationFactory()
    url = reverse("api:participation-detail", args=[participation.pk])
    response = editor_api.patch(url, {"ownership_after": ownership}, format="json")
    assert response.status_code == expected, response.data
    response = editor_api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    pattern = json.loads(response.content)["components"]["schemas"]["Participation"]["properties"][
        "ownership_after"
    ]
    assert bool(re.fullmatch(pattern["pattern"], ownership)) == (expected == 200)
