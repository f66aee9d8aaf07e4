"""No page of the admin is wider than a 1440 px screen, in English or in Chinese.

A superuser opens, for every model in the admin, its list, its add form, the change form of its
widest record (inlines included), the record's history and a past version of it, the export
form and, where the list imports, the import form and the preview of an import with an invalid
row. The records are the article's plus one of each kind filled as long as staff write them: a
200-character name, a 500-character URL with no place to break, long Chinese quotes, a round
with a dozen investors. Each page's `document.documentElement.scrollWidth` is measured; every
one must fit. Screenshots of the widest pages go to test-artifacts/browser/page_widths/.
"""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import RequestFactory
from django.urls import reverse
from import_export.admin import ExportMixin, ImportMixin
from playwright.sync_api import Browser, Page, expect

from companies.choices import Qualifier
from companies.models import Company
from portfolio.api.exports import csv_lines
from portfolio.models import ApiToken
from rounds.choices import MarkBasis, Role
from rounds.models import FundingRound, Investor
from tests.browser.conftest import signed_in_page
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

pytestmark = pytest.mark.browser

SCREEN = {"width": 1440, "height": 900}
PASSWORD = "root-pw-5512-portfolio"
LANGUAGES = {"en": "en", "zh-hans": "zh-Hans"}

LONG_URL = "https://example.com/reports/" + "zhipu-ai-series-a-led-by-fortune-capital-" * 11
LONG_NAME = (
    "Shenzhen Fortune Capital Strategic Emerging Industries Growth Equity Investment Fund "
    "Management Partnership (Limited Partnership), Guangdong Province Sub-Fund II"
)[:200]
LONG_ZH = "达晨财智于二零二一年领投智谱A轮融资，此后持续加注，见证其从清华实验室走向港股上市。" * 8
LONG_TEXT = ("The round was led by Fortune Capital with co-investment from several funds. " * 20).strip()


def wide_records() -> dict:
    """One record of each kind filled to the length staff write; the pages are measured on these."""
    source = SourceFactory(title=LONG_NAME + " — " + LONG_ZH[:80], publisher=LONG_NAME, url=LONG_URL)
    company = CompanyFactory(
        slug="wide-company-with-a-very-long-slug-for-the-listing-page",
        name_en=LONG_NAME,
        name_zh=LONG_ZH[:200],
        legal_name=LONG_NAME,
        aliases="\n".join([LONG_NAME, LONG_ZH[:120]]),
        summary=LONG_TEXT,
        city="Beijing",
        sector="Artificial intelligence — large language models and agents",
        website=LONG_URL[:200],
    )
    release = ModelReleaseFactory(
        company=company,
        name="GLM-4.5-Air-Long-Context-Instruct-Preview-2026",
        family="GLM",
        summary=LONG_TEXT,
        languages="en, zh, ja, ko, fr, de, es, ru, ar, pt",
        source=source,
        source_quote=LONG_ZH,
    )
    metric = MetricFactory(
        code="annualised_recurring_revenue_long_code", name_en=LONG_NAME, name_zh=LONG_ZH[:200]
    )
    kpi = KPIFactory(
        company=company,
        metric=metric,
        model_release=release,
        value=Decimal("12345678901.5"),
        qualifier=Qualifier.EQ,
        scope=(LONG_TEXT + " ")[:300],
        source=source,
        source_quote=LONG_ZH,
    )
    investors = [
        InvestorFactory(
            slug=f"wide-investor-{number}",
            name_en=f"{LONG_NAME[:150]} {number}",
            name_zh=f"{LONG_ZH[:60]}{number}",
            aliases=LONG_ZH[:150],
            website=LONG_URL[:200],
        )
        for number in range(12)
    ]
    funding_round = FundingRoundFactory(
        company=company,
        label="A+轮（战略融资，含老股转让及员工持股平台增资）",
        announced_on=datetime.date(2021, 9, 1),
        announced_on_precision="month",
        amount=Decimal("15000000000.00"),
        currency="CNY",
        pre_money=Decimal("36000000000.00"),
        post_money=Decimal("40000000000.00"),
        valuation_currency="USD",
        notes=LONG_TEXT,
        source=source,
        source_quote=LONG_ZH,
    )
    roles = [Role.LEAD, Role.CO_LEAD, Role.PARTICIPANT]
    for number, investor in enumerate(investors):
        ParticipationFactory(
            funding_round=funding_round,
            investor=investor,
            role=roles[min(number, 2)],
            is_follow_on=number % 3 == 0,
            amount=Decimal("1500000000.00"),
            currency="HKD",
            shares_after=Decimal("123456789012.5"),
            ownership_after=Decimal("12.3456"),
            source=source,
            source_quote=LONG_ZH,
        )
    # The firm is in the round too: the company is in the portfolio, and its page shows the position.
    ParticipationFactory(
        funding_round=funding_round,
        investor=Investor.objects.get(is_house=True),
        role=Role.PARTICIPANT,
        amount=Decimal("123456789.00"),
        currency="HKD",
    )
    mark = ValuationMarkFactory(
        company=company,
        marked_on=datetime.date(2025, 6, 30),
        basis=MarkBasis.WRITE_DOWN,
        value=Decimal("123456789012345678.00"),
        price_per_share=Decimal("12345678.123456"),
        currency="CNY",
        notes=LONG_TEXT,
        source=source,
        source_quote=LONG_ZH,
    )
    rate = ExchangeRateFactory(
        base="HKD",
        quote="USD",
        on=datetime.date(2021, 9, 30),
        rate=Decimal("0.1285"),
        origin="staff",
        note=LONG_TEXT,
    )
    listing = ListingFactory(
        company=company,
        exchange="Hong Kong Stock Exchange Main Board",
        ticker="02513.HK",
        offer_price=Decimal("116.20"),
        currency="HKD",
        notes=LONG_TEXT,
        source=source,
        source_quote=LONG_ZH,
    )
    # A change, so each record has a past version to open.
    for record in (source, company, release, metric, kpi, funding_round, listing, mark, rate, *investors[:1]):
        record.refresh_from_db()
        record.save()
    participation = funding_round.participations.order_by("pk").first()
    participation.amount = Decimal("2500000000.00")
    participation.save()
    return {
        "companies.source": source,
        "companies.company": company,
        "companies.modelrelease": release,
        "companies.metric": metric,
        "companies.kpi": kpi,
        "rounds.investor": investors[0],
        "rounds.fundinground": funding_round,
        "rounds.participation": participation,
        "rounds.listing": listing,
        "rounds.valuationmark": mark,
        "fx.exchangerate": rate,
    }


