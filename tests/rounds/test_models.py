import datetime
from decimal import Decimal

import pytest
from django.db.models import ProtectedError

from rounds.models import FundingRound, Investor, Participation
from tests.companies.factories import CompanyFactory
from tests.helpers import assert_database_refuses, assert_validation_refuses
from tests.rounds.factories import FundingRoundFactory, InvestorFactory, ListingFactory, ParticipationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def company():
    return CompanyFactory()


@pytest.fixture
def funding_round(company) -> FundingRound:
    return FundingRoundFactory(company=company)


def round_row(company, **fields) -> FundingRound:
    return FundingRoundFactory.build(company=company, source=None, **fields)


class TestInvestor:
    def test_slug_is_unique(self):
        InvestorFactory(slug="fortune-capital")
        assert_database_refuses(InvestorFactory.build(slug="fortune-capital"))

    def test_at_most_one_house_investor(self):
        InvestorFactory(is_house=True)
        assert_database_refuses(InvestorFactory.build(is_house=True))
        assert_validation_refuses(InvestorFactory.build(is_house=True), "is_house")
        InvestorFactory(is_house=False)
        assert Investor.objects.count() == 2

    def test_kind_must_be_a_known_value(self):
        assert_database_refuses(InvestorFactory.build(kind="hedge"))

    def test_investor_with_participations_cannot_be_deleted(self, funding_round):
        participation = ParticipationFactory(funding_round=funding_round)
        with pytest.raises(ProtectedError):
            participation.investor.delete()
        assert Investor.objects.filter(pk=participation.investor_id).exists()


class TestFundingRound:
    @pytest.mark.parametrize("field", ["amount", "pre_money", "post_money"])
    def test_money_cannot_be_negative(self, company, field):
        currency = "currency" if field == "amount" else "valuation_currency"
        assert_database_refuses(round_row(company, **{field: Decimal("-1"), currency: "CNY"}))
        assert_validation_refuses(round_row(company, **{field: Decimal("-1"), currency: "CNY"}), field)

    def test_currency_must_be_iso_4217(self, company):
        assert_database_refuses(round_row(company, amount=Decimal("100"), currency="RMB"))

    def test_an_amount_needs_a_currency(self, company):
        assert_database_refuses(round_row(company, amount=Decimal("100"), currency=""))
        assert_database_refuses(round_row(company, post_money=Decimal("100"), valuation_currency=""))

    def test_unknown_amounts_stay_null(self, company):
        funding_round = FundingRoundFactory(company=company, amount=None, currency="")
        funding_round.refresh_from_db()
        assert funding_round.amount is None

    def test_stage_must_be_a_known_value(self, company):
        assert_database_refuses(round_row(company, stage="z"))
        assert_validation_refuses(round_row(company, stage="z"), "stage")

    def test_announced_on_precision_is_checked(self, company):
        assert_database_refuses(
            round_row(company, announced_on=datetime.date(2021, 5, 1), announced_on_precision="year")
        )
        assert_database_refuses(round_row(company, announced_on_precision="week"))

    def test_post_money_cannot_be_below_pre_money(self, company):
        row = round_row(company, pre_money=Decimal("10"), post_money=Decimal("5"), valuation_currency="USD")
        assert_validation_refuses(row, "post_money")

    def test_company_with_rounds_cannot_be_deleted(self, funding_round):
        with pytest.raises(ProtectedError):
            funding_round.company.delete()

    def test_deleting_a_round_deletes_its_participations(self, funding_round):
        ParticipationFactory(funding_round=funding_round)
        funding_round.delete()
        assert not Participation.objects.exists()

    def test_str_names_company_label_and_date(self, company):
        funding_round = FundingRoundFactory(
            company=company, label="A轮", announced_on=datetime.date(2021, 1, 1)
        )
        assert str(funding_round) == f"{company.name_en} · A轮 (2021)"


class TestParticipation:
    def test_one_row_per_investor_per_round(self, funding_round):
        participation = ParticipationFactory(funding_round=funding_round)
        assert_database_refuses(
            ParticipationFactory.build(funding_round=funding_round, investor=participation.investor)
        )

    def test_the_same_investor_may_join_another_round(self, funding_round):
        participation = ParticipationFactory(funding_round=funding_round)
        ParticipationFactory(
            funding_round=FundingRoundFactory(company=funding_round.company), investor=participation.investor
        )
        assert participation.investor.participations.count() == 2

    def test_amount_cannot_be_negative(self, funding_round):
        row = ParticipationFactory.build(
            funding_round=funding_round, investor=InvestorFactory(), amount=Decimal("-5"), currency="USD"
        )
        assert_database_refuses(row)

    def test_role_must_be_a_known_value(self, funding_round):
        assert_database_refuses(
            ParticipationFactory.build(
                funding_round=funding_round, investor=InvestorFactory(), role="observer"
            )
        )


class TestListing:
    @pytest.mark.parametrize("field", ["offer_price", "amount_raised"])
    def test_money_cannot_be_negative(self, company, field):
        assert_database_refuses(
            ListingFactory.build(company=company, currency="HKD", **{field: Decimal("-1")})
        )

    def test_kind_must_be_a_known_value(self, company):
        assert_database_refuses(ListingFactory.build(company=company, kind="spac"))

    def test_listed_on_precision_is_checked(self, company):
        assert_database_refuses(
            ListingFactory.build(
                company=company, listed_on=datetime.date(2026, 1, 8), listed_on_precision="month"
            )
        )
