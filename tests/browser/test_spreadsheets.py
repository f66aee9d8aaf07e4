"""Spreadsheets in a real browser: a broken file is refused row by row, a good one previewed and imported.

An editor uploads the broken sample of fixtures/import/, reads which rows and fields are
wrong and finds no way to confirm; then uploads an Excel file with a new round, sees it
previewed as new, confirms, and finds the import in the round's history. In Chinese, the
rounds list exports as Excel. A viewer sees Export but no Import. Screenshots and files go
to test-artifacts/browser/spreadsheets/.
"""

import openpyxl
import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from rounds.models import FundingRound
from tests.browser.test_staff_workflow import Steps, log_in
from tests.helpers import IMPORT_SAMPLES

pytestmark = pytest.mark.browser


def choose_file(page: Page, path, file_format: str) -> None:
    page.set_input_files("#id_import_file", str(path))
    page.select_option("#id_format", label=file_format)
    page.click('form[enctype="multipart/form-data"] input[type="submit"]')


def test_editor_imports_a_spreadsheet_and_a_viewer_only_exports(live_server, staff, page, artifacts):
    server = live_server.url
    steps = Steps(page, artifacts)
    import_url = reverse("admin:rounds_fundinground_import")
    log_in(page, server, "editor", reverse("admin:rounds_fundinground_changelist"))

    # 1. The rounds list offers Import and Export.
    page.get_by_role("link", name="Import", exact=True).click()
    expect(page).to_have_url(f"{server}{import_url}")
    steps.done("import-form")

    # 2. The broken sample: each wrong row and field is named, and there is nothing to confirm.
    choose_file(page, IMPORT_SAMPLES / "broken" / "funding_rounds.csv", "csv")
    errors = page.locator(".validation-error-list")
    expect(errors).to_have_count(2)
    expect(errors.nth(0)).to_contain_text("“Series Z” is not one of")
    expect(errors.nth(0)).to_contain_text("Series A")
    shown = "list => getComputedStyle(list.closest('.validation-error-container')).opacity"
    assert errors.nth(0).evaluate(shown) == "1", "the messages are shown beside the row, without hovering"
    expect(errors.nth(0)).to_contain_text("Enter a date as YYYY, YYYY-MM or YYYY-MM-DD")
    expect(errors.nth(1)).to_contain_text("No company has the slug or name “no-such-company”.")
    expect(errors.nth(1)).to_contain_text("No investor has the slug or name “unknown-fund”.")
    expect(page.locator('input[name="confirm"]')).to_have_count(0)
    steps.done("broken-file-refused")
    assert FundingRound.objects.count() == 1

    # 3. A good Excel file: previewed as one unchanged and one new round, then imported on confirmation.
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["company", "stage", "label", "announced_on", "amount", "currency", "lead_investors"])
    sheet.append(["zhipu-ai", "a", "A轮", 2021, None, None, "fortune-capital"])
    sheet.append(["zhipu-ai", "Series C", "C轮", "2023-10", 2500000000, "CNY", "fortune-capital"])
    upload = steps.artifact("rounds.xlsx")
    workbook.save(upload)
    page.goto(f"{server}{import_url}")
    choose_file(page, upload, "xlsx")
    preview = page.locator("table.import-preview tbody tr")
    expect(preview).to_have_count(2)
    expect(preview.nth(0)).to_contain_text("Skipped")
    expect(preview.nth(1)).to_contain_text("New")
    expect(preview.nth(1)).to_contain_text("C轮")
    steps.done("preview")
    assert FundingRound.objects.count() == 1, "the preview writes nothing"
    page.click('input[name="confirm"]')
    expect(page.locator(".messagelist .success")).to_contain_text("1 new")
    steps.done("imported")
    new_round = FundingRound.objects.get(label="C轮")
    assert [(p.investor.slug, p.role) for p in new_round.participations.all()] == [
        ("fortune-capital", "lead")
    ]

    # 4. The round's history names the file and the editor.
    page.goto(f"{server}{reverse('admin:rounds_fundinground_history', args=[new_round.pk])}")
    entry = page.locator("#change-history tbody tr").first
    expect(entry).to_contain_text(f"Imported from {upload.name}")
    expect(entry).to_contain_text("editor")
    steps.done("history")

    # 5. In Chinese, the rounds list exports as Excel.
    page.select_option("#admin-language", label="简体中文")
    page.click("#admin-language-submit")
    page.goto(f"{server}{reverse('admin:rounds_fundinground_changelist')}")
    page.get_by_role("link", name="导出", exact=True).click()
    page.select_option("#id_format", label="xlsx")
    with page.expect_download() as download:
        page.click('form input[type="submit"][value="提交"]')
    exported = steps.artifact("exported-rounds.xlsx")
    download.value.save_as(exported)
    header, *rows = list(openpyxl.load_workbook(exported, read_only=True).active.iter_rows(values_only=True))
    assert {row[header.index("label")] for row in rows} == {"A轮", "C轮"}
    steps.done("exported")

    # 6. A viewer can export but has no Import button, and the import page refuses.
    page.click("#logout-form [type='submit']")
    log_in(page, server, "viewer", reverse("admin:rounds_fundinground_changelist"))
    expect(page.locator(".object-tools .export_link")).to_have_count(1)
    expect(page.locator(".object-tools .import_link")).to_have_count(0)
    response = page.request.get(f"{server}{import_url}")
    assert response.status == 403
    steps.done("viewer-no-import")
