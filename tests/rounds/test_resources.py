"""Import of investors and of rounds with their investors: matching, idempotence, all-or-nothing."""

import csv
import datetime
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from companies.models import Company, Source
from rounds.choices import Role
from rounds.models import FundingRound, Investor, Participation
from rounds.resources import FundingRoundResource, InvestorResource
from tests.companies.factories import CompanyFactory
from tests.helpers import import_file, invalid_cells, sample
from tests.rounds.factories import FundingRoundFactory, InvestorFactory, ParticipationFactory

pytestmark = pytest.mark.django_db

ROUND_HEADER = (
    "company,stage,label,announced_on,amount,currency,lead_investors,participants,follow_on_investors\n"
)


def history_rows() -> int:
    return FundingRound.history.count() + Participation.history.count() + Investor.history.count()


@pytest.fixture
def parties():
    CompanyFactory(slug="zhipu-ai")
    return (
        InvestorFactory(slug="fortune-capital"),
        InvestorFactory(slug="other-fund"),
        InvestorFactory(slug="third"),
    )


@pytest.mark.parametrize("name", ["funding_rounds.csv", "funding_rounds.xlsx"])
def test_the_sample_files_restate_the_article_so_importing_them_changes_nothing(article, name):
    before = history_rows()
    result = import_file(FundingRoundResource(), sample(name), file_name=name)
    assert not result.has_errors() and not result.has_validation_errors()
    assert result.totals["skip"] == FundingRound.objects.count() == 1
    assert history_rows() == before


def test_the_sample_investors_file_changes_nothing(article):
    result = import_file(InvestorResource(), sample("investors.csv"))
    assert (result.totals["skip"], result.totals["new"], result.totals["update"]) == (1, 0, 0)


def test_an_export_reimports_unchanged(article):
    FundingRoundFactory(company__slug="zhipu-ai", stage="b", label="B轮", amount=None)
    exported = FundingRoundResource().export().csv
    before = history_rows()
    result = import_file(FundingRoundResource(), exported)
    assert result.totals["skip"] == 2 and result.totals["new"] == result.totals["update"] == 0
    assert history_rows() == before


def test_a_new_round_with_its_investors_and_then_the_same_file_again(parties):
    content = (
        ROUND_HEADER
        + "zhipu-ai,Series B,B轮,2022-09,1500000000,CNY,fortune-capital,other-fund; third,third\n"
    )

    first = import_file(FundingRoundResource(), content, file_name="rounds-2022.csv")
    assert first.totals["new"] == 1
    funding_round = FundingRound.objects.get(label="B轮")
    assert (funding_round.stage, funding_round.announced_on, funding_round.announced_on_precision) == (
        "b",
        datetime.date(2022, 9, 1),
        "month",
    )
    assert funding_round.amount == Decimal("1500000000") and funding_round.currency == "CNY"
    assert {(p.investor.slug, p.role, p.is_follow_on) for p in funding_round.participations.all()} == {
        ("fortune-capital", Role.LEAD, False),
        ("other-fund", Role.PARTICIPANT, False),
        ("third", Role.PARTICIPANT, True),
    }
    assert funding_round.history.get().history_change_reason == "Imported from rounds-2022.csv"

    before = history_rows()
    second = import_file(FundingRoundResource(), content)
    assert (second.totals["skip"], second.totals["new"], second.totals["update"]) == (1, 0, 0)
    assert history_rows() == before
    assert FundingRound.objects.count() == 1 and Participation.objects.count() == 3


def test_a_changed_cell_updates_the_round_its_natural_key_names(parties):
    import_file(FundingRoundResource(), ROUND_HEADER + "zhipu-ai,b,B轮,2022-09,100,CNY,fortune-capital,,\n")
    funding_round = FundingRound.objects.get()

    result = import_file(
        FundingRoundResource(), ROUND_HEADER + "zhipu-ai,b,B轮,2022-09,250,CNY,fortune-capital,,\n"
    )

    assert result.totals["update"] == 1
    funding_round.refresh_from_db()
    assert funding_round.amount == Decimal("250")
    latest = funding_round.history.first()
    assert [
        change.field
        for change in latest.diff_against(latest.prev_record).changes
        if change.field != "updated_at"
    ] == ["amount"]