def admin_pages(records: dict, user) -> list[tuple[str, str]]:
    """(name, URL) of every list, form, history, version and export page of every model in the admin."""
    token, _plaintext = ApiToken.issue(user=user, read_only=False, name=LONG_NAME[:100])
    records = {
        **records,
        "auth.user": user,
        "auth.group": Group.objects.get(name="editors"),
        "portfolio.apitoken": token,
    }
    request = RequestFactory().get("/admin/")
    request.user = user
    pages = [("index", reverse("admin:index"))]
    for model, model_admin in admin.site._registry.items():
        label = model._meta.label_lower
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        pages.append((f"{label} list", reverse(f"{info}_changelist")))
        if model_admin.has_add_permission(request):
            pages.append((f"{label} add", reverse(f"{info}_add")))
        record = records.get(label)
        if record is not None:
            pages.append((f"{label} change", reverse(f"{info}_change", args=[record.pk])))
            pages.append((f"{label} history", reverse(f"{info}_history", args=[record.pk])))
        if record is not None and hasattr(record, "history"):
            version = record.history.order_by("history_id").first().history_id
            past = reverse(f"{info}_simple_history", args=[record.pk, version])
            pages.append((f"{label} past version", past))
        if isinstance(model_admin, ExportMixin):
            pages.append((f"{label} export", reverse(f"{info}_export")))
        if isinstance(model_admin, ImportMixin):
            pages.append((f"{label} import", reverse(f"{info}_import")))
        if model_admin.date_hierarchy:
            # The date drill-down, a year in.
            pages.append(
                (
                    f"{label} list of a year",
                    f"{reverse(f'{info}_changelist')}?{model_admin.date_hierarchy}__year=2021",
                )
            )
    return pages


def import_file(model_admin, folder: Path) -> Path:
    """The list exported as CSV, with one row made invalid, so the preview shows messages beside it."""
    resource = model_admin.get_import_resource_classes(None)[0]()
    header = resource.export_header()
    rows = list(resource.export_rows(model_admin.model.objects.order_by("-pk")))
    for column in ("stage", "kind", "unit", "status", "metric", "basis", "origin"):
        if column in header:
            rows[0][column] = "no such choice, " + LONG_ZH[:40]
            break

    path = folder / f"{model_admin.model._meta.model_name}.csv"
    path.write_text("".join(csv_lines(header, rows)), encoding="utf-8")
    return path


