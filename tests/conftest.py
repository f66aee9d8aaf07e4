"""Fixtures shared by the whole suite."""

import pytest
from django.core.management import call_command


@pytest.fixture
def article(db) -> None:
    """The article fixture, the project's demo data and the ground truth of many tests."""
    call_command("loaddata", "article", verbosity=0)


@pytest.fixture
def superuser(db, django_user_model):
    return django_user_model.objects.create_superuser(username="root", password="pw-root-123456")


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client
