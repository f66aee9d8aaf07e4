import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from companies.models import Company
from fx.models import ExchangeRate
from rounds.models import ValuationMark

pytestmark = pytest.mark.django_db


def bootstrap(**kwargs) -> str:
    """The command, without the ECB's rates (seconds to load) unless a test asks for them."""
    out = io.StringIO()
    call_command("bootstrap", stdout=out, **{"no_rates": True, **kwargs})
    return out.getvalue()


def test_first_run_loads_the_article_and_prints_a_generated_password_once(monkeypatch):
    monkeypatch.delenv("DJANGO_SUPERUSER_PASSWORD", raising=False)
    output = bootstrap()
    assert Company.objects.filter(slug="zhipu-ai").exists()
    password = output.split("with password: ")[1].split()[0]
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.check_password(password)

    second = bootstrap()
    assert "password" not in second.split("log in with its password")[0]
    assert get_user_model().objects.get(username="admin").check_password(password)


def test_password_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "s3cret-from-env")
    output = bootstrap()
    assert "s3cret-from-env" not in output
    assert get_user_model().objects.get(username="admin").check_password("s3cret-from-env")


def test_a_second_run_never_overwrites_edited_data(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "pw-123456-abc")
    bootstrap()
    Company.objects.filter(slug="zhipu-ai").update(name_en="Zhipu (edited)")
    bootstrap()
    assert Company.objects.get(slug="zhipu-ai").name_en == "Zhipu (edited)"


def test_the_demo_data_starts_its_history_so_the_first_change_shows_what_it_was(monkeypatch):
    from django.apps import apps

    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "pw-123456-abc")
    bootstrap()
    for label in ("companies", "rounds"):
        for model in apps.get_app_config(label).get_models():
            if model.__name__.startswith("Historical"):
                continue
            if model is ValuationMark:  # the article values nothing: no invented numbers
                assert not model.objects.exists()
                continue
            assert model.history.count() == model.objects.count() > 0, model.__name__
    first = Company.objects.get(slug="zhipu-ai").history.get()
    assert (first.history_type, first.history_change_reason) == ("+", "Loaded from the article fixture")

    bootstrap()
    assert Company.objects.get(slug="zhipu-ai").history.count() == 1


def test_the_first_run_loads_the_ecbs_rates_and_later_runs_keep_them(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "pw-123456-abc")
    output = bootstrap(no_rates=False)
    assert "ECB exchange rates" in output
    assert ExchangeRate.objects.filter(base="EUR", quote="CNY", origin="ecb").count() > 5000
    assert "Exchange rates present" in bootstrap(no_rates=False)
