"""Rounds as the API reads them out, built from the columns it shows rather than from model instances.

Lists of rounds are the API's busiest answers. Building a model instance for every round, its
company, its source, each participation and each investor, only to read twenty fields of them,
took most of a request's time; here one query reads the rounds' columns (with their company's
slug and names) and one more their participations' (with their investors'), as tuples. The
result is the JSON of `FundingRoundSerializer`, field for field and in the same order
(`tests/rounds/test_representations.py` compares the two); writes still go through the
serializer, which validates.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone

from fx.rates import CENT, RateBook, conversion_date, reporting_currency
from portfolio.dates import format_partial_date
from rounds.models import FundingRound, Participation

ROUND_COLUMNS = (
    "id",
    "company__slug",
    "company__name_en",
    "company__name_zh",
    "stage",
    "label",
    "announced_on",
    "announced_on_precision",
    "amount",
    "currency",
    "pre_money",
    "post_money",
    "valuation_currency",
    "notes",
    "source_id",
    "source_quote",
    "version",
    "created_at",
    "updated_at",
)
PARTICIPATION_COLUMNS = (
    "funding_round_id",
    "id",
    "investor__slug",
    "investor__name_en",
    "investor__name_zh",
    "role",
    "is_follow_on",
    "amount",
    "currency",
    "shares_after",
    "ownership_after",
    "source_id",
    "source_quote",
    "version",
)
# A round's investors in the order the API lists them (`rounds.services.rounds_with_participations`).
PARTICIPATION_ORDER = ("role", "investor__name_en", "id")


def decimal_text(value: Decimal | None) -> str | None:
    """A stored decimal as DRF's DecimalField writes it: a string with the column's places."""
    return None if value is None else format(value, "f")


def date_text(value: datetime.date | None) -> str | None:
    return None if value is None else value.isoformat()


class Timestamps:
    """Moments as DRF's DateTimeField writes them: in the current time zone, ISO 8601, UTC as "Z"."""

    def __init__(self) -> None:
        self.zone = timezone.get_current_timezone()

    def text(self, value: datetime.datetime | None) -> str | None:
        if value is None:
            return None
        shown = value.astimezone(self.zone).isoformat()
        return shown[:-6] + "Z" if shown.endswith("+00:00") else shown


class RoundReader:
    """Reads rounds with their participations into the API's JSON form, in two queries.

    One reader serves one response: its rate book checks the exchange-rate table once and every
    amount of every round is converted from rates already read.
    """

    def __init__(self) -> None:
        self.rates = RateBook()
        self.timestamps = Timestamps()
        self.today = timezone.localdate()
        self.currency = reporting_currency()
        self.unknown_amount: dict | None = None

    def converted(self, amount: Decimal | None, currency: str, day: datetime.date | None) -> dict:
        if amount is None:  # the most common case, and always the same answer
            if self.unknown_amount is None:
                self.unknown_amount = self.rates.convert(None, currency, day, target=self.currency).as_dict()
            return dict(self.unknown_amount)
        return self.rates.convert(amount, currency, day, target=self.currency, places=CENT).as_dict(
            places=CENT
        )

    def read(self, rounds: QuerySet[FundingRound], ids: list[int] | None = None) -> list[dict]:
        """The rounds of `rounds` as the API shows them, in its order; with `ids`, only those rounds, in
        the order of `ids` (a page)."""
        rounds = rounds.prefetch_related(None)
        if ids is None:
            rows = list(rounds.values_list(*ROUND_COLUMNS))
        else:
            position = {pk: index for index, pk in enumerate(ids)}
            rows = sorted(
                rounds.filter(pk__any=ids).order_by().values_list(*ROUND_COLUMNS),
                key=lambda row: position[row[0]],
            )
        by_round = self.participations_of([row[0] for row in rows])
        return [self.round(row, by_round.get(row[0], ())) for row in rows]

    def participations_of(self, round_ids: Iterable[int]) -> dict[int, list[tuple]]:
        round_ids = list(round_ids)
        if not round_ids:
            return {}
        by_round: dict[int, list[tuple]] = {}
        rows = (
            Participation.objects.filter(funding_round_id__any=round_ids)
            .order_by(*PARTICIPATION_ORDER)
            .values_list(*PARTICIPATION_COLUMNS)
        )
        for row in rows:
            by_round.setdefault(row[0], []).append(row)
        return by_round

    def round(self, row: tuple, participations: Iterable[tuple]) -> dict:
        (
            pk,
            company,
            company_name_en,
            company_name_zh,
            stage,
            label,
            announced_on,
            precision,
            amount,
            currency,
            pre_money,
            post_money,
            valuation_currency,
            notes,
            source,
            source_quote,
            version,
            created_at,
            updated_at,
        ) = row
        day = conversion_date(announced_on, precision, today=self.today)
        return {
            "id": pk,
            "company": company,
            "company_name_en": company_name_en,
            "company_name_zh": company_name_zh,
            "stage": stage,
            "label": label,
            "announced_on": date_text(announced_on),
            "announced_on_precision": precision,
            "announced_on_display": format_partial_date(announced_on, precision),
            "amount": decimal_text(amount),
            "currency": currency,
            "amount_converted": self.converted(amount, currency, day),
            "pre_money": decimal_text(pre_money),
            "post_money": decimal_text(post_money),
            "valuation_currency": valuation_currency,
            "pre_money_converted": self.converted(pre_money, valuation_currency, day),
            "post_money_converted": self.converted(post_money, valuation_currency, day),
            "notes": notes,
            "participations": [self.participation(p, day) for p in participations],
            "source": source,
            "source_quote": source_quote,
            "version": version,
            "created_at": self.timestamps.text(created_at),
            "updated_at": self.timestamps.text(updated_at),
        }

    def participation(self, row: tuple, day: datetime.date | None) -> dict:
        (
            _round,
            pk,
            investor,
            investor_name_en,
            investor_name_zh,
            role,
            is_follow_on,
            amount,
            currency,
            shares_after,
            ownership_after,
            source,
            source_quote,
            version,
        ) = row
        return {
            "id": pk,
            "investor": investor,
            "investor_name_en": investor_name_en,
            "investor_name_zh": investor_name_zh,
            "role": role,
            "is_follow_on": is_follow_on,
            "amount": decimal_text(amount),
            "currency": currency,
            "amount_converted": self.converted(amount, currency, day),
            "shares_after": decimal_text(shares_after),
            "ownership_after": decimal_text(ownership_after),
            "source": source,
            "source_quote": source_quote,
            "version": version,
        }