def test_the_investor_columns_become_exactly_the_rounds_participations(parties):
    lead, other, _ = parties
    funding_round = FundingRoundFactory(
        company__slug="zhipu-ai", stage="b", label="B轮", announced_on=datetime.date(2022, 1, 1)
    )
    kept = ParticipationFactory(
        funding_round=funding_round, investor=lead, role=Role.LEAD, amount=Decimal("5"), currency="CNY"
    )
    ParticipationFactory(funding_round=funding_round, investor=other, role=Role.PARTICIPANT)

    result = import_file(
        FundingRoundResource(), ROUND_HEADER + "zhipu-ai,b,B轮,2022,,,third,fortune-capital,\n"
    )

    assert result.totals["update"] == 1
    participations = {p.investor.slug: p for p in funding_round.participations.all()}
    assert {slug: p.role for slug, p in participations.items()} == {
        "third": Role.LEAD,
        "fortune-capital": Role.PARTICIPANT,
    }
    # The participation that stayed keeps what the file does not speak of, and its history says what changed.
    assert participations["fortune-capital"].pk == kept.pk and participations[
        "fortune-capital"
    ].amount == Decimal("5")
    assert Participation.history.filter(investor=other, history_type="-").exists()


def test_without_investor_columns_the_participations_are_left_alone(parties):
    lead, _, _ = parties
    funding_round = FundingRoundFactory(company__slug="zhipu-ai", stage="b", label="B轮")
    ParticipationFactory(funding_round=funding_round, investor=lead, role=Role.LEAD)
    result = import_file(
        FundingRoundResource(), "company,stage,label,announced_on,notes\nzhipu-ai,b,B轮,2021,Note\n"
    )
    assert result.totals["update"] == 1
    assert funding_round.participations.get().investor == lead


def test_the_broken_sample_writes_nothing_and_names_each_wrong_row_and_field(article):
    before = (FundingRound.objects.count(), Participation.objects.count(), history_rows())

    result = import_file(FundingRoundResource(), sample("broken/funding_rounds.csv"))

    assert (FundingRound.objects.count(), Participation.objects.count(), history_rows()) == before
    errors = invalid_cells(result)
    # Numbered as the spreadsheet numbers rows: the header is row 1.
    assert set(errors) == {3, 4}
    assert set(errors[3]) == {"stage", "announced_on", "amount"}
    assert "“Series Z” is not one of" in errors[3]["stage"][0]
    assert set(errors[4]) == {"company", "currency", "lead_investors"}
    assert errors[4]["company"] == ["No company has the slug or name “no-such-company”."]
    assert errors[4]["lead_investors"] == ["No investor has the slug or name “unknown-fund”."]


def test_a_valid_row_is_not_written_when_another_row_is_invalid(parties):
    content = (
        ROUND_HEADER + "zhipu-ai,b,B轮,2022,,,fortune-capital,,\nzhipu-ai,c,C轮,2023,100,,fortune-capital,,\n"
    )
    result = import_file(FundingRoundResource(), content)
    assert invalid_cells(result) == {3: {"currency": ["Give the currency of the amounts."]}}
    assert FundingRound.objects.count() == 0 and Participation.objects.count() == 0


@pytest.mark.parametrize(
    ("investors", "column", "message"),
    [
        ("fortune-capital,fortune-capital,", "participants", "fortune-capital is listed in two roles."),
        (
            "fortune-capital,,other-fund",
            "follow_on_investors",
            "must also be listed as lead, co-lead or participant",
        ),
    ],
)
def test_contradictory_investor_lists_are_cell_errors(parties, investors, column, message):
    result = import_file(FundingRoundResource(), ROUND_HEADER + f"zhipu-ai,b,B轮,2022,,,{investors}\n")
    errors = invalid_cells(result)[2]
    assert any(message in text for text in errors[column]), errors
    assert FundingRound.objects.count() == 0


