"""Converting amounts into the reporting currency at the rate of their date, saying which rate was used.

A rate is looked up for the amount's date, or the last earlier day that has one (weekends and
holidays have no ECB rate), but never further back than `FX_RATE_MAX_AGE_DAYS`: an amount with
no rate that recent stays unconverted and says why, rather than being converted at a guess. A
pair is converted directly when a rate of that pair (either way round) is known, otherwise
through the euro, since the ECB quotes every currency per euro. On one day, a staff rate wins
over the ECB's.
"""

from __future__ import annotations

import bisect
import datetime
import functools
import threading
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Context, Decimal, localcontext

from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from fx.models import ExchangeRate, RateOrigin
from portfolio.dates import period_end

EURO = "EUR"
CENT = Decimal("0.01")
ONE = Decimal(1)
# Rates are shown and multiplied with twelve significant digits (the ECB publishes five or six).
RATE_DIGITS = 12
# How many looked-up rates (a pair on a day) a process keeps, about 20 MB.
LOOKED_UP_LIMIT = 100_000
# An amount times a rate, exact before it is rounded to cents.
PRODUCT = Context(prec=40)


def reporting_currency() -> str:
    """The one currency positions and converted amounts are stated in (`REPORTING_CURRENCY`)."""
    return settings.REPORTING_CURRENCY


def conversion_date(
    value: datetime.date | None, precision: str, *, today: datetime.date | None = None
) -> datetime.date | None:
    """The day whose rate converts an amount dated by a partial date: the period's end (the last
    day whose rate belongs to the period), or today while the period is still running."""
    end = period_end(value, precision)
    return min(end, today or timezone.localdate()) if end else None


@dataclass(frozen=True)
class Rate:
    """One unit of a currency in another, on a day, from the ECB or from staff."""

    value: Decimal
    on: datetime.date
    origin: str

    @functools.cached_property
    def text(self) -> str:
        """The rate as the API shows it: its digits, with no trailing zeros."""
        return format(self.value.normalize(), "f")

    @functools.cached_property
    def on_text(self) -> str:
        return self.on.isoformat()

    def inverse(self) -> Rate:
        with localcontext() as context:
            context.prec = RATE_DIGITS
            return Rate(1 / self.value, self.on, self.origin)

    def times(self, other: Rate) -> Rate:
        """The rate through another currency: dated by the older leg, staff's when either leg is."""
        with localcontext() as context:
            context.prec = RATE_DIGITS
            origin = RateOrigin.STAFF if RateOrigin.STAFF in (self.origin, other.origin) else self.origin
            return Rate(self.value * other.value, min(self.on, other.on), origin)


@dataclass(frozen=True)
class Converted:
    """An amount in the reporting currency with the rate and rate date used, or unknown with the reason."""

    amount: Decimal | None
    currency: str
    rate: Decimal | None = None
    rate_date: datetime.date | None = None
    rate_origin: str = ""
    reason: str = ""

    @property
    def known(self) -> bool:
        return self.amount is not None

    @classmethod
    def unknown(cls, currency: str, reason: str) -> Converted:
        return cls(amount=None, currency=currency, reason=reason)

    def as_dict(self, *, places: Decimal = CENT) -> dict:
        """The JSON form: every key always present, null where unknown."""
        return {
            "amount": None if self.amount is None else str(self.amount.quantize(places)),
            "currency": self.currency,
            "rate": None if self.rate is None else format(self.rate.normalize(), "f"),
            "rate_date": self.rate_date.isoformat() if self.rate_date else None,
            "rate_origin": self.rate_origin,
            "reason": self.reason,
        }


class _Series:
    """One pair's rates by day, staff's rate kept where both exist on a day."""

    def __init__(self) -> None:
        self.by_day: dict[datetime.date, Rate] = {}
        self.days: list[datetime.date] = []

    def add(self, rate: Rate) -> None:
        kept = self.by_day.get(rate.on)
        if kept is None or rate.origin == RateOrigin.STAFF:
            self.by_day[rate.on] = rate

    def freeze(self) -> None:
        self.days = sorted(self.by_day)

    def on_or_before(self, day: datetime.date) -> Rate | None:
        index = bisect.bisect_right(self.days, day)
        return self.by_day[self.days[index - 1]] if index else None


