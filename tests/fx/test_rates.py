"""Conversions use the rate of the amount's day (or the last earlier one, within limits), say which rate
they used, prefer staff's rate on its day, and say why when no rate applies."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from fx.models import RateOrigin
from fx.rates import RateBook, conversion_date
from tests.fx.factories import ExchangeRateFactory

D = datetime.date
pytestmark = pytest.mark.django_db


def ecb(quote: str, on: datetime.date, rate: str):
    return ExchangeRateFactory(base="EUR", quote=quote, on=on, rate=Decimal(rate), origin=RateOrigin.ECB)


def test_an_amount_in_euros_is_converted_at_the_days_rate():
    ecb("USD", D(2024, 3, 28), "1.0811")
    converted = RateBook().convert(Decimal("1000.00"), "EUR", D(2024, 3, 28), target="USD")
    assert converted.as_dict() == {
        "amount": "1081.10",
        "currency": "USD",
        "rate": "1.0811",
        "rate_date": "2024-03-28",
        "rate_origin": "ecb",
        "reason": "",
    }


def test_two_currencies_are_crossed_through_the_euro():
    ecb("USD", D(2021, 12, 31), "1.25")
    ecb("CNY", D(2021, 12, 31), "8")
    converted = RateBook().convert(Decimal("20000000"), "CNY", D(2021, 12, 31), target="USD")
    # 1 CNY = 1.25 / 8 USD = 0.15625
    assert (converted.amount, converted.rate, converted.rate_date) == (
        Decimal("3125000.00"),
        Decimal("0.15625"),
        D(2021, 12, 31),
    )


def test_a_day_without_a_rate_takes_the_last_earlier_business_day():
    ecb("USD", D(2024, 3, 28), "1.0811")  # Thursday; Good Friday and the weekend have none
    converted = RateBook().convert(Decimal("100"), "EUR", D(2024, 3, 31), target="USD")
    assert (converted.amount, converted.rate_date) == (Decimal("108.11"), D(2024, 3, 28))


def test_a_rate_older_than_the_limit_is_not_used_and_the_reason_says_so(settings):
    settings.FX_RATE_MAX_AGE_DAYS = 7
    ecb("USD", D(2024, 3, 1), "1.08")
    book = RateBook()
    assert book.convert(Decimal("100"), "EUR", D(2024, 3, 8), target="USD").amount == Decimal("108.00")
    late = book.convert(Decimal("100"), "EUR", D(2024, 3, 9), target="USD")
    assert late.amount is None and late.rate is None
    assert late.reason == (
        "No EUR to USD exchange rate on 2024-03-09 or in the 7 days before: "
        "load the ECB's rates (manage.py load_fx_rates) or add the rate in the admin."
    )


def test_no_rate_before_the_first_one():
    ecb("USD", D(2024, 3, 1), "1.08")
    assert RateBook().convert(Decimal("1"), "EUR", D(2024, 2, 29), target="USD").amount is None


def test_a_currency_the_ecb_lacks_is_converted_at_staffs_rate():
    ecb("USD", D(2024, 3, 28), "1.08")
    assert RateBook().convert(Decimal("1000"), "TWD", D(2024, 3, 28), target="USD").amount is None
    ExchangeRateFactory(base="USD", quote="TWD", on=D(2024, 3, 28), rate=Decimal("32"), origin="staff")
    converted = RateBook().convert(Decimal("1000"), "TWD", D(2024, 3, 28), target="USD")
    assert (converted.amount, converted.rate, converted.rate_origin) == (
        Decimal("31.25"),
        Decimal("0.03125"),
        "staff",
    )


def test_staffs_rate_wins_over_the_ecbs_on_its_day_only():
    ecb("USD", D(2022, 5, 10), "1.05")
    ecb("HKD", D(2022, 5, 10), "8.4")
    ecb("USD", D(2022, 5, 11), "1.05")
    ecb("HKD", D(2022, 5, 11), "8.4")
    ExchangeRateFactory(base="HKD", quote="USD", on=D(2022, 5, 10), rate=Decimal("0.1274"), origin="staff")
    book = RateBook()
    on_the_day = book.convert(Decimal("10000000"), "HKD", D(2022, 5, 10), target="USD")
    assert (on_the_day.amount, on_the_day.rate_origin) == (Decimal("1274000.00"), "staff")
    next_day = book.convert(Decimal("10000000"), "HKD", D(2022, 5, 11), target="USD")
    assert (next_day.amount, next_day.rate_origin) == (Decimal("1250000.00"), "ecb")


def test_a_staff_override_of_an_ecb_rate_on_the_same_day_wins():
    ecb("USD", D(2022, 5, 10), "1.05")
    ExchangeRateFactory(base="EUR", quote="USD", on=D(2022, 5, 10), rate=Decimal("1.06"), origin="staff")
    converted = RateBook().convert(Decimal("100"), "EUR", D(2022, 5, 10), target="USD")
    assert (converted.amount, converted.rate_origin) == (Decimal("106.00"), "staff")


def test_a_pair_is_read_either_way_round():
    ExchangeRateFactory(base="USD", quote="CNY", on=D(2023, 1, 2), rate=Decimal("8"), origin="staff")
    converted = RateBook().convert(Decimal("800"), "CNY", D(2023, 1, 2), target="USD")
    assert (converted.amount, converted.rate) == (Decimal("100.00"), Decimal("0.125"))


def test_the_same_currency_needs_no_rate():
    converted = RateBook().convert(Decimal("5.5"), "USD", None, target="USD")
    assert (converted.amount, converted.rate, converted.reason) == (Decimal("5.5"), Decimal(1), "")


def test_unknown_amounts_and_dates_say_why():
    book = RateBook()
    assert book.convert(None, "CNY", D(2021, 1, 1), target="USD").reason == "The amount is not known."
    assert book.convert(Decimal(1), "CNY", None, target="USD").reason == (
        "The amount has no date, so no exchange rate applies to it."
    )


def test_the_reporting_currency_is_the_default_target(settings):
    settings.REPORTING_CURRENCY = "CNY"
    ExchangeRateFactory(base="USD", quote="CNY", on=D(2023, 1, 2), rate=Decimal("7"), origin="staff")
    converted = RateBook().convert(Decimal("10"), "USD", D(2023, 1, 2))
    assert (converted.amount, converted.currency) == (Decimal("70.00"), "CNY")


def test_rates_are_read_once_for_many_conversions(django_assert_num_queries):
    for day in range(1, 29):
        ecb("USD", D(2023, 2, day), "1.1")
        ecb("CNY", D(2023, 2, day), "7.7")
    book = RateBook()
    with django_assert_num_queries(2):  # the table's revision, then the rates
        book.load("USD", "CNY")
        for day in range(1, 29):
            assert book.convert(Decimal(7), "CNY", D(2023, 2, day), target="USD").amount == Decimal("1.00")
    # The next piece of work (the next request) finds the rates already read: one query.
    with django_assert_num_queries(1):
        assert RateBook().convert(Decimal(7), "CNY", D(2023, 2, 1), target="USD").amount == Decimal("1.00")


@pytest.mark.parametrize("change", ["add", "edit", "delete"])
def test_rates_read_earlier_are_read_again_once_the_table_changes(change):
    rate = ecb("USD", D(2023, 2, 1), "1.1")
    assert RateBook().convert(Decimal(10), "EUR", D(2023, 2, 1), target="USD").amount == Decimal("11.00")
    if change == "add":
        ExchangeRateFactory(base="EUR", quote="USD", on=D(2023, 2, 1), rate=Decimal("1.2"), origin="staff")
    elif change == "edit":
        rate.rate = Decimal("1.2")
        rate.save()
    else:
        rate.delete()
    expected = None if change == "delete" else Decimal("12.00")
    assert RateBook().convert(Decimal(10), "EUR", D(2023, 2, 1), target="USD").amount == expected


@pytest.mark.parametrize(
    ("value", "precision", "expected"),
    [
        (D(2021, 1, 1), "year", D(2021, 12, 31)),
        (D(2024, 2, 1), "month", D(2024, 2, 29)),
        (D(2024, 2, 7), "day", D(2024, 2, 7)),
        (None, "day", None),
    ],
)
def test_a_partial_date_is_converted_at_its_periods_end(value, precision, expected):
    assert conversion_date(value, precision) == expected


def test_a_period_still_running_is_converted_at_todays_rate():
    today = timezone.localdate()
    assert conversion_date(today.replace(month=1, day=1), "year") <= today
