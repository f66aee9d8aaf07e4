"""Dates and amounts typed into the admin as staff write them."""

import datetime
from decimal import Decimal

import pytest
from django import forms

from companies.models import Company
from portfolio.forms import AmountFormField, PartialDateFormField
from rounds.models import FundingRound
from tests.helpers import form_data
from tests.portfolio.test_admin import admin_url


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2023", (datetime.date(2023, 1, 1), "year")),
        ("2023-07", (datetime.date(2023, 7, 1), "month")),
        ("2023-07-28", (datetime.date(2023, 7, 28), "day")),
        ("2023年", (datetime.date(2023, 1, 1), "year")),
        ("2023年7月", (datetime.date(2023, 7, 1), "month")),
        ("2023年7月28日", (datetime.date(2023, 7, 28), "day")),
        (" 2023-07 ", (datetime.date(2023, 7, 1), "month")),
    ],
)
def test_a_partial_date_is_one_input_whose_writing_sets_the_precision(typed, expected):
    assert PartialDateFormField().clean(typed) == expected


@pytest.mark.parametrize("typed", ["2023-13", "July 2023", "2023年13月", "23"])
def test_anything_else_is_a_clear_error(typed):
    with pytest.raises(forms.ValidationError, match="Enter a date as YYYY, YYYY-MM or YYYY-MM-DD"):
        PartialDateFormField().clean(typed)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("1,500,000", Decimal("1500000")),
        ("1.5亿", Decimal("150000000")),
        ("3000万", Decimal("30000000")),
        ("1500000.50", Decimal("1500000.50")),
        ("1\uff0c500", Decimal("1500")),  # a full-width comma
    ],
)
def test_amounts_take_separators_and_chinese_units(typed, expected):
    assert AmountFormField(max_digits=20, decimal_places=2).clean(typed) == expected


@pytest.mark.parametrize("typed", ["1.5 billion", "1,5,", "亿", "1.234"])
def test_other_amounts_are_errors(typed):
    with pytest.raises(forms.ValidationError):
        AmountFormField(max_digits=20, decimal_places=2).clean(typed)


def test_amounts_show_their_digits_grouped():
    assert AmountFormField().widget.format_value(Decimal("1500000000.00")) == "1,500,000,000.00"


@pytest.mark.usefixtures("article")
def test_the_admin_shows_and_takes_dates_at_their_precision(admin_client):
    zhipu = Company.objects.get(slug="zhipu-ai")
    page = form_data(admin_client.get(admin_url(Company, "change", zhipu.pk)), "company_form")
    assert page["funding_rounds-0-announced_on"] == "2021"
    assert "funding_rounds-0-announced_on_precision" not in page

    funding_round = FundingRound.objects.get()
    url = admin_url(FundingRound, "change", funding_round.pk)
    opened = form_data(admin_client.get(url), "fundinground_form")
    assert opened["announced_on"] == "2021"
    response = admin_client.post(
        url, {**opened, "announced_on": "2021年3月", "amount": "1.5亿", "currency": "CNY"}
    )
    assert response.status_code == 302
    funding_round.refresh_from_db()
    assert (funding_round.announced_on, funding_round.announced_on_precision) == (
        datetime.date(2021, 3, 1),
        "month",
    )
    assert funding_round.amount == Decimal("150000000")
