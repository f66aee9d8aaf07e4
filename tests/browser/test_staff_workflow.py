"""A member of staff's day in the admin, in a real browser (Debian's Chromium, driven by Playwright).

An editor signs in, switches the admin to Chinese, finds 智谱 by its Chinese name, records a
Series B led by 达晨财智 through the autocomplete widgets, downloads the company's round history
as CSV and Excel, and reads the round's change history. Then a viewer signs in and can neither
edit the round in the page nor save it by posting the form. Each step leaves a screenshot (and
the downloads) in test-artifacts/browser/.
"""

import codecs
import csv
import re
from pathlib import Path

import openpyxl
import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from companies.models import Company
from rounds.models import FundingRound, Investor
from rounds.resources import FundingRoundResource
from tests.browser.conftest import PASSWORDS

pytestmark = pytest.mark.browser

FORTUNE_CAPITAL = "Fortune Capital (达晨财智)"


class Steps:
    """Numbered screenshots, one after each step of the workflow."""

    def __init__(self, page: Page, folder: Path):
        self.page, self.folder, self.count = page, folder, 0

    def done(self, name: str) -> Path:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{name}.png"
        self.page.screenshot(path=path, full_page=True)
        return path

    def artifact(self, name: str) -> Path:
        return self.folder / f"{self.count:02d}-{name}"