# The page's width, plus the most that a box inside it (a list's table, an inline) scrolls
# sideways: the width the page would need to show everything without scrolling.
PAGE_WIDTH = """() => {
  let hidden = 0;
  for (const box of document.querySelectorAll("body *")) {
    const overflow = getComputedStyle(box).overflowX;
    if (overflow === "auto" || overflow === "scroll") {
      hidden = Math.max(hidden, box.scrollWidth - box.clientWidth);
    }
  }
  return document.documentElement.scrollWidth + (hidden > 1 ? hidden : 0);
}"""


# The innermost elements that reach past the screen's right edge, to say what makes a page too wide.
PAST_THE_EDGE = """(edge) => {
  const past = [...document.querySelectorAll("body *")].filter(
    (element) => element.getBoundingClientRect().right > edge + 1
  );
  return past
    .filter((element) => !past.some((other) => other !== element && element.contains(other)))
    .slice(0, 4)
    .map((element) => {
      const name = element.tagName.toLowerCase() + (element.id ? "#" + element.id : "")
        + [...element.classList].map((name) => "." + name).join("");
      return name + " in " + (element.closest("[id]")?.id || "the page")
        + " (" + Math.round(element.getBoundingClientRect().right) + " px)";
    });
}"""


# Pages kept as screenshots whatever their width, to see how the widest content is laid out.
SHOWN = {
    "index",
    "companies.kpi list",
    "companies.company change",
    "rounds.fundinground change",
    "rounds.fundinground history",
    "rounds.fundinground import preview",
}


def measure(page: Page, name: str, folder: Path, widths: dict, culprits: dict) -> None:
    widths[name] = page.evaluate(PAGE_WIDTH)
    if widths[name] > SCREEN["width"]:
        culprits[name] = page.evaluate(PAST_THE_EDGE, SCREEN["width"])
    if widths[name] > SCREEN["width"] or name in SHOWN:
        page.screenshot(path=folder / f"{name.replace(' ', '-').replace('.', '-')}.png", full_page=True)


@pytest.fixture
def superuser(staff, django_user_model):
    return django_user_model.objects.create_superuser("root", password=PASSWORD)


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_every_admin_page_fits_a_1440_pixel_screen(
    live_server, superuser, browser: Browser, artifacts, language
):
    records = wide_records()
    server = live_server.url
    page, refused = signed_in_page(
        browser, server, "root", PASSWORD, language=LANGUAGES[language], screen=SCREEN
    )
    expect(page.locator("html")).to_have_attribute("lang", language)

    widths: dict[str, int] = {}
    culprits: dict[str, list[str]] = {}
    for name, url in admin_pages(records, superuser):
        response = page.goto(f"{server}{url}")
        assert response is not None and response.status == 200, f"{name}: {url} answered {response.status}"
        measure(page, name, artifacts, widths, culprits)

    for model, model_admin in admin.site._registry.items():
        if not isinstance(model_admin, ImportMixin):
            continue
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        page.goto(f"{server}{reverse(f'{info}_import')}")
        page.set_input_files("#id_import_file", str(import_file(model_admin, artifacts)))
        page.select_option("#id_format", label="csv")
        page.click('form[enctype="multipart/form-data"] input[type="submit"]')
        expect(page.locator(".validation-error-list").first).to_be_visible()
        measure(page, f"{model._meta.label_lower} import preview", artifacts, widths, culprits)
    page.context.close()

    report = "\n".join(
        f"{width:>6} px  {name}" + "".join(f"\n           {culprit}" for culprit in culprits.get(name, []))
        for name, width in sorted(widths.items(), key=lambda item: -item[1])
    )
    (artifacts / f"widths-{language}.txt").write_text(report + "\n")
    too_wide = {name: width for name, width in widths.items() if width > SCREEN["width"]}
    assert len(widths) > 60
    assert not too_wide, f"pages wider than {SCREEN['width']} px:\n{report}"
    assert not refused, f"blocked by the Content-Security-Policy: {refused}"
    assert Company.objects.filter(slug="wide-company-with-a-very-long-slug-for-the-listing-page").exists()
    assert FundingRound.objects.get(company__slug__startswith="wide-").participations.count() == 13
