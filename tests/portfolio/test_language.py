"""The admin's language switch: staff choose English or Simplified Chinese in the header."""

import contextlib
import re

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import NoReverseMatch, reverse

from companies.models import Company
from rounds.models import FundingRound

SWITCH = re.compile(r'<form id="admin-language-form".*?</form>', re.DOTALL)


def switch_of(html: str) -> str:
    forms = SWITCH.findall(html)
    assert len(forms) == 1, "the page has exactly one language switch"
    return forms[0]


def set_language(client, language: str, next_url: str = "/admin/"):
    return client.post(reverse("set_language"), {"language": language, "next": next_url})


@pytest.fixture
def viewer_client(client, db, django_user_model):
    """A staff member of the read-only role, not a superuser."""
    call_command("setup_roles", verbosity=0)
    user = django_user_model.objects.create_user("viewer", password="pw-viewer-123456", is_staff=True)
    user.groups.add(Group.objects.get(name="viewers"))
    client.force_login(user)
    return client


def page_urls(*, can_add: bool) -> list[str]:
    company = Company.objects.get(slug="zhipu-ai")
    funding_round = FundingRound.objects.filter(company=company).first()
    urls = [
        reverse("admin:index"),
        reverse("admin:companies_company_changelist"),
        reverse("admin:companies_company_changelist") + "?q=%E6%99%BA%E8%B0%B1",
        reverse("admin:companies_company_change", args=[company.pk]),
        reverse("admin:companies_company_history", args=[company.pk]),
        reverse("admin:rounds_fundinground_change", args=[funding_round.pk]),
        reverse("admin:rounds_fundinground_history", args=[funding_round.pk]),
        reverse("admin:password_change"),
        reverse("admin:password_change_done"),
    ]
    return [*urls, reverse("admin:rounds_fundinground_add")] if can_add else urls


@pytest.mark.usefixtures("article")
@pytest.mark.parametrize("client_fixture", ["admin_client", "viewer_client"])
def test_every_admin_page_of_a_signed_in_user_has_the_switch(request, client_fixture):
    client = request.getfixturevalue(client_fixture)
    for url in page_urls(can_add=client_fixture == "admin_client"):
        response = client.get(url)
        assert response.status_code == 200, url
        form = switch_of(response.content.decode())
        assert f'action="{reverse("set_language")}"' in form
        assert f'name="next" value="{url.replace("&", "&amp;")}"' in form, url
        assert 'name="csrfmiddlewaretoken"' in form
        assert '<select name="language" id="admin-language">' in form
        assert 'id="admin-language-submit"' in form


@pytest.mark.usefixtures("article")
def test_each_language_is_offered_in_its_own_name_and_the_current_one_is_selected(admin_client):
    form = switch_of(admin_client.get(reverse("admin:index")).content.decode())
    assert re.search(r'<option value="en" lang="en" selected>English</option>', form)
    assert re.search(r'<option value="zh-hans" lang="zh-hans">简体中文</option>', form)

    set_language(admin_client, "zh-hans")
    form = switch_of(admin_client.get(reverse("admin:index")).content.decode())
    assert re.search(r'<option value="en" lang="en">English</option>', form)
    assert re.search(r'<option value="zh-hans" lang="zh-hans" selected>简体中文</option>', form)


def import_export_urls() -> list[str]:
    """The import and export pages of django-import-export, for the models whose admin has them."""
    urls = []
    for model in admin.site._registry:
        for view in ("import", "export"):
            with contextlib.suppress(NoReverseMatch):
                urls.append(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}"))
    return urls


@pytest.mark.usefixtures("article")
def test_import_and_export_pages_keep_the_switch(admin_client):
    urls = import_export_urls()
    if not urls:
        pytest.skip("no admin has import or export pages")
    for url in urls:
        response = admin_client.get(url)
        assert response.status_code == 200, url
        switch_of(response.content.decode())


@pytest.mark.usefixtures("article")
def test_switching_to_chinese_and_back(admin_client):
    index = reverse("admin:index")
    assert "Portfolio records" in admin_client.get(index).content.decode()

    response = set_language(admin_client, "zh-hans", index)
    assert response.status_code == 302
    assert response["Location"] == index
    html = admin_client.get(index).content.decode()
    assert '<html lang="zh-hans"' in html
    assert "投资组合记录" in html
    assert "融资轮次" in html

    companies = reverse("admin:companies_company_changelist")
    assert "选择 公司 来修改" in admin_client.get(companies).content.decode()

    response = set_language(admin_client, "en", companies)
    assert response["Location"] == companies
    html = admin_client.get(index).content.decode()
    assert '<html lang="en"' in html
    assert "Portfolio records" in html
    assert "投资组合记录" not in html


@pytest.mark.usefixtures("article")
def test_the_choice_outweighs_the_browsers_language(admin_client):
    set_language(admin_client, "en")
    html = admin_client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "Portfolio records" in html

    set_language(admin_client, "zh-hans")
    html = admin_client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "投资组合记录" in html


def test_the_login_page_has_the_switch_and_the_sign_in_follows_it(client, db):
    login = reverse("admin:login")
    form = switch_of(client.get(login).content.decode())
    assert f'name="next" value="{login}"' in form

    set_language(client, "zh-hans", login)
    html = client.get(login).content.decode()
    assert "用户名" in html
    assert "投资组合" in html


def test_an_unknown_language_or_a_foreign_next_changes_nothing_harmful(admin_client):
    response = set_language(admin_client, "xx")
    assert response.status_code == 302
    assert "Portfolio records" in admin_client.get(reverse("admin:index")).content.decode()

    response = set_language(admin_client, "zh-hans", "https://elsewhere.example/admin/")
    assert response.status_code == 302
    assert "elsewhere.example" not in response["Location"]


def test_app_labels_and_metric_names_speak_chinese(admin_client, article):
    page = admin_client.get("/admin/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert ">投资组合</a>" in page[page.index("app-portfolio module") :]
    kpis = admin_client.get("/admin/companies/kpi/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "市场份额" in kpis
    kpis = admin_client.get("/admin/companies/kpi/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Market share" in kpis
