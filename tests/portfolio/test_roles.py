"""The editors and viewers groups: what each can and cannot do, in the admin and the API."""

import io

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from companies.models import Company

pytestmark = pytest.mark.django_db


@pytest.fixture
def roles(article):
    call_command("setup_roles", stdout=io.StringIO())


def member(django_user_model, group: str):
    user = django_user_model.objects.create_user(group[:-1], password="pw-role-12345", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


def api_client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_setup_roles_is_idempotent(roles):
    out = io.StringIO()
    call_command("setup_roles", stdout=out)
    assert "editors: 54 permissions" in out.getvalue()
    assert "viewers: 18 permissions" in out.getvalue()
    assert Group.objects.filter(name__in=["editors", "viewers"]).count() == 2


@pytest.mark.parametrize(
    ("group", "actions"),
    [
        ("editors", {"view", "add", "change", "delete", "import", "export"}),
        ("viewers", {"view", "export"}),
    ],
)
def test_each_role_holds_its_actions_on_every_model(roles, group, actions):
    codenames = set(Group.objects.get(name=group).permissions.values_list("codename", flat=True))
    for model in ("company", "kpi", "modelrelease", "metric", "source"):
        assert {c.split("_", 1)[0] for c in codenames if c.endswith(f"_{model}")} == actions
    for model in ("investor", "fundinground", "participation", "listing"):
        assert {c.split("_", 1)[0] for c in codenames if c.endswith(f"_{model}")} == actions
    assert not any("historical" in c for c in codenames)


@pytest.mark.parametrize(
    ("group", "method", "expected"),
    [
        ("editors", "get", 200),
        ("editors", "patch", 200),
        ("editors", "post", 201),
        ("viewers", "get", 200),
        ("viewers", "patch", 403),
        ("viewers", "post", 403),
        ("viewers", "delete", 403),
    ],
)
def test_roles_in_the_api(roles, django_user_model, group, method, expected):
    client = api_client(member(django_user_model, group))
    if method == "get":
        response = client.get(reverse("api:company-detail", args=["zhipu-ai"]))
    elif method == "patch":
        response = client.patch(
            reverse("api:company-detail", args=["zhipu-ai"]), {"city": "北京"}, format="json"
        )
    elif method == "post":
        response = client.post(reverse("api:company-list"), {"slug": "new", "name_en": "New"}, format="json")
    else:
        response = client.delete(reverse("api:company-detail", args=["zhipu-ai"]))
    assert response.status_code == expected


def test_viewers_see_but_cannot_save_in_the_admin(roles, client, django_user_model):
    client.force_login(member(django_user_model, "viewers"))
    company = Company.objects.get(slug="zhipu-ai")
    url = reverse("admin:companies_company_change", args=[company.pk])
    assert client.get(url).status_code == 200
    assert client.get(reverse("admin:companies_company_add")).status_code == 403
    response = client.post(url, {"slug": "zhipu-ai", "name_en": "Renamed"})
    assert response.status_code == 403
    company.refresh_from_db()
    assert company.name_en == "Zhipu AI"


def test_editors_change_records_in_the_admin(roles, client, django_user_model):
    client.force_login(member(django_user_model, "editors"))
    assert client.get(reverse("admin:rounds_fundinground_add")).status_code == 200
    assert client.get(reverse("admin:companies_company_changelist")).status_code == 200