class _Table:
    """The rates of the currencies read so far, as of one revision of the exchange-rate table."""

    def __init__(self, revision: tuple) -> None:
        self.revision = revision
        self.currencies: set[str] = set()
        self.series: dict[tuple[str, str], _Series] = {}
        self.looked_up: dict[tuple[str, str, datetime.date, datetime.timedelta], Rate | None] = {}
        self.lock = threading.Lock()

    def load(self, wanted: set[str]) -> None:
        """Read the rates between the new currencies and every currency already read, in one query."""
        with self.lock:
            missing = wanted - self.currencies
            if not missing:
                return
            every = self.currencies | missing
            rows = ExchangeRate.objects.filter(
                (Q(base__in=missing) & Q(quote__in=every)) | (Q(base__in=every) & Q(quote__in=missing))
            ).values_list("base", "quote", "on", "rate", "origin")
            added: dict[tuple[str, str], _Series] = {}
            for base, quote, on, value, origin in rows.iterator(chunk_size=5000):
                added.setdefault((base, quote), _Series()).add(Rate(value, on, origin))
            for series in added.values():
                series.freeze()
            self.series = {**self.series, **added}
            self.currencies = every


# The rates read by this process, kept while the table is unchanged: the ECB's history is large
# and changes once a day, so a request reads one revision number instead of thousands of rates.
_table = _Table(revision=())


# How many columns the table's revision is.
REVISION_COLUMNS = 2


@functools.cache
def revision_columns() -> str:
    """SQL of the table's revision, as columns a statement can select (REVISION_COLUMNS of them): what
    changes whenever a rate is added, changed or deleted, that is the latest change of a rate (loads and
    edits stamp it) and the latest history entry (deletions through the admin and the API leave one).
    Both read one index entry; the moment comes as text, which is quicker to read than a timestamp."""
    rates, history = ExchangeRate._meta.db_table, ExchangeRate.history.model._meta.db_table
    return f"CAST((SELECT MAX(updated_at) FROM {rates}) AS TEXT), (SELECT MAX(history_id) FROM {history})"


