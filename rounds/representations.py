"""Rounds as the API reads them out, built from the columns it shows rather than from model instances.

Lists of rounds are the API's busiest answers. Building a model instance for every round, its
company, its source, each participation and each investor, only to read twenty fields of them,
took most of a request's time. Here two queries read the rounds' columns (with their company's slug
and names) and their participations' (with their investors'), as tuples. On PostgreSQL they are two
statements written once (decimals and moments read as their text, the exchange-rate table's revision
read along with the rounds); elsewhere (SQLite) two querysets. The result is the JSON of
`FundingRoundSerializer`, field for field and in the same order (`tests/rounds/test_representations.py`
compares the two); writes still go through the serializer, which validates.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Sequence
from decimal import Decimal

from django.db import connections
from django.db.models import QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from companies.models import Company
from fx.rates import (
    REVISION_COLUMNS,
    ConvertedForms,
    RateBook,
    conversion_date,
    reporting_currency,
    revision_columns,
)
from portfolio.dates import format_partial_date
from rounds.models import PARTICIPATION_ORDER, FundingRound, Investor, Participation

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


# PostgreSQL's reader. ROUNDS_STATEMENT reads the rounds `picked` gives (ids and their place in the
# answer) with the exchange-rate table's revision; PARTICIPATIONS_STATEMENT their participations. The
# columns are those of ROUND_COLUMNS and PARTICIPATION_COLUMNS; decimals and moments come as their text,
# which psycopg passes on as it is (a numeric's text has the column's places, as the API shows it).
ROUNDS_STATEMENT = """
WITH picked (id, position) AS ({picked})
SELECT
    r.id, c.slug, c.name_en, c.name_zh, r.stage, r.label, r.announced_on, r.announced_on_precision,
    r.amount::text, r.currency, r.pre_money::text, r.post_money::text, r.valuation_currency, r.notes,
    r.source_id, r.source_quote, r.version, r.created_at::text, r.updated_at::text, {revision}
FROM picked
JOIN {rounds} r ON r.id = picked.id
JOIN {companies} c ON c.id = r.company_id
ORDER BY picked.position
"""
PARTICIPATIONS_STATEMENT = """
SELECT
    p.funding_round_id, p.id, i.slug, i.name_en, i.name_zh, p.role, p.is_follow_on, p.amount::text,
    p.currency, p.shares_after::text, p.ownership_after::text, p.source_id, p.source_quote, p.version
FROM {participations} p
JOIN {investors} i ON i.id = p.investor_id
WHERE p.funding_round_id = ANY(%s)
ORDER BY p.role, i.name_en, p.id  -- PARTICIPATION_ORDER
"""
# Rounds given by id: their place is their place in the list of ids; those a queryset does not hold
# are left out.
PICKED_BY_ID = "SELECT o.id, o.position FROM unnest(%s::bigint[]) WITH ORDINALITY AS o(id, position)"
PICKED_BY_ID_AMONG = PICKED_BY_ID + " JOIN ({matching}) AS m (id) ON m.id = o.id"


def rounds_statement(picked: str) -> str:
    return ROUNDS_STATEMENT.format(
        picked=picked,
        rounds=FundingRound._meta.db_table,
        companies=Company._meta.db_table,
        revision=revision_columns(),
    )


@functools.cache
def participations_statement() -> str:
    return PARTICIPATIONS_STATEMENT.format(
        participations=Participation._meta.db_table, investors=Investor._meta.db_table
    )


def compiled(queryset: QuerySet) -> tuple[str, tuple]:
    """The SQL of a queryset and its parameters, for its own database."""
    return queryset.query.get_compiler(using=queryset.db).as_sql()


def decimal_text(value: Decimal | str | None) -> str | None:
    """A stored decimal as DRF's DecimalField writes it: a string with the column's places (PostgreSQL's
    text of a numeric is that already)."""
    return value if value is None or type(value) is str else format(value, "f")


class Timestamps:
    """Moments as DRF's DateTimeField writes them: in the current time zone, ISO 8601, UTC as "Z"."""

    def __init__(self) -> None:
        self.zone = timezone.get_current_timezone()

    def text(self, value: datetime.datetime | str | None) -> str | None:
        if value is None:
            return None
        if type(value) is str:
            value = datetime.datetime.fromisoformat(value)
        shown = value.astimezone(self.zone).isoformat()
        return shown[:-6] + "Z" if shown.endswith("+00:00") else shown


