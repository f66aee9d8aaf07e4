"""Every admin page renders for staff, searches find Chinese names, and lists run bounded queries."""

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from companies.models import KPI, Company, Metric, ModelRelease, Source
from fx.models import ExchangeRate
from portfolio.values import PORTFOLIO_APPS
from rounds.models import FundingRound, Investor, Listing, Participation, ValuationMark
from tests.companies.factories import (
    CompanyFactory,
    KPIFactory,
    MetricFactory,
    ModelReleaseFactory,
    SourceFactory,
)
from tests.fx.factories import ExchangeRateFactory
from tests.rounds.factories import (
    FundingRoundFactory,
    InvestorFactory,
    ListingFactory,
    ParticipationFactory,
    ValuationMarkFactory,
)

FACTORIES = {
    Source: SourceFactory,
    Company: CompanyFactory,
    ModelRelease: ModelReleaseFactory,
    Metric: MetricFactory,
    KPI: KPIFactory,
    Investor: InvestorFactory,
    FundingRound: FundingRoundFactory,
    Participation: ParticipationFactory,
    Listing: ListingFactory,
    ValuationMark: ValuationMarkFactory,
    ExchangeRate: ExchangeRateFactory,
}
MODELS = list(FACTORIES)


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_every_project_model_has_an_admin():
    registered = {m for m in admin.site._registry if m._meta.app_label in PORTFOLIO_APPS}
    assert registered == set(MODELS)


@pytest.mark.usefixtures("article")
@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_changelist_add_change_and_history_pages_render(admin_client, model, language):
    obj = model.objects.first() or FACTORIES[model]()
    headers = {"HTTP_ACCEPT_LANGUAGE": language}
    for url in (
        admin_url(model, "changelist"),
        admin_url(model, "add"),
        admin_url(model, "change", obj.pk),
        admin_url(model, "history", obj.pk),
    ):
        response = admin_client.get(url, **headers)
        assert response.status_code == 200, url
    assert admin_client.get(admin_url(model, "changelist"), {"q": "智谱"}, **headers).status_code == 200


@pytest.mark.usefixtures("article")
@pytest.mark.parametrize("term", ["智谱", "Zhipu", "zhipu-ai"])
def test_company_search_finds_chinese_english_and_alias(admin_client, term):
    CompanyFactory(name_en="Moonshot AI", name_zh="月之暗面", aliases="Kimi")
    response = admin_client.get(admin_url(Company, "changelist"), {"q": term})
    assert [c.slug for c in response.context["cl"].result_list] == ["zhipu-ai"]


@pytest.mark.usefixtures("article")
@pytest.mark.parametrize("term", ["达晨", "达晨财智", "Fortune"])
def test_investor_search_finds_chinese_english_and_alias(admin_client, term):
    InvestorFactory(name_en="Sequoia China", name_zh="红杉中国")
    response = admin_client.get(admin_url(Investor, "changelist"), {"q": term})
    assert [i.slug for i in response.context["cl"].result_list] == ["fortune-capital"]


@pytest.mark.usefixtures("article")
def test_rounds_are_found_by_the_chinese_names_of_company_and_investor(admin_client):
    FundingRoundFactory(company=CompanyFactory(name_zh="月之暗面"))
    for term in ("智谱", "达晨"):
        response = admin_client.get(admin_url(FundingRound, "changelist"), {"q": term})
        assert [r.company.slug for r in response.context["cl"].result_list] == ["zhipu-ai"]


@pytest.mark.usefixtures("article")
def test_round_list_shows_lead_investors_and_partial_dates(admin_client):
    content = admin_client.get(admin_url(FundingRound, "changelist")).content.decode()
    assert "Fortune Capital (达晨财智)" in content
    assert ">2021<" in content


@pytest.mark.usefixtures("article")
def test_company_page_has_its_rounds_listings_marks_and_releases_inline(admin_client):
    response = admin_client.get(admin_url(Company, "change", Company.objects.get(slug="zhipu-ai").pk))
    inline_models = {formset.formset.model for formset in response.context["inline_admin_formsets"]}
    assert inline_models == {FundingRound, Listing, ValuationMark, ModelRelease}


@pytest.mark.usefixtures("article")
def test_round_page_has_its_participations_inline_with_investor_autocomplete(admin_client):
    response = admin_client.get(admin_url(FundingRound, "change", FundingRound.objects.get().pk))
    [formset] = response.context["inline_admin_formsets"]
    assert formset.formset.model is Participation
    assert "admin-autocomplete" in response.content.decode()


