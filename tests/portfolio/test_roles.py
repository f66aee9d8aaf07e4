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
    # Six actions on eleven models for editors, two for viewers.
    assert "editors: 66 permissions" in out.getvalue()
    assert "viewers: 22 permissions" in out.getvalue()
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
    for model in ("investor", "fundinground", "participation", "listing", "valuationmark", "exchangerate"):
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


# Spreadsheets: editors import and export, viewers export only.

ROUNDS_CSV = (
    "company,stage,label,announced_on,amount,currency,lead_investors\n"
    "zhipu-ai,b,B轮,2022,100,CNY,fortune-capital\n"
)


@pytest.mark.parametrize(
    ("group", "url_name", "expected"),
    [
        ("editors", "admin:rounds_fundinground_import", 200),
        ("editors", "admin:rounds_fundinground_export", 200),
        ("viewers", "admin:rounds_fundinground_import", 403),
        ("viewers", "admin:rounds_fundinground_export", 200),
        ("viewers", "admin:companies_kpi_export", 200),
        ("viewers", "admin:companies_kpi_import", 403),
    ],
)
def test_spreadsheet_pages_in_the_admin(roles, client, django_user_model, group, url_name, expected):
    client.force_login(member(django_user_model, group))
    assert client.get(reverse(url_name)).status_code == expected


@pytest.mark.parametrize(("group", "expected"), [("editors", 302), ("viewers", 403)])
def test_only_editors_import_in_the_admin(roles, client, django_user_model, group, expected):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from rounds.models import FundingRound

    client.force_login(member(django_user_model, group))
    upload = SimpleUploadedFile("rounds.csv", ROUNDS_CSV.encode())
    preview = client.post(
        reverse("admin:rounds_fundinground_import"), {"import_file": upload, "format": "0", "resource": "0"}
    )
    if expected == 403:
        assert preview.status_code == 403
    else:
        confirm = client.post(
            reverse("admin:rounds_fundinground_process_import"), preview.context["confirm_form"].initial
        )
        assert confirm.status_code == expected
    assert FundingRound.objects.filter(label="B轮").exists() is (expected == 302)


@pytest.mark.parametrize("group", ["editors", "viewers"])
@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/rounds/?format=csv",
        "/api/v1/kpis/?format=xlsx",
        "/api/v1/companies/zhipu-ai/rounds/?format=csv",
    ],
)
def test_both_roles_export_through_the_api(roles, django_user_model, group, url):
    response = api_client(member(django_user_model, group)).get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/rounds/?format=csv",
        "/api/v1/kpis/?format=json",
        "/api/v1/companies/zhipu-ai/rounds/?format=xlsx",
    ],
)
def test_reading_without_the_export_permission_is_no_export(roles, django_user_model, url):
    from tests.conftest import grant

    reader = grant(django_user_model.objects.create_user("reader"), "view")
    client = api_client(reader)
    assert client.get(url.split("?")[0]).status_code == 200
    response = client.get(url)
    assert response.status_code == 403
    assert "export" in response.json()["detail"]