class RoundReader:
    """Reads rounds with their participations into the API's JSON form, in two queries: on PostgreSQL two
    statements written once, elsewhere two querysets.

    One reader serves one response: every amount of every round is converted from rates read once,
    as of the exchange-rate table's revision (on PostgreSQL read along with the rounds).
    """

    def __init__(self) -> None:
        self.rates = RateBook()
        self.converted = ConvertedForms(self.rates, reporting_currency())
        self.timestamps = Timestamps()
        self.today = timezone.localdate()
        # A partial date's text, its conversion day and its display form, by its value and precision.
        self.dates: dict[tuple, tuple[str | None, datetime.date | None, str]] = {}

    def read(self, rounds: QuerySet[FundingRound], ids: Sequence[int] | None = None) -> list[dict]:
        """The rounds of `rounds` as the API shows them, in its order; with `ids`, only those rounds, in
        the order of `ids` (a page)."""
        rounds = rounds.prefetch_related(None)
        if ids is not None and not ids:
            return []
        if connections[rounds.db].vendor == "postgresql":
            rows = self.statements(rounds, ids)
        else:
            rows = self.columns(rounds, ids)
        return [self.round(row) for row in rows]

    def statements(self, rounds: QuerySet[FundingRound], ids: Sequence[int] | None) -> list:
        """The rounds' rows, from PostgreSQL's statements (above)."""
        if ids is None:
            ordering = rounds.query.order_by or FundingRound._meta.ordering or ("pk",)
            picked = rounds.annotate(position=Window(RowNumber(), order_by=list(ordering)))
            sql, params = compiled(picked.order_by().values_list("pk", "position"))
        elif not rounds.query.where:  # every round may be read: the ids are the rounds
            sql, params = PICKED_BY_ID, (list(ids),)
        else:
            matching, matching_params = compiled(rounds.filter(pk__any=ids).order_by().values("pk"))
            sql, params = PICKED_BY_ID_AMONG.format(matching=matching), (list(ids), *matching_params)
        with connections[rounds.db].cursor() as cursor:
            cursor.execute(rounds_statement(sql), params)
            rows = cursor.fetchall()
            if not rows:
                return []
            self.rates.table(revision=tuple(rows[0][-REVISION_COLUMNS:]))
            by_round: dict[int, list[tuple]] = {}
            cursor.execute(participations_statement(), [[row[0] for row in rows]])
            for row in cursor.fetchall():
                by_round.setdefault(row[0], []).append(row[1:])
        return [(*row[:-REVISION_COLUMNS], by_round.get(row[0], ())) for row in rows]

    def columns(self, rounds: QuerySet[FundingRound], ids: Sequence[int] | None) -> list:
        """The rounds' rows as tuples of their columns, with their participations', in two queries."""
        if ids is None:
            rows = list(rounds.values_list(*ROUND_COLUMNS))
        else:
            position = {pk: index for index, pk in enumerate(ids)}
            rows = sorted(
                rounds.filter(pk__any=ids).order_by().values_list(*ROUND_COLUMNS),
                key=lambda row: position[row[0]],
            )
        by_round: dict[int, list[tuple]] = {}
        participations = (
            Participation.objects.filter(funding_round_id__any=[row[0] for row in rows])
            .order_by(*PARTICIPATION_ORDER)
            .values_list(*PARTICIPATION_COLUMNS)
        )
        for row in participations:
            by_round.setdefault(row[0], []).append(row[1:])
        return [(*row, by_round.get(row[0], ())) for row in rows]

    def partial_date(self, day: datetime.date | None, precision: str) -> tuple:
        """A partial date's JSON text, the day whose rate converts its amounts, and its display form."""
        known = self.dates.get((day, precision))
        if known is None:
            known = self.dates[day, precision] = (
                None if day is None else day.isoformat(),
                conversion_date(day, precision, today=self.today),
                format_partial_date(day, precision),
            )
        return known

    def round(self, row: Sequence) -> dict:
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
            participations,
        ) = row
        announced_on, day, display = self.partial_date(announced_on, precision)
        converted, timestamp = self.converted, self.timestamps.text
        return {
            "id": pk,
            "company": company,
            "company_name_en": company_name_en,
            "company_name_zh": company_name_zh,
            "stage": stage,
            "label": label,
            "announced_on": announced_on,
            "announced_on_precision": precision,
            "announced_on_display": display,
            "amount": decimal_text(amount),
            "currency": currency,
            "amount_converted": converted(amount, currency, day),
            "pre_money": decimal_text(pre_money),
            "post_money": decimal_text(post_money),
            "valuation_currency": valuation_currency,
            "pre_money_converted": converted(pre_money, valuation_currency, day),
            "post_money_converted": converted(post_money, valuation_currency, day),
            "notes": notes,
            "participations": [self.participation(p, day) for p in participations or ()],
            "source": source,
            "source_quote": source_quote,
            "version": version,
            "created_at": timestamp(created_at),
            "updated_at": timestamp(updated_at),
        }

    def participation(self, row: Sequence, day: datetime.date | None) -> dict:
        (
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
