"""Positions computed from the records, checked against figures worked out by hand (the portfolio
of `tests/rounds/conftest.py`)."""

import datetime
from decimal import Decimal

import pytest

from rounds.choices import Role
from rounds.positions import irr_of, portfolio_totals, positions_as_of
from tests.fx.factories import ExchangeRateFactory
from tests.rounds.factories import FundingRoundFactory

D = datetime.date
pytestmark = pytest.mark.django_db


def xirr_by_bisection(flows) -> float:
    """XIRR's definition solved independently of pyxirr: sum(cf / (1 + r) ** (days / 365)) = 0."""
    start = flows[0][0]

    def npv(rate):
        return sum(float(cf) / (1 + rate) ** ((day - start).days / 365) for day, cf in flows)

    low, high = -0.99, 10.0
    for _ in range(200):
        middle = (low + high) / 2
        if npv(low) * npv(middle) <= 0:
            high = middle
        else:
            low = middle
    return (low + high) / 2


def by_slug(positions):
    return {p.company.slug: p for p in positions}


def test_only_portfolio_companies_have_positions(portfolio):
    assert sorted(by_slug(positions_as_of(as_of=D(2025, 12, 31)))) == ["alpha", "beta", "gamma"]


def test_the_cost_sums_each_investment_at_its_days_rate(portfolio):
    alpha = by_slug(positions_as_of(as_of=D(2025, 12, 31)))["alpha"]
    series_a, series_c = alpha.investments
    # 20,000,000 CNY at the end of 2021 (the round is known to the year): x 0.15625
    assert (series_a.cost.amount, series_a.cost.rate, series_a.cost.rate_date) == (
        Decimal("3125000.00"),
        Decimal("0.15625"),
        D(2021, 12, 31),
    )
    assert (series_c.cost.amount, series_c.dated_on) == (Decimal("5000000"), D(2024, 3, 31))
    assert alpha.cost.amount == Decimal("8125000.00")
    first = alpha.first_investment
    assert (first.round_name, first.participation.role) == ("Series A (2021)", Role.LEAD)
    assert [i.participation.is_follow_on for i in alpha.investments] == [False, True]


def test_implied_ownership_is_diluted_by_each_later_round(portfolio):
    alpha = by_slug(positions_as_of(as_of=D(2025, 12, 31)))["alpha"]
    # A: 20/500 = 4%; B: x (1000 - 200)/1000 = 3.2%; C: x 250/300 + 5/300 = 4.3333%
    assert (alpha.ownership.percent, alpha.ownership.basis) == (Decimal("4.3333"), "implied")
    assert alpha.ownership.not_counted == ()


def test_a_write_down_values_the_stake_at_the_as_of_days_rate(portfolio):
    alpha = by_slug(positions_as_of(as_of=D(2025, 12, 31)))["alpha"]
    assert (alpha.mark.kind, alpha.mark.basis, alpha.mark.on) == ("mark", "write_down", D(2025, 6, 30))
    # 0.0433333... x 1,400,000,000 CNY = 60,666,666.67 CNY; / 7 = 8,666,666.67 USD
    assert alpha.value_method == "ownership_times_value"
    assert (alpha.value.amount, alpha.value.rate_date) == (Decimal("8666666.67"), D(2025, 12, 31))
    assert alpha.moic.value == Decimal("1.07")  # 8,666,666.67 / 8,125,000


def test_the_irr_solves_the_dated_flows_as_xirr_does(portfolio):
    alpha = by_slug(positions_as_of(as_of=D(2025, 12, 31)))["alpha"]
    assert alpha.flows == [
        (D(2021, 12, 31), Decimal("-3125000.00")),
        (D(2024, 3, 31), Decimal("-5000000")),
        (D(2025, 12, 31), Decimal("8666666.67")),
    ]
    # LibreOffice Calc 7.4's =XIRR(B1:B3; A1:A3) on these three flows gives 0.0248115948073976.
    assert alpha.irr.value == Decimal("0.024812")
    assert abs(float(alpha.irr.value) - xirr_by_bisection(alpha.flows)) < 1e-6


def test_as_of_an_earlier_day_only_earlier_records_count(portfolio):
    alpha = by_slug(positions_as_of(as_of=D(2023, 12, 31)))["alpha"]
    assert [i.round_name for i in alpha.investments] == ["Series A (2021)"]
    assert alpha.ownership.percent == Decimal("3.2000")
    # The latest mark is Series B's post-money: 3.2% x 1,000,000,000 CNY = 32,000,000 CNY, the issue's
    # "cost x the later round's pre-money / the entry round's post-money" (20M x 800/500); at 1/7 USD.
    assert (alpha.mark.kind, alpha.mark.basis) == ("round", "last_round")
    assert alpha.value.amount == Decimal("4571428.57")
    assert alpha.value.rate_date == D(2023, 12, 29)
    assert alpha.moic.value == Decimal("1.46")
    # LibreOffice Calc's XIRR of (2021-12-31, -3,125,000), (2023-12-31, 4,571,428.57): 0.209486313440545.
    assert alpha.flows == [
        (D(2021, 12, 31), Decimal("-3125000.00")),
        (D(2023, 12, 31), Decimal("4571428.57")),
    ]
    assert alpha.irr.value == Decimal("0.209486")


def test_before_the_first_investment_there_is_no_position(portfolio):
    assert "alpha" not in by_slug(positions_as_of(as_of=D(2020, 12, 31)))


