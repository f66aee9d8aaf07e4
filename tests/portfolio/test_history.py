"""Each record's history page: who changed which field from what to what, and when, however it was changed."""

import html
import io
import re

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from companies.models import Company
from companies.resources import CompanyResource
from rounds.models import FundingRound, Investor
from tests.helpers import form_data, import_file
from tests.portfolio.test_admin import admin_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def zhipu(article) -> Company:
    return Company.objects.get(slug="zhipu-ai")


def history_page(client, obj) -> str:
    """The history page's text, with whitespace collapsed as a browser shows it."""
    response = client.get(admin_url(type(obj), "history", obj.pk))
    assert response.status_code == 200
    text = re.sub(r"<[^>]+>", " ", html.unescape(response.content.decode()).replace("\xa0", " "))
    return re.sub(r"\s+", " ", text)


def change_in_admin(client, obj, **changes) -> None:
    url = admin_url(type(obj), "change", obj.pk)
    data = {**form_data(client.get(url), f"{type(obj)._meta.model_name}_form"), **changes, "_save": "Save"}
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors


def test_a_change_in_the_admin_shows_who_changed_which_field_from_what_to_what(
    admin_client, superuser, zhipu
):
    change_in_admin(admin_client, zhipu, city="北京", sector="AI labs", status="private")

    page = history_page(admin_client, zhipu)

    assert "Changed root" in page
    assert "City: — → 北京" in page
    assert "Sector: Large language models (大模型) → AI labs" in page
    assert "Status: listed → private" in page
    chinese = admin_client.get(admin_url(Company, "history", zhipu.pk), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "已上市" in chinese.content.decode(), "choices read as their labels, in the reader's language"
    assert "Updated at" not in page.split("Changes", 1)[1], "timestamps are not listed as changes"
    assert "Created — Loaded from the article fixture" in page, "the first entry is the fixture load"


def test_a_change_through_the_api_is_in_the_same_history(admin_client, editor_api, zhipu):
    response = editor_api.patch(f"/api/v1/companies/{zhipu.slug}/", {"sector": "AI labs"}, format="json")
    assert response.status_code == 200

    page = history_page(admin_client, zhipu)

    assert "Changed editor" in page
    assert "Sector: Large language models (大模型) → AI labs" in page


def test_a_change_by_import_is_in_the_same_history_with_its_file(admin_client, zhipu):
    content = CompanyResource().export().csv.replace("Large language models (大模型)", "Foundation models")
    result = import_file(CompanyResource(), content, file_name="companies-2026.csv")
    assert result.totals["update"] == 1

    page = history_page(admin_client, zhipu)

    assert "Imported from companies-2026.csv" in page
    assert "Sector: Large language models (大模型) → Foundation models" in page


def test_a_past_version_can_be_restored(admin_client, zhipu):
    original = zhipu.history.earliest()
    change_in_admin(admin_client, zhipu, city="北京", sector="Changed")
    zhipu.refresh_from_db()
    assert (zhipu.city, zhipu.sector) == ("北京", "Changed")

    url = admin_url(Company, "simple_history", zhipu.pk, original.history_id)
    version = admin_client.get(url)
    assert version.status_code == 200
    response = admin_client.post(url, {**form_data(version, "historicalcompany_form"), "_save": "Revert"})

    assert response.status_code == 302
    zhipu.refresh_from_db()
    assert (zhipu.city, zhipu.sector) == (original.city, original.sector)
    assert zhipu.history.count() == 3
    assert "Sector: Changed → Large language models (大模型)" in history_page(admin_client, zhipu)


def test_viewers_read_the_history_but_cannot_restore(client, django_user_model, zhipu):
    call_command("setup_roles", stdout=io.StringIO())
    investor = Investor.objects.get(slug="fortune-capital")
    first = investor.history.earliest()
    investor.name_en = "Renamed"
    investor.save()
    viewer = django_user_model.objects.create_user("viewer", is_staff=True)
    viewer.groups.add(Group.objects.get(name="viewers"))
    client.force_login(viewer)

    assert "name (English):" in history_page(client, investor) or "English name:" in history_page(
        client, investor
    )
    url = admin_url(Investor, "simple_history", investor.pk, first.history_id)
    response = client.post(url, {"slug": investor.slug, "name_en": first.name_en, "_save": "Revert"})
    assert response.status_code == 403
    investor.refresh_from_db()
    assert investor.name_en == "Renamed"


def test_a_rounds_history_page_also_lists_the_changes_to_its_investors(admin_client, article):
    from rounds.models import FundingRound, Participation

    funding_round = FundingRound.objects.get(label="A轮")
    lead = funding_round.participations.get()
    url = admin_url(FundingRound, "change", funding_round.pk)
    data = form_data(admin_client.get(url), "fundinground_form")
    data["participations-0-is_follow_on"] = "on"
    assert admin_client.post(url, {**data, "_save": "Save"}).status_code == 302
    lead.refresh_from_db()
    assert lead.is_follow_on

    page = history_page(admin_client, funding_round)

    investors = page.split("Investors of this round", 1)[1]
    assert "Fortune Capital (达晨财智) lead (follow-on) Changed root" in investors
    assert "Follow-on: No → Yes" in investors
    assert "Created — Loaded from the article fixture" in investors
    assert Participation.history.count() == 2


@pytest.mark.parametrize("object_id", ["abc", "1.5", "9" * 30])
def test_a_malformed_id_in_a_history_url_is_404(admin_client, article, object_id):
    from rounds.models import FundingRound

    for model in (Company, FundingRound):
        assert (
            admin_client.get(
                f"/admin/{model._meta.app_label}/{model._meta.model_name}/{object_id}/history/"
            ).status_code
            == 404
        )
        assert (
            admin_client.get(
                f"/admin/{model._meta.app_label}/{model._meta.model_name}/1/history/{object_id}/"
            ).status_code
            == 404
        )


def test_the_author_is_linked_only_for_those_who_may_see_users(
    client, admin_client, superuser, zhipu, django_user_model
):
    change_in_admin(admin_client, zhipu, city="北京")
    user_link = f'href="/admin/auth/user/{superuser.pk}/change/"'
    assert user_link in admin_client.get(admin_url(Company, "history", zhipu.pk)).content.decode()

    call_command("setup_roles", stdout=io.StringIO())
    viewer = django_user_model.objects.create_user("viewer", is_staff=True)
    viewer.groups.add(Group.objects.get(name="viewers"))
    client.force_login(viewer)
    page = client.get(admin_url(Company, "history", zhipu.pk)).content.decode()
    assert user_link not in page and "root" in page


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_history_pages_show_no_template_text(admin_client, zhipu, language):
    for obj in (zhipu, FundingRound.objects.get(), Investor.objects.get(slug="fortune-capital")):
        page = admin_client.get(admin_url(type(obj), "history", obj.pk), HTTP_ACCEPT_LANGUAGE=language)
        text = page.content.decode()
        assert "{#" not in text and "{%" not in text and "#}" not in text


def test_a_change_through_the_api_names_its_token_and_amounts_are_grouped(admin_client, editor_api, article):
    funding_round = FundingRound.objects.get()
    token = editor_api.user.api_tokens.get()
    token.name = "crm sync"
    token.save()
    response = editor_api.patch(
        f"/api/v1/rounds/{funding_round.pk}/", {"amount": "1500000000.00", "currency": "CNY"}, format="json"
    )
    assert response.status_code == 200

    page = history_page(admin_client, funding_round)

    assert "through the API, token “crm sync”" in page
    assert "Amount: — → 1,500,000,000.00" in page


def test_a_partial_date_shows_at_its_precision_in_one_entry(admin_client, article):
    funding_round = FundingRound.objects.get(label="A轮")
    assert (str(funding_round.announced_on), funding_round.announced_on_precision) == ("2021-01-01", "year")

    change_in_admin(admin_client, funding_round, announced_on="2021-01")  # only the precision changes
    change_in_admin(admin_client, funding_round, announced_on="2021年9月")
    change_in_admin(admin_client, funding_round, announced_on="2021-09-15")

    page = history_page(admin_client, funding_round)
    assert "Announced on: 2021 → 2021-01" in page
    assert "Announced on: 2021-01 → 2021-09" in page
    assert "Announced on: 2021-09 → 2021-09-15" in page
    assert "precision" not in page.lower().split("changes", 1)[1], "the precision is part of the date shown"
