"""Hostile and unusable input, in debug mode as under `make run`: every API error is JSON, an admin
list never answers 500 for a filter value, and answers carry the headers that keep data private."""

import json

import pytest
from django.contrib import admin
from django.contrib.admin.views.main import IGNORED_PARAMS

from companies.models import Company

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def debug_mode(settings):
    """Django's own error pages (HTML) are what debug mode answers unless the app says otherwise."""
    settings.DEBUG = True


def assert_json_error(response, status: int) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json"), response.content[:300]
    body = json.loads(response.content)
    assert body["detail"]
    return body


# The API


def test_json_nested_2000_deep_is_a_400(editor_api):
    body = "[" * 2000 + "]" * 2000
    response = editor_api.post("/api/v1/companies/", data=body, content_type="application/json")
    assert "nested more than 32 levels" in assert_json_error(response, 400)["detail"]
    assert not Company.objects.exists()


def test_json_nested_a_little_too_deep_is_a_400_too(editor_api):
    body = json.dumps({"name_en": "X", "aliases": json.loads("[" * 40 + "]" * 40)})
    response = editor_api.post("/api/v1/companies/", data=body, content_type="application/json")
    assert_json_error(response, 400)


def test_a_10_megabyte_body_is_refused_unread_with_413(editor_api):
    body = json.dumps({"name_en": "X", "summary": "x" * 10_000_000})
    response = editor_api.post("/api/v1/companies/", data=body, content_type="application/json")
    assert "larger than 2,621,440 bytes" in assert_json_error(response, 413)["detail"]
    assert not Company.objects.exists()


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/rounds/abc/",
        "/api/v1/companies/%C2%84/",
        "/api/v1/no-such-list/",
        "/api/v2/",
        "/api/",
        "/api/v1/companies/zhipu-ai/no-such-part/",
    ],
)
def test_a_path_no_route_matches_is_a_json_404(viewer_api, path):
    assert_json_error(viewer_api.get(path), 404)


def test_a_path_missing_only_its_slash_is_redirected_or_named(editor_api):
    response = editor_api.get("/api/v1/companies?page_size=5")
    assert (response.status_code, response["Location"]) == (301, "/api/v1/companies/?page_size=5")
    response = editor_api.post("/api/v1/companies", {"name_en": "X"}, format="json")
    assert "Did you mean /api/v1/companies/?" in assert_json_error(response, 404)["detail"]


def test_a_host_the_site_does_not_serve_is_a_json_400(viewer_api):
    assert_json_error(viewer_api.get("/api/v1/companies/", HTTP_HOST="evil.example"), 400)


@pytest.mark.parametrize(
    "query",
    ["country=%00", "q=%00", "ordering=%00name_en", "page=1%00", "country=%00&country=CN", "q=a&q=%00"],
)
def test_a_nul_character_in_an_api_query_is_a_400(viewer_api, query):
    assert "NUL" in assert_json_error(viewer_api.get(f"/api/v1/companies/?{query}"), 400)["detail"]


def test_the_health_check_keeps_its_own_json(client):
    response = client.get("/health/")
    assert response.status_code == 200 and response.json() == {"status": "ok", "database": "ok"}


# The admin


def admin_filter_urls() -> list[str]:
    """Every admin list with each of its filters, its search and its date drill-down given a value."""
    urls = []
    for model, model_admin in admin.site._registry.items():
        changelist = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        parameters = {"q", "o"}
        for list_filter in model_admin.list_filter:
            name = list_filter[0] if isinstance(list_filter, tuple) else list_filter
            if isinstance(name, str):
                parameters |= {f"{name}__exact", f"{name}__isnull", f"{name}"}
            else:
                parameters.add(name.parameter_name)
        if model_admin.date_hierarchy:
            parameters |= {f"{model_admin.date_hierarchy}__{part}" for part in ("year", "month", "day")}
        urls += [f"{changelist}?{parameter}=%00" for parameter in sorted(parameters - set(IGNORED_PARAMS))]
        urls += [f"{changelist}?{parameter}=%00" for parameter in ("q", "o")]
    return urls


@pytest.mark.parametrize("url", admin_filter_urls())
def test_a_nul_character_in_any_admin_filter_is_a_400(admin_client, article, url):
    response = admin_client.get(url)
    assert response.status_code == 400, url
    assert "NUL" in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        "announced_on__year=99999999999",
        "announced_on__year=9999",
        "announced_on__year=2021&announced_on__month=13",
        "announced_on__year=2021&announced_on__month=2&announced_on__day=31",
        "stage__exact=" + "x" * 5000,
        "currency__exact=%F0%9F%98%80",
        "id__exact=99999999999999999999",
    ],
)
def test_an_admin_filter_value_the_database_cannot_use_never_answers_500(admin_client, article, query):
    response = admin_client.get(f"/admin/rounds/fundinground/?{query}")
    assert response.status_code in (200, 302, 400), response.content[:500]


# Headers


def test_authenticated_api_answers_are_private(viewer_api, article):
    response = viewer_api.get("/api/v1/companies/")
    assert "private" in response["Cache-Control"] and "no-cache" in response["Cache-Control"]
    assert "Authorization" in response["Vary"]


def test_every_answer_has_a_content_security_policy(admin_client, viewer_api):
    for response in (
        admin_client.get("/admin/"),
        viewer_api.get("/api/v1/companies/"),
        admin_client.get("/api/docs/"),
    ):
        policy = response["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "object-src 'none'" in policy
        assert "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";", 1)[0]