def test_admin_speaks_the_browsers_language(admin_client):
    url = admin_url(FundingRound, "changelist")
    assert "融资轮次" in admin_client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "funding round" in admin_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_choices_are_translated(admin_client):
    response = admin_client.get(admin_url(FundingRound, "add"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    content = response.content.decode()
    assert "A轮" in content and "领投" in content


def test_adding_a_round_with_its_lead_investor_in_the_admin(admin_client, article):
    company = Company.objects.get(slug="zhipu-ai")
    investor = InvestorFactory(slug="new-fund")
    data = {
        "company": company.pk,
        "stage": "b",
        "label": "B轮",
        "announced_on": "2022-09",
        "amount": "",
        "currency": "",
        "pre_money": "",
        "post_money": "",
        "valuation_currency": "",
        "notes": "",
        "source": "",
        "source_quote": "",
        "participations-TOTAL_FORMS": "1",
        "participations-INITIAL_FORMS": "0",
        "participations-0-investor": investor.pk,
        "participations-0-role": "lead",
        "participations-0-is_follow_on": "",
        "participations-0-amount": "",
        "participations-0-currency": "",
        "participations-0-source": "",
        "participations-0-source_quote": "",
    }
    response = admin_client.post(admin_url(FundingRound, "add"), data)
    assert response.status_code == 302, response.context["adminform"].errors if response.context else response
    new_round = FundingRound.objects.get(label="B轮")
    assert (new_round.announced_on.isoformat(), new_round.announced_on_display) == ("2022-09-01", "2022-09")
    assert new_round.participations.get().investor == investor
    assert new_round.history.get().history_user.username == "root"


def test_admin_refuses_a_negative_amount_and_saves_nothing(admin_client):
    company = CompanyFactory()
    data = {
        "company": company.pk,
        "stage": "a",
        "announced_on_precision": "day",
        "amount": "-5",
        "currency": "CNY",
    }
    data |= {"participations-TOTAL_FORMS": "0", "participations-INITIAL_FORMS": "0"}
    response = admin_client.post(admin_url(FundingRound, "add"), data)
    assert response.status_code == 200
    assert "amount" in response.context["adminform"].form.errors
    assert not FundingRound.objects.exists()


def count_changelist_queries(client, model) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(admin_url(model, "changelist")).status_code == 200
    return len(queries)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_changelist_queries_do_not_grow_with_rows(admin_client, model):
    FACTORIES[model].create_batch(2)
    few = count_changelist_queries(admin_client, model)
    FACTORIES[model].create_batch(25)
    assert count_changelist_queries(admin_client, model) == few


@pytest.mark.usefixtures("article")
def test_investor_autocomplete_finds_chinese_names_in_a_stable_order(admin_client):
    InvestorFactory(slug="aaa", name_en="AAA Capital", name_zh="达晨二号")
    params = {"app_label": "rounds", "model_name": "participation", "field_name": "investor", "term": "达晨"}
    response = admin_client.get(reverse("admin:autocomplete"), params)
    assert response.status_code == 200
    assert [item["text"] for item in response.json()["results"]] == [
        "AAA Capital (达晨二号)",
        "Fortune Capital (达晨财智)",
    ]


@pytest.mark.usefixtures("article")
@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", ("CNY · Yuan Renminbi", "China")), ("zh-hans", ("CNY · 人民币元", "中国"))],
)
def test_country_and_currency_filters_list_only_the_values_in_use_in_the_readers_language(
    admin_client, language, expected
):
    FundingRoundFactory(amount="1.00", currency="CNY")
    rounds = admin_client.get(admin_url(FundingRound, "changelist"), HTTP_ACCEPT_LANGUAGE=language)
    currencies = [
        c["display"]
        for spec in rounds.context["cl"].filter_specs
        for c in spec.choices(rounds.context["cl"])
        if getattr(spec, "field_path", "") == "currency"
    ]
    assert currencies[1:] == [expected[0]]
    companies = admin_client.get(admin_url(Company, "changelist"), HTTP_ACCEPT_LANGUAGE=language)
    page = companies.content.decode()
    assert expected[1] in page
    assert ("Zimbabwe" if language == "en" else "津巴布韦") not in page


def test_a_related_box_never_offers_to_delete_the_record_it_points_at(admin_client, article):
    from rounds.models import FundingRound

    funding_round = FundingRound.objects.get()
    page = admin_client.get(admin_url(FundingRound, "change", funding_round.pk)).content.decode()
    assert "delete-related" not in page, "deleting the company or an investor from a round's page"
    assert "change-related" in page and "add-related" in page
    assert "view-related" not in page, "who may change it has the change link; the view link repeats it"


def test_a_viewer_has_the_view_link_instead_of_the_change_link(client, django_user_model, article):
    from django.contrib.auth.models import Group
    from django.core.management import call_command

    from rounds.models import FundingRound

    call_command("setup_roles", verbosity=0)
    viewer = django_user_model.objects.create_user("viewer", password="pw-viewer-123456", is_staff=True)
    viewer.groups.add(Group.objects.get(name="viewers"))
    client.force_login(viewer)
    funding_round = FundingRound.objects.get()
    page = client.get(admin_url(FundingRound, "change", funding_round.pk)).content.decode()
    assert "change-related" not in page and "delete-related" not in page


def test_long_texts_and_addresses_in_lists_are_cut_with_the_whole_in_the_tooltip(admin_client, article):
    from django.utils.html import escape

    from companies.models import KPI, Source
    from tests.companies.factories import SourceFactory

    source = SourceFactory(url="https://example.com/" + "a-very-long-path/" * 20)
    assert isinstance(source, Source)
    page = admin_client.get(admin_url(Source, "changelist")).content.decode()
    shown = source.url.removeprefix("https://").removeprefix("http://")
    assert f'<a class="url" href="{source.url}" title="{source.url}"' in page
    assert f">{shown}</a>" in page

    kpi = KPI.objects.exclude(scope="").first()
    page = admin_client.get(admin_url(KPI, "changelist")).content.decode()
    assert f'<span class="clamp" title="{escape(kpi.scope)}">' in page


def test_a_kpi_period_shows_as_staff_say_it(admin_client, article):
    import datetime

    from companies.models import KPI

    page = admin_client.get(admin_url(KPI, "changelist"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<td class="field-period_display">2024</td>' in page
    kpi = KPI.objects.filter(period_start__isnull=False).exclude(period_start__month=1).first()
    assert isinstance(kpi.period_start, datetime.date)
    assert f"{kpi.period_start.isoformat()} – {kpi.period_end.isoformat()}" in page