def test_a_row_matching_two_rounds_is_refused_rather_than_guessed(parties):
    for _ in range(2):
        FundingRoundFactory(company__slug="zhipu-ai", stage="b", label="", announced_on=None)
    result = import_file(FundingRoundResource(), ROUND_HEADER + "zhipu-ai,b,,,5,CNY,,,\n")
    assert "matches several existing records" in str(invalid_cells(result)[2])
    assert not FundingRound.objects.filter(amount=5).exists()


def test_a_file_without_the_natural_key_columns_is_refused(parties):
    result = import_file(FundingRoundResource(), "company,label\nzhipu-ai,B轮\n")
    assert result.has_errors()
    assert "stage" in str(result.base_errors[0].error)
    assert FundingRound.objects.count() == 0


def test_investors_are_matched_by_slug_and_a_second_house_investor_is_refused(article):
    content = (
        "slug,name_en,name_zh,kind,is_house\nnew-fund,New Fund,新基金,pe,no\nanother,Another,另一家,vc,yes\n"
    )
    result = import_file(InvestorResource(), content)
    errors = invalid_cells(result)
    assert list(errors) == [3]
    assert Investor.objects.filter(slug__in=["new-fund", "another"]).count() == 0

    result = import_file(InvestorResource(), content.replace("vc,yes", "vc,no"))
    assert result.totals["new"] == 2
    assert Investor.objects.get(slug="new-fund").kind == "pe"


def test_the_preview_shows_the_investors_before_and_after(parties):
    lead = parties[0]
    funding_round = FundingRoundFactory(company__slug="zhipu-ai", stage="b", label="B轮")
    ParticipationFactory(funding_round=funding_round, investor=lead, role=Role.LEAD)

    result = import_file(
        FundingRoundResource(), ROUND_HEADER + "zhipu-ai,b,B轮,2021,,,other-fund,,\n", dry_run=True
    )

    diff = result.rows[0].diff[result.diff_headers.index("lead_investors")]
    removed = "".join(re.findall(r"<del[^>]*>([^<]*)</del>", diff))
    added = "".join(re.findall(r"<ins[^>]*>([^<]*)</ins>", diff))
    assert (removed, added) == ("fortune-capital", "other-fund")
    assert funding_round.participations.get().investor == lead, "a preview writes nothing"


def test_investors_and_companies_by_name_as_staff_write_them(article):
    InvestorFactory(slug="other-fund", name_en="Other Fund", name_zh="其他基金")
    content = ROUND_HEADER + "智谱,b,B轮,2022,,,Fortune Capital (达晨财智),其他基金,\n"
    result = import_file(FundingRoundResource(), content)
    assert result.totals["new"] == 1, invalid_cells(result)
    funding_round = FundingRound.objects.get(label="B轮")
    assert funding_round.company.slug == "zhipu-ai"
    assert {p.investor.slug: p.role for p in funding_round.participations.all()} == {
        "fortune-capital": Role.LEAD,
        "other-fund": Role.PARTICIPANT,
    }


@pytest.fixture
def every_feature(article) -> Company:
    """Zhipu's rounds using every feature a round row has: each role, follow-on, two currencies,
    each date precision, Chinese text and text a spreadsheet would take for a formula."""
    zhipu = Company.objects.get(slug="zhipu-ai")
    source = Source.objects.get()
    co_lead, participant = (
        InvestorFactory(slug="co-fund", name_en="Co Fund", name_zh="联合基金"),
        InvestorFactory(slug="small-fund", name_en="=Small Fund", name_zh="小基金"),
    )
    fortune = Investor.objects.get(slug="fortune-capital")
    b = FundingRoundFactory(
        company=zhipu,
        stage="b",
        label="B轮",
        announced_on=datetime.date(2022, 9, 1),
        announced_on_precision="month",
        amount=Decimal("1500000000.00"),
        currency="CNY",
        pre_money=Decimal("9000000000.00"),
        post_money=Decimal("10500000000.00"),
        valuation_currency="USD",
        notes="=1+1 is not a formula; +86, -5%, @handle and '引号' stay text",
        source=source,
        source_quote="-“达晨”加注",
    )
    ParticipationFactory(funding_round=b, investor=co_lead, role=Role.LEAD)
    ParticipationFactory(funding_round=b, investor=fortune, role=Role.CO_LEAD, is_follow_on=True)
    ParticipationFactory(funding_round=b, investor=participant, role=Role.PARTICIPANT)
    FundingRoundFactory(
        company=zhipu,
        stage="c",
        label="@C轮",
        announced_on=datetime.date(2023, 7, 28),
        announced_on_precision="day",
        amount=Decimal("25000000.50"),
        currency="USD",
        source=None,
    )
    return zhipu


