"""The date drill-down of a partial date: a record is found at its precision, never at a month or a
day it does not know."""

import datetime
import re

import pytest

from rounds.models import FundingRound
from tests.portfolio.test_admin import admin_url
from tests.rounds.factories import FundingRoundFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rounds(article) -> dict[str, FundingRound]:
    """The article's Series A (known to the year, 2021), a round known to the month and one to the day."""
    company = FundingRound.objects.get(label="A轮").company
    return {
        "year": FundingRound.objects.get(label="A轮"),
        "month": FundingRoundFactory(
            company=company,
            label="A+轮",
            announced_on=datetime.date(2021, 9, 1),
            announced_on_precision="month",
        ),
        "day": FundingRoundFactory(
            company=company,
            label="B轮",
            announced_on=datetime.date(2021, 9, 15),
            announced_on_precision="day",
        ),
    }


def drill_down(client, query: str) -> tuple[list[str], list[str]]:
    """The choices the drill-down offers, and the labels of the rounds listed, at `query`."""
    response = client.get(f"{admin_url(FundingRound, 'changelist')}?{query}", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    page = response.content.decode()
    hierarchy = page.split('<nav class="toplinks">', 1)[1].split("</nav>", 1)[0]
    hierarchy = re.sub(r'<a [^>]*class="date-back">[^<]*</a>', "", hierarchy)
    choices = [line.strip() for line in re.sub(r"<[^>]+>", "", hierarchy).splitlines() if line.strip()]
    listed = [row.label for row in response.context["cl"].result_list]
    return choices, sorted(listed)


def test_the_years_include_every_record(admin_client, rounds):
    choices, listed = drill_down(admin_client, "")
    assert choices == ["2021"]
    assert listed == ["A+轮", "A轮", "B轮"]


def test_a_year_lists_its_records_of_every_precision_and_offers_only_known_months(admin_client, rounds):
    choices, listed = drill_down(admin_client, "announced_on__year=2021")
    assert listed == ["A+轮", "A轮", "B轮"]
    assert "January 2021" not in choices, "a round known to the year is not one of January"
    assert "September 2021" in choices


def test_a_month_lists_only_records_known_to_the_month_and_offers_only_known_days(admin_client, rounds):
    choices, listed = drill_down(admin_client, "announced_on__year=2021&announced_on__month=9")
    assert listed == ["A+轮", "B轮"]
    assert "September 15" in choices
    assert "September 1" not in choices, "a round known to the month is not one of the 1st"

    _choices, listed = drill_down(admin_client, "announced_on__year=2021&announced_on__month=1")
    assert listed == [], "the round known only to the year is not listed under January"


def test_a_day_lists_only_records_known_to_the_day(admin_client, rounds):
    _choices, listed = drill_down(
        admin_client, "announced_on__year=2021&announced_on__month=9&announced_on__day=1"
    )
    assert listed == []
    _choices, listed = drill_down(
        admin_client, "announced_on__year=2021&announced_on__month=9&announced_on__day=15"
    )
    assert listed == ["B轮"]


def test_a_list_of_full_dates_keeps_djangos_drill_down(admin_client, article):
    from companies.models import KPI

    response = admin_client.get(f"{admin_url(KPI, 'changelist')}?period_start__year=2025")
    assert response.status_code == 200
    assert "July 2025" in response.content.decode()
