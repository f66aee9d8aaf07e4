"""The change feed: every create, update and delete, in order, resumable, and only of readable resources."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from companies.models import Company
from portfolio.changes import cursor_encode
from portfolio.models import Change
from tests.companies.factories import CompanyFactory, KPIFactory
from tests.rounds.factories import FundingRoundFactory, ParticipationFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/changes/"


def feed(client, **params) -> list[dict]:
    """Every entry from the start (or `after`), following `next` to the end."""
    entries, url = [], URL
    while url:
        response = client.get(url, params)
        assert response.status_code == 200, response.data
        entries += response.data["results"]
        url, params = response.data["next"], {}
    return entries


def test_the_demo_data_is_in_the_feed_from_the_start(viewer_api, article):
    entries = feed(viewer_api)
    assert len(entries) == Change.objects.count() > 10
    assert {e["action"] for e in entries} == {"created"}
    zhipu = next(e for e in entries if e["resource"] == "companies")
    assert (zhipu["slug"], zhipu["record"]["name_zh"], zhipu["version"]) == ("zhipu-ai", "智谱", 1)


def test_creates_updates_and_deletes_come_in_order_with_author_version_and_record(editor_api, viewer_api):
    start = feed(viewer_api)
    company = {"slug": "moonshot-ai", "name_en": "Moonshot AI"}
    assert editor_api.post("/api/v1/companies/", company, format="json").status_code == 201
    assert (
        editor_api.patch("/api/v1/companies/moonshot-ai/", {"city": "北京"}, format="json").status_code == 200
    )
    company_id = Company.objects.get(slug="moonshot-ai").pk
    assert editor_api.delete("/api/v1/companies/moonshot-ai/").status_code == 204

    entries = feed(viewer_api, after=start[-1]["cursor"] if start else cursor_encode(0))

    assert [(e["resource"], e["id"], e["slug"], e["action"], e["version"]) for e in entries] == [
        ("companies", company_id, "moonshot-ai", "created", 1),
        ("companies", company_id, "moonshot-ai", "updated", 2),
        ("companies", company_id, "moonshot-ai", "deleted", 3),
    ]
    token_name = editor_api.user.api_tokens.get().name or editor_api.user.api_tokens.get().key_prefix + "…"
    assert {e["author"]["user"] for e in entries} == {"editor"}
    assert {e["author"]["token"] for e in entries} == {token_name}
    assert entries[1]["record"]["city"] == "北京" and entries[1]["record"]["version"] == 2
    assert entries[0]["record"]["city"] == ""  # each entry shows the record as that change left it
    assert entries[2]["record"] is None


def test_a_cursor_resumes_exactly_where_the_last_page_ended(viewer_api):
    CompanyFactory.create_batch(7)
    everything = feed(viewer_api)
    first = viewer_api.get(URL, {"page_size": 3}).data
    assert [e["cursor"] for e in first["results"]] == [e["cursor"] for e in everything[:3]]
    assert first["cursor"] == everything[2]["cursor"]
    rest = feed(viewer_api, after=first["cursor"], page_size=2)
    assert [e["cursor"] for e in rest] == [e["cursor"] for e in everything[3:]]
    caught_up = viewer_api.get(URL, {"after": everything[-1]["cursor"]}).data
    assert (caught_up["results"], caught_up["next"], caught_up["cursor"]) == (
        [],
        None,
        everything[-1]["cursor"],
    )


def test_admin_changes_name_the_user_and_no_token(admin_client, viewer_api, article):
    zhipu = Company.objects.get(slug="zhipu-ai")
    url = f"/admin/companies/company/{zhipu.pk}/change/"
    from tests.helpers import form_data

    data = {**form_data(admin_client.get(url), "company_form"), "city": "北京", "_save": "Save"}
    assert admin_client.post(url, data).status_code == 302
    last = feed(viewer_api)[-1]
    assert (last["resource"], last["action"], last["author"]) == (
        "companies",
        "updated",
        {"user": "root", "token": None},
    )


def test_a_round_entry_shows_its_participations_and_a_change_to_them_is_an_entry_of_the_round(
    editor_api, viewer_api
):
    participation = ParticipationFactory(role="lead")
    start = feed(viewer_api)[-1]["cursor"]
    patched = editor_api.patch(
        f"/api/v1/participations/{participation.pk}/", {"role": "co_lead"}, format="json"
    )
    assert patched.status_code == 200

    entries = feed(viewer_api, after=start)

    assert [(e["resource"], e["id"], e["action"], e["version"]) for e in entries] == [
        ("participations", participation.pk, "updated", 2),
        ("rounds", participation.funding_round_id, "updated", 2),
    ]
    assert [(p["investor"], p["role"]) for p in entries[1]["record"]["participations"]] == [
        (participation.investor.slug, "co_lead")
    ]


def test_deleting_a_round_lists_its_participations_deletions_too(editor_api, viewer_api):
    participation = ParticipationFactory()
    round_id = participation.funding_round_id
    start = feed(viewer_api)[-1]["cursor"]
    assert editor_api.delete(f"/api/v1/rounds/{round_id}/").status_code == 204
    entries = feed(viewer_api, after=start)
    assert {(e["resource"], e["id"], e["action"]) for e in entries} == {
        ("rounds", round_id, "deleted"),
        ("participations", participation.pk, "deleted"),
    }


def test_only_the_resources_a_user_may_read_are_listed(make_api_client):
    CompanyFactory()
    KPIFactory()
    client = make_api_client("view", username="reader")
    from django.contrib.auth.models import Permission

    client.user.user_permissions.set(Permission.objects.filter(codename="view_company"))
    entries = feed(client)
    assert entries and {e["resource"] for e in entries} == {"companies"}


@pytest.mark.parametrize(
    ("actions", "expected"),
    [((), 403), (("view",), 200), (("view", "add", "change", "delete"), 200)],
)
def test_permissions(make_api_client, actions, expected):
    assert make_api_client(*actions).get(URL).status_code == expected


def test_anonymous_gets_401(db):
    assert APIClient().get(URL).status_code == 401


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"after": "not-a-cursor"}, "after"),
        ({"after": "c1:12"}, "after"),
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "1001"}, "page_size"),
        ({"page_size": "ten"}, "page_size"),
        ({"since": "2026-01-01"}, "since"),
    ],
)
def test_bad_parameters_are_400_naming_them(viewer_api, params, field):
    response = viewer_api.get(URL, params)
    assert response.status_code == 400
    assert list(response.data) == [field]


def test_the_query_count_does_not_grow_with_the_entries(viewer_api):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert viewer_api.get(URL, {"page_size": 1000}).status_code == 200
        return len(queries)

    for _ in range(2):
        ParticipationFactory()
        KPIFactory()
    count()  # the token's first use is recorded once
    few = count()
    for _ in range(10):
        ParticipationFactory(funding_round=FundingRoundFactory())
        KPIFactory()
    assert count() == few