def log_in(page: Page, server: str, username: str, next_url: str = "/admin/") -> None:
    page.goto(f"{server}{reverse('admin:login')}?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORDS[username])
    page.click('#login-form [type="submit"]')
    expect(page).to_have_url(f"{server}{next_url}")
    expect(page.locator("#user-tools")).to_contain_text(username)


def pick_autocomplete(page: Page, select_id: str, term: str, choice: str) -> None:
    """Open the select2 box of an autocomplete field, type, and click the matching result."""
    page.click(f'.select2-selection[aria-labelledby="select2-{select_id}-container"]')
    search = page.locator(".select2-container--open .select2-search__field")
    search.press_sequentially(term)
    page.locator(".select2-container--open .select2-results__option", has_text=choice).click()
    expect(page.locator(f"#select2-{select_id}-container")).to_contain_text(choice)


def test_editor_records_a_round_in_chinese_and_a_viewer_cannot_change_it(live_server, staff, page, artifacts):
    server = live_server.url
    steps = Steps(page, artifacts)
    company = Company.objects.get(slug="zhipu-ai")
    investor = Investor.objects.get(slug="fortune-capital")

    # 1. The editor signs in; a browser asking for English gets the admin in English.
    log_in(page, server, "editor")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    # The home page opens on the firm's positions, above the records.
    expect(page.locator("#content h1")).to_contain_text("The portfolio as of")
    expect(page.locator("#positions tbody tr")).to_have_count(1)
    expect(page.locator("#records-title")).to_have_text("Portfolio records")
    steps.done("login")

    # 2. The language switch in the header turns the admin into Chinese, on the same page.
    expect(page.locator("#admin-language option:checked")).to_have_text("English")
    page.select_option("#admin-language", label="简体中文")
    page.click("#admin-language-submit")
    expect(page).to_have_url(f"{server}/admin/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("#content h1")).to_contain_text("的投资组合")
    expect(page.locator("#records-title")).to_have_text("投资组合记录")
    expect(page.locator("#admin-language option:checked")).to_have_text("简体中文")
    steps.done("chinese")

    # 3. Companies, searched by the Chinese name; the result opens the company.
    page.locator("#companies-company").get_by_role("link", name="公司", exact=True).click()
    expect(page).to_have_url(f"{server}{reverse('admin:companies_company_changelist')}")
    page.fill("#searchbar", "智谱")
    page.press("#searchbar", "Enter")
    expect(page).to_have_url(re.compile(r"\?q=%E6%99%BA%E8%B0%B1$"))
    results = page.locator("#result_list tbody tr")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("智谱")
    steps.done("company-search")
    results.first.get_by_role("link", name="Zhipu AI").click()
    company_url = reverse("admin:companies_company_change", args=[company.pk])
    expect(page).to_have_url(re.compile(re.escape(f"{server}{company_url}")))
    expect(page.locator("#id_name_zh")).to_have_value("智谱")
    steps.done("company")

    # 4. A Series B led by 达晨财智, companies and investors picked through the autocomplete boxes.
    page.goto(f"{server}{reverse('admin:rounds_fundinground_add')}")
    pick_autocomplete(page, "id_company", "Zhipu", "智谱")
    expect(page.locator("#id_company")).to_have_value(str(company.pk))
    page.select_option("#id_stage", label="B轮")
    page.fill("#id_label", "B轮")
    page.fill("#id_announced_on", "2023")  # as staff write it: the year is all that is known
    page.fill("#id_amount", "1.5亿")
    page.select_option("#id_currency", "CNY")
    pick_autocomplete(page, "id_participations-0-investor", "达晨", "达晨财智")
    expect(page.locator("#id_participations-0-investor")).to_have_value(str(investor.pk))
    page.select_option("#id_participations-0-role", label="领投")
    steps.done("round-form")
    page.click('input[name="_save"]')
    expect(page).to_have_url(f"{server}{reverse('admin:rounds_fundinground_changelist')}")
    success = page.locator(".messagelist .success")
    expect(success).to_contain_text("成功添加")
    expect(success).to_contain_text("B轮")
    steps.done("round-saved")

    new_round = FundingRound.objects.get(company=company, label="B轮")
    assert (new_round.stage, str(new_round.announced_on), new_round.announced_on_precision) == (
        "b",
        "2023-01-01",
        "year",
    )
    assert (str(new_round.amount), new_round.currency) == ("150000000.00", "CNY")
    page.goto(f"{server}{reverse('admin:rounds_fundinground_change', args=[new_round.pk])}")
    expect(page.locator("#id_announced_on")).to_have_value("2023")
    expect(page.locator("#id_amount")).to_have_value("150,000,000.00")
    assert [(p.investor.slug, p.role) for p in new_round.participations.all()] == [
        ("fortune-capital", "lead")
    ]

    # 5. The company's page lists the round, and its round history downloads as CSV and Excel.
    page.goto(f"{server}{company_url}")
    rounds_inline = page.locator("#funding_rounds-group")
    expect(rounds_inline.locator('input[name$="-label"][value="A轮"]')).to_have_count(1)
    expect(rounds_inline.locator('input[name$="-label"][value="B轮"]')).to_have_count(1)
    steps.done("company-rounds")

    csv_link = page.locator("#round-history-csv")
    expect(csv_link).to_have_attribute(
        "href", f"/admin/companies/company/{company.pk}/round-history/?format=csv"
    )
    with page.expect_download() as download:
        csv_link.click()
    csv_path = steps.artifact("round-history.csv")
    download.value.save_as(csv_path)
    assert download.value.suggested_filename.endswith(".csv")
    assert csv_path.read_bytes().startswith(codecs.BOM_UTF8)
    with csv_path.open(encoding="utf-8-sig", newline="") as file:
        reader = csv.reader(file)
        header, *rows = list(reader)
    assert header == FundingRoundResource().export_header()
    by_label = [dict(zip(header, row, strict=True)) for row in rows]
    assert [row["label"] for row in by_label] == ["A轮", "B轮"]
    assert by_label[0]["lead_investors"] == "fortune-capital"
    assert by_label[1]["lead_investors"] == "fortune-capital"
    assert (by_label[1]["stage"], by_label[1]["id"]) == ("b", str(new_round.pk))

    with page.expect_download() as download:
        page.click("#round-history-xlsx")
    xlsx_path = steps.artifact("round-history.xlsx")
    download.value.save_as(xlsx_path)
    assert download.value.suggested_filename.endswith(".xlsx")
    workbook = openpyxl.load_workbook(xlsx_path, read_only=True)
    header, *rows = list(workbook.active.iter_rows(values_only=True))
    workbook.close()
    assert list(header) == FundingRoundResource().export_header()
    labels = [row[header.index("label")] for row in rows]
    assert labels == ["A轮", "B轮"]
    assert rows[1][header.index("lead_investors")] == "fortune-capital"
    steps.done("round-history-downloaded")

    # 6. The round's history page shows who added it, and who added its lead investor.
    page.goto(f"{server}{reverse('admin:rounds_fundinground_history', args=[new_round.pk])}")
    history = page.locator("#change-history tbody tr")
    expect(history).to_have_count(1)
    expect(history.first.get_by_text("editor", exact=True)).to_be_visible()
    investors = page.locator("#investor-history tbody tr")
    expect(investors).to_have_count(1)
    expect(investors.first).to_contain_text(FORTUNE_CAPITAL)
    expect(investors.first).to_contain_text("领投")
    expect(investors.first).to_contain_text("editor")
    steps.done("round-history-page")

    # 7. A viewer sees the round read-only, and the server refuses a save all the same.
    page.click("#logout-form [type='submit']")
    expect(page).to_have_url(f"{server}{reverse('admin:logout')}")
    expect(page.locator("#user-tools")).to_have_count(0)
    change_url = reverse("admin:rounds_fundinground_change", args=[new_round.pk])
    log_in(page, server, "viewer", change_url)
    expect(page.locator('input[name="_save"]')).to_have_count(0)
    expect(page.locator("#id_label")).to_have_count(0)
    expect(page.locator(".field-label .readonly")).to_have_text("B轮")
    expect(page.locator(".field-stage .readonly")).to_have_text("B轮")
    steps.done("viewer-read-only")

    before = FundingRound.objects.get(pk=new_round.pk)
    history_rows = before.history.count()
    token = page.locator("input[name='csrfmiddlewaretoken']").first.input_value()
    response = page.request.post(
        f"{server}{change_url}",
        form={
            "csrfmiddlewaretoken": token,
            "company": str(company.pk),
            "stage": "c",
            "label": "C轮",
            "announced_on": "2024",
            "participations-TOTAL_FORMS": "0",
            "participations-INITIAL_FORMS": "0",
            "_save": "保存",
        },
        headers={"Referer": f"{server}{change_url}"},
        max_redirects=0,
    )
    assert response.status == 403
    assert "CSRF verification failed" not in response.text(), "refused as a viewer, not for its token"
    after = FundingRound.objects.get(pk=new_round.pk)
    assert (after.stage, after.label, after.updated_at) == (before.stage, before.label, before.updated_at)
    assert after.history.count() == history_rows
