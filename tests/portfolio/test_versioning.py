"""Every write of a record checks the version it read and advances it, in one SQL statement."""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from companies.models import Company
from portfolio.versioning import StaleVersion
from rounds.models import Investor
from tests.companies.factories import CompanyFactory
from tests.portfolio.test_admin import FACTORIES, MODELS

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_portfolio_record_starts_at_version_1_and_each_save_adds_one(model):
    record = FACTORIES[model]()
    assert record.version == 1
    record.save()
    record.save()
    record.refresh_from_db()
    assert record.version == 3
    assert [row.version for row in record.history.order_by("history_date")] == [1, 2, 3]


def test_the_update_checks_and_advances_the_version_in_one_statement():
    company = CompanyFactory()
    company.city = "北京"
    with CaptureQueriesContext(connection) as queries:
        company.save()
    [update] = [q["sql"] for q in queries if q["sql"].startswith("UPDATE")]
    assert '"version" = ("companies_company"."version" + 1)' in update
    assert '"companies_company"."version" = 1' in update.split("WHERE", 1)[1]


def test_of_two_writers_of_one_version_the_second_is_refused_and_changes_nothing():
    first, second = Company.objects.get(pk=CompanyFactory().pk), None
    second = Company.objects.get(pk=first.pk)
    first.city, second.city = "北京", "上海"
    first.save()
    with pytest.raises(StaleVersion) as refused:
        second.save()
    assert (refused.value.expected, refused.value.current) == (1, 2)
    stored = Company.objects.get(pk=first.pk)
    assert (stored.city, stored.version, stored.history.count()) == ("北京", 2, 2)


def test_a_partial_save_still_advances_the_version_and_time():
    company = CompanyFactory()
    before = company.updated_at
    company.city = "北京"
    company.save(update_fields=["city"])
    company.refresh_from_db()
    assert (company.city, company.version) == ("北京", 2)
    assert company.updated_at > before


def test_a_delete_claims_the_version_it_read():
    company = CompanyFactory()
    stale = Company.objects.get(pk=company.pk)
    company.city = "北京"
    company.save()
    with pytest.raises(StaleVersion):
        stale.delete()
    assert Company.objects.filter(pk=company.pk).exists()
    pk = company.pk
    company.delete()
    assert not Company.objects.filter(pk=pk).exists()
    deleted = Company.history.filter(id=pk).order_by("history_date").last()
    assert (deleted.history_type, deleted.version) == ("-", 3)


def test_saving_a_record_deleted_since_it_was_read_is_refused_not_a_resurrection():
    company = CompanyFactory()
    stale = Company.objects.get(pk=company.pk)
    company.delete()
    with pytest.raises(StaleVersion) as refused:
        stale.save()
    assert refused.value.current is None
    assert not Company.objects.filter(pk=company.pk).exists()


def test_bulk_updates_advance_every_rows_version():
    companies = CompanyFactory.create_batch(3)
    Company.objects.filter(pk__in=[c.pk for c in companies]).update(city="深圳")
    assert set(Company.objects.values_list("version", "city")) == {(2, "深圳")}


def test_a_new_record_with_an_id_of_its_own_is_inserted():
    Investor(pk=4242, slug="chosen-id", name_en="Chosen").save()
    assert Investor.objects.get(pk=4242).version == 1


def test_loading_the_fixture_over_a_record_changed_since_is_refused(article):
    company = Company.objects.get(slug="zhipu-ai")
    company.city = "Edited by staff"
    company.save()
    with pytest.raises(StaleVersion):
        call_command("loaddata", "article", verbosity=0, stdout=io.StringIO())
    company.refresh_from_db()
    assert company.city == "Edited by staff"
