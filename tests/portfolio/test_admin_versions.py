"""The admin refuses every stale save: the form and each inline row carry the version they were opened on."""

import html

import pytest

from companies.models import Company, ModelRelease
from rounds.models import FundingRound, Participation
from tests.helpers import form_data
from tests.portfolio.test_admin import admin_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def zhipu(article) -> Company:
    return Company.objects.get(slug="zhipu-ai")


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def open_form(client, obj) -> tuple[str, dict]:
    url = admin_url(type(obj), "change", obj.pk)
    return url, form_data(client.get(url), f"{type(obj)._meta.model_name}_form")


def test_a_change_form_and_each_inline_row_carry_the_version_they_were_opened_on(admin_client, zhipu):
    zhipu.save()
    _url, opened = open_form(admin_client, zhipu)
    assert opened["opened_version"] == "2"
    rows = [key for key in opened if key.endswith("-opened_version") and "__prefix__" not in key]
    assert "funding_rounds-0-opened_version" in rows and "model_releases-0-opened_version" in rows
    assert all(opened[key] == "1" for key in rows)


def test_a_form_opened_before_someone_elses_save_is_refused_naming_who_and_what(
    admin_client, editor_api, zhipu
):
    url, opened = open_form(admin_client, zhipu)
    api_save = editor_api.patch(
        "/api/v1/companies/zhipu-ai/", {"city": "北京", "sector": "AI"}, format="json"
    )
    assert api_save.status_code == 200

    response = admin_client.post(url, {**opened, "summary": "Overwritten", "_save": "Save"})

    assert response.status_code == 200
    text = page_text(response)
    assert "Nothing was saved: Zhipu AI (智谱) was changed by editor" in text
    assert "city, sector changed" in text
    zhipu.refresh_from_db()
    assert (zhipu.city, zhipu.sector, zhipu.version) == ("北京", "AI", 2)
    assert zhipu.summary != "Overwritten"

    _url, reopened = open_form(admin_client, zhipu)
    assert admin_client.post(url, {**reopened, "summary": "Now saved", "_save": "Save"}).status_code == 302
    zhipu.refresh_from_db()
    assert (zhipu.city, zhipu.summary, zhipu.version) == ("北京", "Now saved", 3)


def test_a_form_without_its_version_is_refused(admin_client, zhipu):
    url, opened = open_form(admin_client, zhipu)
    del opened["opened_version"]
    response = admin_client.post(url, {**opened, "city": "Overwritten", "_save": "Save"})
    assert response.status_code == 200
    assert "does not say which version of Zhipu AI (智谱) it was opened on" in page_text(response)
    zhipu.refresh_from_db()
    assert (zhipu.city, zhipu.version) == ("", 1)


def test_an_inline_round_renamed_through_the_api_is_not_reverted_by_the_company_form(
    admin_client, editor_api, zhipu
):
    funding_round = FundingRound.objects.get()
    url, opened = open_form(admin_client, zhipu)
    renamed = editor_api.patch(
        f"/api/v1/rounds/{funding_round.pk}/", {"label": "A轮 (renamed)"}, format="json"
    )
    assert renamed.status_code == 200

    response = admin_client.post(url, {**opened, "city": "北京", "_save": "Save"})

    assert response.status_code == 200
    assert "was changed by editor" in page_text(response) and "label changed" in page_text(response)
    funding_round.refresh_from_db()
    zhipu.refresh_from_db()
    assert funding_round.label == "A轮 (renamed)"
    assert (zhipu.city, zhipu.version) == ("", 1)  # the parent form is not saved either


def test_a_participation_changed_through_the_api_is_not_reverted_by_the_round_form(
    admin_client, editor_api, zhipu
):
    funding_round = FundingRound.objects.get()
    participation = Participation.objects.get()
    url, opened = open_form(admin_client, funding_round)
    changed = editor_api.patch(
        f"/api/v1/participations/{participation.pk}/", {"is_follow_on": True}, format="json"
    )
    assert changed.status_code == 200

    response = admin_client.post(url, {**opened, "notes": "Edited", "_save": "Save"})

    assert response.status_code == 200
    assert "was changed by editor" in page_text(response) and "(Investors changed)" in page_text(response)
    participation.refresh_from_db()
    funding_round.refresh_from_db()
    assert participation.is_follow_on is True
    assert funding_round.notes != "Edited"


def test_an_inline_row_changed_since_cannot_be_deleted_from_the_form(admin_client, editor_api, zhipu):
    release = ModelRelease.objects.filter(company=zhipu).order_by("pk").first()
    url, opened = open_form(admin_client, zhipu)
    assert (
        editor_api.patch(
            f"/api/v1/model-releases/{release.pk}/", {"family": "GLM-X"}, format="json"
        ).status_code
        == 200
    )
    prefix = next(
        key.removesuffix("-id")
        for key, value in opened.items()
        if key.endswith("-id") and value == str(release.pk) and key.startswith("model_releases-")
    )

    response = admin_client.post(url, {**opened, f"{prefix}-DELETE": "on", "_save": "Save"})

    assert response.status_code == 200
    assert "Nothing was saved" in page_text(response)
    assert ModelRelease.objects.filter(pk=release.pk, family="GLM-X").exists()


def test_saving_the_parent_leaves_unchanged_inline_rows_unwritten(admin_client, zhipu):
    url, opened = open_form(admin_client, zhipu)
    releases = {r.pk: r.version for r in ModelRelease.objects.filter(company=zhipu)}
    assert admin_client.post(url, {**opened, "city": "北京", "_save": "Save"}).status_code == 302
    assert {r.pk: r.version for r in ModelRelease.objects.filter(company=zhipu)} == releases
    assert FundingRound.objects.get().version == 1


def test_restoring_a_past_version_is_refused_when_the_record_changed_since_the_page_was_opened(
    admin_client, editor_api, zhipu
):
    assert editor_api.patch("/api/v1/companies/zhipu-ai/", {"city": "北京"}, format="json").status_code == 200
    first = zhipu.history.earliest()
    url = admin_url(Company, "simple_history", zhipu.pk, first.history_id)
    opened = form_data(admin_client.get(url), "historicalcompany_form")
    assert opened["opened_version"] == "2"
    assert editor_api.patch("/api/v1/companies/zhipu-ai/", {"city": "上海"}, format="json").status_code == 200

    response = admin_client.post(url, {**opened, "_save": "Revert"})

    assert response.status_code == 200
    assert "Nothing was saved" in page_text(response)
    zhipu.refresh_from_db()
    assert (zhipu.city, zhipu.version) == ("上海", 3)