def table_revision() -> tuple:
    """The exchange-rate table's revision (`revision_columns`), read on its own."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {revision_columns()}")
        return tuple(cursor.fetchone())


class RateBook:
    """The rates one piece of work needs. The first conversion checks the table's revision (one query);
    rates are read once per currency while the table is unchanged, so converting many amounts costs
    no query each."""

    def __init__(self, *, max_age_days: int | None = None) -> None:
        self.max_age = datetime.timedelta(
            days=settings.FX_RATE_MAX_AGE_DAYS if max_age_days is None else max_age_days
        )
        self._table: _Table | None = None

    def table(self, revision: tuple | None = None) -> _Table:
        """The process's rates as of the table's current revision, checked once per book: read here, or
        given by a statement that read it along with its rows (`revision_columns`)."""
        global _table
        if self._table is None:
            if revision is None:
                revision = table_revision()
            if _table.revision != revision:
                _table = _Table(revision)
            self._table = _table
        return self._table

    def load(self, *currencies: str) -> None:
        """Make sure the rates between these currencies, the euro and those already read are at hand."""
        self.table().load({c for c in currencies if c} | {EURO})

    @property
    def _series(self) -> dict[tuple[str, str], _Series]:
        return self._table.series if self._table is not None else {}

    def _leg(self, source: str, target: str, day: datetime.date) -> Rate | None:
        """The latest rate of one pair on or before the day, read either way round."""
        candidates = []
        direct = self._series.get((source, target))
        if direct and (rate := direct.on_or_before(day)):
            candidates.append((rate.on, rate.origin == RateOrigin.STAFF, 1, rate))
        inverse = self._series.get((target, source))
        if inverse and (rate := inverse.on_or_before(day)):
            candidates.append((rate.on, rate.origin == RateOrigin.STAFF, 0, rate.inverse()))
        return max(candidates, key=lambda c: c[:3])[3] if candidates else None

    def rate(self, source: str, target: str, day: datetime.date) -> Rate | None:
        """One unit of `source` in `target` on the day: the most recent rate within the allowed age,
        directly or through the euro; None when there is none."""
        if source == target:
            return Rate(Decimal(1), day, "")
        # Rates looked up are kept with the table's revision: amounts share currencies and days, and the
        # same pages are read again and again.
        looked_up = self.table().looked_up
        key = (source, target, day, self.max_age)
        if key not in looked_up:
            if len(looked_up) >= LOOKED_UP_LIMIT:
                looked_up.clear()
            looked_up[key] = self._rate(source, target, day)
        return looked_up[key]

    def _rate(self, source: str, target: str, day: datetime.date) -> Rate | None:
        self.load(source, target)
        candidates = []
        if direct := self._leg(source, target, day):
            candidates.append((direct.on, direct.origin == RateOrigin.STAFF, 1, direct))
        if EURO not in (source, target):
            to_euro, from_euro = self._leg(source, EURO, day), self._leg(EURO, target, day)
            if to_euro and from_euro:
                crossed = to_euro.times(from_euro)
                candidates.append((crossed.on, crossed.origin == RateOrigin.STAFF, 0, crossed))
        if not candidates:
            return None
        best = max(candidates, key=lambda c: c[:3])[3]
        return best if day - best.on <= self.max_age else None

    def convert(
        self,
        amount: Decimal | None,
        source: str,
        day: datetime.date | None,
        *,
        target: str | None = None,
        places: Decimal = CENT,
    ) -> Converted:
        """The amount in the target currency (the reporting currency unless given), at the day's rate,
        rounded to cents (or the places given: a price per share keeps more)."""
        target = target or reporting_currency()
        if amount is None:
            return Converted.unknown(target, _("The amount is not known."))
        if source == target:
            return Converted(amount=amount, currency=target, rate=ONE)
        if day is None:
            return Converted.unknown(target, _("The amount has no date, so no exchange rate applies to it."))
        rate = self.rate(source, target, day)
        if rate is None:
            return Converted.unknown(target, self.missing_rate_reason(source, target, day))
        value = PRODUCT.multiply(amount, rate.value).quantize(
            places, rounding=ROUND_HALF_EVEN, context=PRODUCT
        )
        return Converted(
            amount=value, currency=target, rate=rate.value, rate_date=rate.on, rate_origin=rate.origin
        )

    def missing_rate_reason(self, source: str, target: str, day: datetime.date) -> str:
        return _(
            "No %(source)s to %(target)s exchange rate on %(day)s or in the %(days)s days before: "
            "load the ECB's rates (manage.py load_fx_rates) or add the rate in the admin."
        ) % {"source": source, "target": target, "day": day.isoformat(), "days": self.max_age.days}


class ConvertedForms:
    """Many amounts converted into one currency, each in the JSON form `RateBook.convert(...).as_dict()`
    gives (to the cent), for long lists: the rate of a currency on a day, and its text, are found once
    however many amounts use it. Amounts may be given as decimals or as their text."""

    def __init__(self, book: RateBook, target: str) -> None:
        self.book, self.target = book, target
        self.unknown = book.convert(None, target, None, target=target).as_dict()
        # (currency, day): the rate's value and JSON fields, or the whole answer when no rate applies.
        self.rates: dict[tuple[str, datetime.date | None], tuple | dict] = {}

    def __call__(self, amount: Decimal | str | None, currency: str, day: datetime.date | None) -> dict:
        if amount is None:
            return dict(self.unknown)
        rate = self.rates.get((currency, day))
        if rate is None:
            rate = self.rates[currency, day] = self.rate(currency, day)
        if type(rate) is dict:
            return dict(rate)
        value, text, on, origin = rate
        converted = PRODUCT.multiply(Decimal(amount), value).quantize(
            CENT, rounding=ROUND_HALF_EVEN, context=PRODUCT
        )
        return {
            "amount": str(converted),
            "currency": self.target,
            "rate": text,
            "rate_date": on,
            "rate_origin": origin,
            "reason": "",
        }

    def rate(self, currency: str, day: datetime.date | None) -> tuple | dict:
        """What converting any amount of the currency on the day takes (as `RateBook.convert` does it):
        the rate's value and JSON fields, or the whole answer when no rate applies."""
        if currency == self.target:
            return ONE, "1", None, ""
        if day is None:
            return self.book.convert(ONE, currency, day, target=self.target).as_dict()
        rate = self.book.rate(currency, self.target, day)
        if rate is None:
            return Converted.unknown(
                self.target, self.book.missing_rate_reason(currency, self.target, day)
            ).as_dict()
        return rate.value, rate.text, rate.on_text, rate.origin