def test_stated_shares_at_a_listing_price(portfolio):
    beta = by_slug(positions_as_of(as_of=D(2025, 12, 31)))["beta"]
    assert beta.cost.amount == Decimal("1250000.00")  # 10,000,000 HKD x 1.05 / 8.4
    assert (beta.ownership.percent, beta.ownership.basis) == (Decimal("2.5000"), "stated")
    assert beta.shares.value == Decimal("1000000")
    assert (beta.mark.kind, beta.mark.basis, beta.mark.price_per_share) == (
        "listing",
        "public_market",
        Decimal("25"),
    )
    # 1,000,000 shares x 25 HKD = 25,000,000 HKD x 1.2 / 9 = 3,333,333.33 USD
    assert (beta.value_method, beta.value.amount) == ("shares_times_price", Decimal("3333333.33"))
    assert beta.moic.value == Decimal("2.67")


def test_a_staff_rate_on_the_investments_day_wins(portfolio):
    ExchangeRateFactory(base="HKD", quote="USD", on=D(2022, 5, 10), rate=Decimal("0.1274"), origin="staff")
    beta = by_slug(positions_as_of(as_of=D(2025, 12, 31)))["beta"]
    assert (beta.cost.amount, beta.investments[0].cost.rate_origin) == (Decimal("1274000.00"), "staff")


def test_unknown_figures_say_why_and_are_never_zero(portfolio):
    gamma = by_slug(positions_as_of(as_of=D(2025, 12, 31)))["gamma"]
    assert gamma.cost.amount is None
    assert gamma.cost.reason == "A轮 (2022): The amount is not known."
    assert gamma.ownership.percent is None
    assert gamma.ownership.reason == "A轮 (2022): the firm's amount is not known."
    assert gamma.value.amount is None
    assert (
        gamma.value.reason == "No valuation mark, round valuation or listing price on or before 2025-12-31."
    )
    assert (gamma.moic.value, gamma.irr.value) == (None, None)
    assert gamma.moic.reason == gamma.cost.reason


def test_no_rate_for_the_as_of_day_leaves_the_value_unknown(portfolio):
    beta = by_slug(positions_as_of(as_of=D(2026, 11, 30)))["beta"]
    assert beta.value.amount is None
    assert beta.value.reason.startswith("No HKD to USD exchange rate on 2026-11-30")


def test_a_round_without_a_valuation_is_named_and_not_counted(portfolio):
    FundingRoundFactory(
        company=by_slug(positions_as_of(as_of=D(2025, 12, 31)))["alpha"].company,
        label="Bridge",
        announced_on=D(2024, 9, 1),
        announced_on_precision="day",
    )
    alpha = by_slug(positions_as_of(as_of=D(2025, 12, 31)))["alpha"]
    assert alpha.ownership.percent == Decimal("4.3333")
    assert alpha.ownership.not_counted == ("Bridge (2024-09-01)",)


def test_another_reporting_currency(portfolio, settings):
    settings.REPORTING_CURRENCY = "CNY"
    alpha = by_slug(positions_as_of(as_of=D(2025, 12, 31)))["alpha"]
    # 20,000,000 CNY + 5,000,000 USD at the end of March 2024 (no rate that month: unknown)
    assert alpha.investments[0].cost.amount == Decimal("20000000")
    assert alpha.cost.amount is None
    assert alpha.cost.reason.startswith("Series C (2024-03): No USD to CNY exchange rate on 2024-03-31")


def test_totals_are_known_only_when_every_position_is(portfolio):
    positions = positions_as_of(as_of=D(2025, 12, 31))
    totals = portfolio_totals(positions)
    assert (totals.cost.amount, totals.value.amount) == (None, None)
    assert totals.cost.reason == "1 of 3 positions have no known cost."
    assert (totals.known_cost, totals.known_value) == (Decimal("9375000.00"), Decimal("12000000.00"))
    known = [p for p in positions if p.company.slug != "gamma"]
    totals = portfolio_totals(known)
    assert (totals.cost.amount, totals.value.amount, totals.moic.value) == (
        Decimal("9375000.00"),
        Decimal("12000000.00"),
        Decimal("1.28"),
    )
    assert abs(float(totals.irr.value) - xirr_by_bisection(sorted(f for p in known for f in p.flows))) < 1e-6


def test_positions_take_a_fixed_number_of_queries(portfolio, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        assert len(positions_as_of(as_of=D(2025, 12, 31))) == 3


def test_an_irr_needs_two_days():
    assert irr_of([(D(2024, 1, 1), Decimal(-1)), (D(2024, 1, 1), Decimal(2))]).value is None


def test_a_write_off_is_worth_nothing_and_loses_everything(portfolio):
    from rounds.choices import MarkBasis
    from tests.rounds.factories import ValuationMarkFactory

    gamma_round = by_slug(positions_as_of(as_of=D(2025, 12, 31)))["gamma"].investments[0].funding_round
    house = gamma_round.participations.get()
    house.amount, house.currency = Decimal("2000000"), "USD"
    house.save()
    ValuationMarkFactory(
        company=gamma_round.company, marked_on=D(2024, 6, 30), basis=MarkBasis.WRITE_DOWN, value=Decimal(0)
    )
    gamma = by_slug(positions_as_of(as_of=D(2025, 12, 31)))["gamma"]
    assert gamma.cost.amount == Decimal("2000000")
    # Nothing is worth nothing whatever the stake (unknown here: the round has no valuation).
    assert gamma.ownership.percent is None
    assert (gamma.value.amount, gamma.value_method) == (Decimal("0"), "written_off")
    assert gamma.moic.value == Decimal("0.00")
    # Every cent lost: -100% a year (a spreadsheet's XIRR has no answer, #NUM!).
    assert gamma.irr.value == Decimal("-1.000000")
