"""A portfolio whose positions are worked out by hand (in tests/rounds/test_positions.py); the API's
tests and the browser's build it."""

import datetime
from decimal import Decimal

from fx.models import RateOrigin
from rounds.choices import ListingKind, MarkBasis, Role, Stage
from rounds.models import Investor
from tests.companies.factories import CompanyFactory
from tests.fx.factories import ExchangeRateFactory
from tests.rounds.factories import (
    FundingRoundFactory,
    InvestorFactory,
    ListingFactory,
    ParticipationFactory,
    ValuationMarkFactory,
)

D = datetime.date

# Every figure of these positions is worked out by hand in `test_positions.py`.
#
# The portfolio: Alpha (CNY rounds, then a USD follow-on, then a write-down), Beta (HKD, stated shares
# and ownership, then listed), Gamma (no amounts). Rates are set per euro, as the ECB quotes them:
#
# | day        | USD  | CNY | HKD |
# | 2021-12-31 | 1.25 | 8.0 |     |  1 CNY = 0.15625 USD
# | 2022-05-10 | 1.05 |     | 8.4 |  1 HKD = 0.125 USD
# | 2023-12-29 | 1.10 | 7.7 |     |  1 CNY = 1/7 USD (a Friday; the 31st is a Sunday)
# | 2025-12-31 | 1.20 | 8.4 | 9.0 |  1 CNY = 1/7 USD, 1 HKD = 2/15 USD
RATES = {
    D(2021, 12, 31): {"USD": "1.25", "CNY": "8.0"},
    D(2022, 5, 10): {"USD": "1.05", "HKD": "8.4"},
    D(2023, 12, 29): {"USD": "1.10", "CNY": "7.7"},
    D(2025, 12, 31): {"USD": "1.20", "CNY": "8.4", "HKD": "9.0"},
}


def hand_computed_portfolio() -> None:
    """Alpha, Beta and Gamma with their rounds, marks, listing and the rates above; the house
    investor is the one there is (the article's), or a new one."""
    for day, quotes in RATES.items():
        for quote, rate in quotes.items():
            ExchangeRateFactory(base="EUR", quote=quote, on=day, rate=Decimal(rate), origin=RateOrigin.ECB)
    house = Investor.objects.filter(is_house=True).first() or InvestorFactory(slug="house", is_house=True)
    other = InvestorFactory(slug="other")

    alpha = CompanyFactory(slug="alpha", name_en="Alpha")
    series_a = FundingRoundFactory(
        company=alpha,
        stage=Stage.A,
        label="Series A",
        announced_on=D(2021, 1, 1),
        announced_on_precision="year",
        amount=Decimal("100000000"),
        currency="CNY",
        pre_money=Decimal("400000000"),
        post_money=Decimal("500000000"),
        valuation_currency="CNY",
    )
    ParticipationFactory(
        funding_round=series_a, investor=house, role=Role.LEAD, amount=Decimal("20000000"), currency="CNY"
    )
    ParticipationFactory(funding_round=series_a, investor=other, role=Role.PARTICIPANT)
    series_b = FundingRoundFactory(
        company=alpha,
        stage=Stage.B,
        label="Series B",
        announced_on=D(2023, 6, 15),
        announced_on_precision="day",
        amount=Decimal("200000000"),
        currency="CNY",
        post_money=Decimal("1000000000"),
        valuation_currency="CNY",
    )
    ParticipationFactory(funding_round=series_b, investor=other, role=Role.LEAD)
    series_c = FundingRoundFactory(
        company=alpha,
        stage=Stage.C,
        label="Series C",
        announced_on=D(2024, 3, 1),
        announced_on_precision="month",
        amount=Decimal("50000000"),
        currency="USD",
        pre_money=Decimal("250000000"),
        post_money=Decimal("300000000"),
        valuation_currency="USD",
    )
    ParticipationFactory(
        funding_round=series_c,
        investor=house,
        role=Role.PARTICIPANT,
        is_follow_on=True,
        amount=Decimal("5000000"),
        currency="USD",
    )
    ValuationMarkFactory(
        company=alpha,
        marked_on=D(2025, 6, 30),
        basis=MarkBasis.WRITE_DOWN,
        value=Decimal("1400000000"),
        currency="CNY",
    )

    beta = CompanyFactory(slug="beta", name_en="Beta", status="listed")
    beta_b = FundingRoundFactory(
        company=beta,
        stage=Stage.B,
        label="Series B",
        announced_on=D(2022, 5, 10),
        announced_on_precision="day",
    )
    ParticipationFactory(
        funding_round=beta_b,
        investor=house,
        role=Role.CO_LEAD,
        amount=Decimal("10000000"),
        currency="HKD",
        shares_after=Decimal("1000000"),
        ownership_after=Decimal("2.5"),
    )
    ListingFactory(
        company=beta,
        kind=ListingKind.IPO,
        listed_on=D(2025, 1, 8),
        offer_price=Decimal("25"),
        currency="HKD",
    )

    gamma = CompanyFactory(slug="gamma", name_en="Gamma")
    ParticipationFactory(
        funding_round=FundingRoundFactory(company=gamma, announced_on=D(2022, 1, 1)),
        investor=house,
        role=Role.LEAD,
    )
    # Not in the portfolio: the house investor is in none of its rounds.
    ParticipationFactory(
        funding_round=FundingRoundFactory(company=CompanyFactory(slug="delta")), investor=other
    )