def round_history_download(client, company: Company, export_format: str) -> str | bytes:
    url = reverse("admin:companies_company_round_history", args=[company.pk])
    response = client.get(url, {"format": export_format})
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    return content if export_format == "xlsx" else content.decode("utf-8-sig")


def database_state() -> list:
    rounds = FundingRound.objects.order_by("pk").values()
    participations = Participation.objects.order_by("pk").values()
    return [list(rounds), list(participations), history_rows()]


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_the_round_history_download_reads_back_unchanged(admin_client, every_feature, export_format):
    content = round_history_download(admin_client, every_feature, export_format)
    before = database_state()

    result = import_file(FundingRoundResource(), content, file_name=f"rounds.{export_format}")

    assert (result.totals["skip"], result.totals["new"], result.totals["update"]) == (3, 0, 0), invalid_cells(
        result
    )
    assert database_state() == before


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_the_round_list_export_of_the_api_reads_back_unchanged(viewer_api, every_feature, export_format):
    response = viewer_api.get("/api/v1/rounds/", {"format": export_format})
    content = b"".join(response.streaming_content)
    before = database_state()

    result = import_file(
        FundingRoundResource(), content if export_format == "xlsx" else content.decode("utf-8-sig")
    )

    assert (result.totals["skip"], result.totals["new"], result.totals["update"]) == (3, 0, 0), invalid_cells(
        result
    )
    assert database_state() == before


def test_a_round_history_lists_each_role_in_its_own_column_as_the_import_reads_it(
    admin_client, every_feature
):
    rows = list(csv.DictReader(io.StringIO(round_history_download(admin_client, every_feature, "csv"))))
    b = next(row for row in rows if row["label"] == "B轮")
    assert (b["lead_investors"], b["co_lead_investors"], b["participants"], b["follow_on_investors"]) == (
        "co-fund",
        "fortune-capital",
        "small-fund",
        "fortune-capital",
    )
    assert (b["announced_on"], b["announced_on_precision"], b["announced_on_display"]) == (
        "2022-09-01",
        "month",
        "2022-09",
    )
    assert b["notes"].startswith("'=1+1")  # marked as text in CSV; the import takes the mark off
    assert next(row for row in rows if row["stage"] == "c")["label"] == "'@C轮"


def test_a_csv_formula_mark_is_taken_off_only_where_it_marks_a_formula(article):
    content = (
        ROUND_HEADER.replace("\n", ",notes\n") + "zhipu-ai,b,B轮,2022,,,fortune-capital,,,'t Hooft's note\n"
    )
    assert import_file(FundingRoundResource(), content).totals["new"] == 1
    assert FundingRound.objects.get(label="B轮").notes == "'t Hooft's note"


@pytest.mark.parametrize(
    ("date", "precision", "stored"),
    [
        ("2021-07-28", "year", (datetime.date(2021, 1, 1), "year")),
        ("2021", "", (datetime.date(2021, 1, 1), "year")),
    ],
)
def test_a_precision_column_sets_the_precision_of_its_date(parties, date, precision, stored):
    content = f"company,stage,label,announced_on,announced_on_precision\nzhipu-ai,b,B轮,{date},{precision}\n"
    import_file(FundingRoundResource(), content)
    funding_round = FundingRound.objects.get(label="B轮")
    assert (funding_round.announced_on, funding_round.announced_on_precision) == stored


def test_an_unknown_precision_is_a_cell_error(parties):
    content = "company,stage,label,announced_on,announced_on_precision\nzhipu-ai,b,B轮,2021,decade\n"
    errors = invalid_cells(import_file(FundingRoundResource(), content))
    assert errors == {2: {"announced_on": ["The precision must be year, month or day, not “decade”."]}}
