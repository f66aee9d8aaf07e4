"""Spreadsheets in the admin: export of any list, import with a preview, and who may do which."""

import csv
import datetime
import html
import io
import json
import re

import pytest
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from companies.models import KPI, Company, ModelRelease
from rounds.models import FundingRound, Investor, Listing, Participation
from rounds.resources import FundingRoundResource
from tests.companies.factories import KPIFactory, ModelReleaseFactory, SourceFactory
from tests.conftest import grant
from tests.helpers import IMPORT_SAMPLES, import_file
from tests.portfolio.test_admin import FACTORIES, MODELS, admin_url
from tests.rounds.factories import FundingRoundFactory, ListingFactory, ParticipationFactory

pytestmark = pytest.mark.django_db

IMPORTABLE = [Company, Investor, FundingRound, ModelRelease, KPI]
CSV_FORMAT, XLSX_FORMAT, JSON_FORMAT = "0", "1", "2"


@pytest.fixture
def roles(article):
    call_command("setup_roles", stdout=io.StringIO())


@pytest.fixture
def login(client, django_user_model):
    """Log the client in as a new staff member of a role group, or with only the given actions."""

    def log_in(group: str | None = None, *actions: str):
        user = django_user_model.objects.create_user(f"staff-{group or '-'.join(actions)}", is_staff=True)
        if group:
            user.groups.add(Group.objects.get(name=group))
        grant(user, *actions)
        client.force_login(user)
        return user

    return log_in


def export_fields(model) -> dict[str, str]:
    """The export form's field checkboxes, all ticked, as the browser sends them."""
    from django.contrib import admin

    model_admin = admin.site._registry[model]
    resource = model_admin.get_export_resource_classes(None)[0]
    prefix = resource.__name__.lower()
    return {f"{prefix}_{name}": "on" for name in resource().fields}


def export(client, model, file_format: str = CSV_FORMAT, query: str = ""):
    data = {"format": file_format, "resource": "0", **export_fields(model)}
    return client.post(admin_url(model, "export") + query, data)


def csv_rows(response) -> list[dict]:
    text = b"".join(response.streaming_content if response.streaming else [response.content]).decode("utf-8")
    assert text.startswith("\ufeff"), "CSV starts with a byte-order mark so spreadsheet programs read UTF-8"
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def upload(client, model, name: str, content: bytes):
    formats = {"xlsx": XLSX_FORMAT, "json": JSON_FORMAT}
    file_format = formats.get(name.rsplit(".", 1)[-1], CSV_FORMAT)
    upload = SimpleUploadedFile(name, content)
    return client.post(
        admin_url(model, "import"), {"import_file": upload, "format": file_format, "resource": "0"}
    )


def confirm(client, model, preview):
    form = preview.context["confirm_form"]
    return client.post(admin_url(model, "process_import"), {**form.initial})


# Export


@pytest.mark.usefixtures("roles")
@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_list_exports_as_csv_and_excel(client, login, model):
    if not model.objects.exists():  # the article has no valuation marks and no exchange rates
        FACTORIES[model].create_batch(2)
    login("viewers")
    changelist = client.get(admin_url(model, "changelist"))
    assert admin_url(model, "export") in changelist.content.decode()

    rows = csv_rows(export(client, model))
    assert len(rows) == model.objects.count() > 0

    response = export(client, model, XLSX_FORMAT)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == model.objects.count() + 1


def test_the_export_holds_only_the_filtered_rows(admin_client, article):
    rows = csv_rows(export(admin_client, ModelRelease, query="?open_weights__exact=1"))
    assert {row["name"] for row in rows} == set(
        ModelRelease.objects.filter(open_weights=True).values_list("name", flat=True)
    )
    assert 0 < len(rows) < ModelRelease.objects.count()


def test_the_export_action_exports_the_selected_rows(admin_client, article):
    chosen = list(ModelRelease.objects.order_by("name")[:2])
    form = admin_client.post(
        admin_url(ModelRelease, "changelist"),
        {"action": "export_admin_action", "_selected_action": [r.pk for r in chosen]},
    )
    assert form.status_code == 200
    items = re.findall(r'name="export_items" value="(\d+)"', form.content.decode())
    assert sorted(map(int, items)) == sorted(r.pk for r in chosen)
    data = {"format": CSV_FORMAT, "resource": "0", "export_items": items, **export_fields(ModelRelease)}
    rows = csv_rows(admin_client.post(admin_url(ModelRelease, "export"), data))
    assert [row["name"] for row in rows] == [r.name for r in chosen]


@pytest.mark.parametrize("file_format", [CSV_FORMAT, XLSX_FORMAT, JSON_FORMAT])
def test_the_admin_export_of_rounds_imports_back_unchanged(admin_client, article, file_format):
    funding_round = FundingRound.objects.get()
    FundingRound.objects.filter(pk=funding_round.pk).update(amount="1500000.50", currency="USD", notes="=x")
    funding_round.participations.update(role="co_lead")
    response = export(admin_client, FundingRound, file_format)
    content = response.content if file_format == XLSX_FORMAT else response.content.decode("utf-8-sig")
    before = list(FundingRound.objects.values()), list(Participation.objects.values())

    name = {XLSX_FORMAT: "rounds.xlsx", JSON_FORMAT: "rounds.json"}.get(file_format, "rounds.csv")
    result = import_file(FundingRoundResource(), content, file_name=name)

    assert result.totals["skip"] == 1 and not result.has_errors() and not result.invalid_rows
    assert (list(FundingRound.objects.values()), list(Participation.objects.values())) == before


def test_the_admin_excel_export_is_typed_and_named_after_the_list_and_the_day(admin_client, article):
    FundingRound.objects.update(amount="1500000.50", currency="USD")
    response = export(admin_client, FundingRound, XLSX_FORMAT)
    today = timezone.localdate().isoformat()
    assert f'filename="funding-rounds-{today}.xlsx"' in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.active
    assert sheet.title == f"funding-rounds {today}"
    header = [cell.value for cell in sheet[1]]
    assert sheet.cell(row=2, column=header.index("amount") + 1).value == 1500000.5
    assert sheet.cell(row=2, column=header.index("currency") + 1).value == "USD"
    assert sheet.cell(row=2, column=header.index("announced_on") + 1).is_date


def test_exported_text_never_runs_as_a_formula(admin_client, article):
    Company.objects.filter(slug="zhipu-ai").update(city='=HYPERLINK("http://x")')
    rows = csv_rows(export(admin_client, Company))
    assert not rows[0]["city"].startswith("=")


# Rows that name every related record their export shows.
EXPORT_ROWS = {
    **FACTORIES,
    FundingRound: lambda: ParticipationFactory(funding_round=FundingRoundFactory()).funding_round,
    KPI: lambda: KPIFactory(model_release=ModelReleaseFactory()),
    Participation: lambda: ParticipationFactory(source=SourceFactory()),
    Listing: lambda: ListingFactory(source=SourceFactory()),
}


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_export_queries_do_not_grow_with_rows(admin_client, model):
    make = EXPORT_ROWS[model]

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert export(admin_client, model).status_code == 200
        return len(queries)

    make()
    few = count()
    for _ in range(5):
        make()
    assert count() == few


# The company's round history


def test_the_company_page_downloads_its_round_history(admin_client, article):
    company = Company.objects.get(slug="zhipu-ai")
    later = FundingRoundFactory(
        company=company, stage="b", label="B轮", announced_on=datetime.date(2022, 1, 1)
    )
    page = admin_client.get(admin_url(Company, "change", company.pk)).content.decode()
    for export_format in ("csv", "xlsx", "json"):
        assert f'id="round-history-{export_format}"' in page

    url = admin_url(Company, "round_history", company.pk)
    response = admin_client.get(url, {"format": "csv"})
    assert response["Content-Disposition"].startswith('attachment; filename="zhipu-ai-rounds-')
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == FundingRoundResource().export_header()
    assert [row["label"] for row in rows] == ["A轮", "B轮"]
    assert rows[0]["lead_investors"] == "fortune-capital"
    assert rows[1]["id"] == str(later.pk)

    sheet = load_workbook(
        io.BytesIO(b"".join(admin_client.get(url, {"format": "xlsx"}).streaming_content))
    ).active
    assert [cell.value for cell in sheet[1]] == FundingRoundResource().export_header()
    assert sheet.max_row == 3

    items = json.loads(b"".join(admin_client.get(url, {"format": "json"}).streaming_content))
    assert [list(item) for item in items] == [FundingRoundResource().export_header()] * 2
    assert [(item["label"], item["lead_investors"]) for item in items] == [
        ("A轮", "fortune-capital"),
        ("B轮", ""),
    ]

    assert admin_client.get(url, {"format": "pdf"}).status_code == 400
    assert admin_client.get(admin_url(Company, "round_history", 999999), {"format": "csv"}).status_code in (
        302,
        404,
    )


# Import


@pytest.mark.parametrize("model", IMPORTABLE, ids=lambda m: m.__name__)
def test_each_importable_list_offers_import_to_editors(roles, client, login, model):
    login("editors")
    assert admin_url(model, "import") in client.get(admin_url(model, "changelist")).content.decode()
    assert client.get(admin_url(model, "import")).status_code == 200


def test_import_previews_then_writes_on_confirmation(roles, client, login):
    login("editors")
    content = (
        "company,stage,label,announced_on,amount,currency,lead_investors,participants,follow_on_investors\n"
        "zhipu-ai,a,A轮,2021,,,fortune-capital,,\n"
        "zhipu-ai,Series B,B轮,2022-09,1500000000,CNY,fortune-capital,,fortune-capital\n"
    ).encode()

    preview = upload(client, FundingRound, "rounds.csv", content)

    assert preview.status_code == 200
    result = preview.context["result"]
    assert [row.import_type for row in result.rows] == ["skip", "new"]
    lead_column = result.diff_headers.index("lead_investors")
    assert [row.diff[lead_column] for row in result.rows] == [
        "<span>fortune-capital</span>",
        '<ins style="background:#e6ffe6;">fortune-capital</ins>',
    ]
    assert FundingRound.objects.count() == 1, "the preview writes nothing"
    assert preview.context["confirm_form"] is not None
    page = preview.content.decode()
    assert "B轮" in page and "New" in page and "Skipped" in page

    done = confirm(client, FundingRound, preview)

    assert done.status_code == 302
    assert FundingRound.objects.count() == 2
    new_round = FundingRound.objects.get(label="B轮")
    assert new_round.participations.get().is_follow_on is True
    record = new_round.history.get()
    assert (record.history_user.username, record.history_change_reason) == (
        "staff-editors",
        "Imported from rounds.csv",
    )


def test_a_large_file_lists_its_first_rows_counts_the_rest_and_imports_them_all(
    admin_client, article, monkeypatch
):
    monkeypatch.setattr("portfolio.resources.PREVIEW_ROWS", 3)
    lines = [f"large-{n},Large {n},大{n}" for n in range(5)]
    content = "\n".join(["slug,name_en,name_zh", *lines, "zhipu-ai,Zhipu AI,智谱"]).encode()

    preview = upload(admin_client, Company, "companies.csv", content)

    assert preview.status_code == 200
    result = preview.context["result"]
    assert [bool(row.diff) for row in result.rows] == [True, True, True, False, False, False]
    page = html.unescape(preview.content.decode())
    assert "6 rows: 5 new, 0 to update, 1 unchanged, 0 to delete." in page
    assert "The first 3 rows are listed below; the others are checked and imported the same way." in page
    assert "large-2" in page and "large-3" not in page

    assert confirm(admin_client, Company, preview).status_code == 302
    assert Company.objects.filter(slug__startswith="large-").count() == 5


def test_a_large_file_with_many_invalid_rows_lists_the_first_and_counts_the_rest(
    admin_client, article, monkeypatch
):
    monkeypatch.setattr("portfolio.resources.PREVIEW_ROWS", 3)
    content = "\n".join(["slug,name_en,status", *(f"bad-{n},Bad {n},nonsense" for n in range(5))]).encode()

    preview = upload(admin_client, Company, "companies.csv", content)

    page = html.unescape(preview.content.decode())
    assert len(preview.context["result"].invalid_rows) == 5
    assert "bad-2" in page and "bad-3" not in page
    assert "2 more invalid rows are not listed." in page
    assert not Company.objects.filter(slug__startswith="bad-").exists()


def test_a_record_changed_after_the_preview_is_not_overwritten_by_the_confirmation(
    roles, client, login, editor_api
):
    login("editors")
    content = b"slug,name_en,city\nzhipu-ai,Zhipu AI,From the file\n"
    preview = upload(client, Company, "companies.csv", content)
    assert [row.import_type for row in preview.context["result"].rows] == ["update"]
    changed = editor_api.patch("/api/v1/companies/zhipu-ai/", {"city": "北京"}, format="json")
    assert changed.status_code == 200

    done = confirm(client, Company, preview)

    assert done.status_code == 302
    assert ["Nothing was imported" in str(m) for m in get_messages(done.wsgi_request)] == [True]
    zhipu = Company.objects.get(slug="zhipu-ai")
    assert (zhipu.city, zhipu.version) == ("北京", 2)
    again = confirm(client, Company, upload(client, Company, "companies.csv", content))
    assert again.status_code == 302
    zhipu.refresh_from_db()
    assert (zhipu.city, zhipu.version) == ("From the file", 3)


@pytest.mark.parametrize(
    ("model", "name"),
    [(FundingRound, "broken/funding_rounds.csv"), (KPI, "broken/kpis.xlsx")],
)
def test_a_broken_file_shows_its_wrong_rows_and_fields_and_cannot_be_confirmed(
    admin_client, article, model, name
):
    before = (FundingRound.objects.count(), Participation.objects.count(), KPI.objects.count())

    preview = upload(admin_client, model, name.rsplit("/", 1)[-1], (IMPORT_SAMPLES / name).read_bytes())

    assert preview.status_code == 200
    assert preview.context.get("confirm_form") is None
    result = preview.context["result"]
    assert result.has_validation_errors()
    page = html.unescape(preview.content.decode())
    assert 'name="import_file_name"' not in page
    for row in result.invalid_rows:
        for field, messages in row.error_dict.items():
            assert field in page
            for message in messages:
                assert message in page
    assert (FundingRound.objects.count(), Participation.objects.count(), KPI.objects.count()) == before


def test_a_file_that_no_longer_validates_at_confirmation_writes_nothing(admin_client, article):
    content = "company,stage,label,announced_on,amount,currency\nzhipu-ai,b,B轮,2022,5,CNY\n".encode()
    preview = upload(admin_client, FundingRound, "rounds.csv", content)
    Company.objects.filter(slug="zhipu-ai").update(slug="renamed")

    done = confirm(admin_client, FundingRound, preview)

    assert done.status_code == 302 and done.url.endswith(admin_url(FundingRound, "import"))
    assert not FundingRound.objects.filter(label="B轮").exists()


def test_a_csv_saved_by_a_chinese_excel_keeps_its_chinese(admin_client, article):
    content = "company,stage,label,announced_on\nzhipu-ai,b,B轮,2022\n".encode("gbk")
    preview = upload(admin_client, FundingRound, "rounds.csv", content)
    assert [row.import_type for row in preview.context["result"].rows] == ["new"]
    confirm(admin_client, FundingRound, preview)
    assert FundingRound.objects.filter(label="B轮").exists()


def test_an_unreadable_file_is_a_form_error(admin_client, article):
    preview = upload(admin_client, FundingRound, "rounds.xlsx", b"this is not a spreadsheet")
    assert preview.status_code == 200
    assert preview.context["form"].errors
    assert FundingRound.objects.count() == 1


# Who may import and export


@pytest.mark.usefixtures("roles")
def test_viewers_export_but_never_import(client, login):
    login("viewers")
    changelist = client.get(admin_url(FundingRound, "changelist")).content.decode()
    assert admin_url(FundingRound, "export") in changelist
    assert admin_url(FundingRound, "import") not in changelist
    assert client.get(admin_url(FundingRound, "import")).status_code == 403
    content = (IMPORT_SAMPLES / "broken" / "funding_rounds.csv").read_bytes()
    assert upload(client, FundingRound, "rounds.csv", content).status_code == 403
    assert (
        client.post(admin_url(FundingRound, "process_import"), {"import_file_name": "x"}).status_code == 403
    )


@pytest.mark.usefixtures("article")
def test_without_the_export_permission_there_is_no_export(client, login):
    login(None, "view")
    company = Company.objects.get(slug="zhipu-ai")
    changelist = client.get(admin_url(FundingRound, "changelist")).content.decode()
    assert admin_url(FundingRound, "export") not in changelist
    assert "export_admin_action" not in changelist
    assert client.get(admin_url(FundingRound, "export")).status_code == 403
    assert export(client, FundingRound).status_code == 403
    assert (
        'id="round-history-csv"' not in client.get(admin_url(Company, "change", company.pk)).content.decode()
    )
    assert client.get(admin_url(Company, "round_history", company.pk), {"format": "csv"}).status_code == 403


@pytest.mark.usefixtures("article")
def test_the_import_permission_alone_does_not_let_a_user_change_records_through_the_form(client, login):
    login(None, "view", "import")
    assert client.get(admin_url(FundingRound, "import")).status_code == 200
    assert client.get(admin_url(FundingRound, "add")).status_code == 403


def test_import_and_export_speak_chinese(admin_client, article):
    chinese = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
    changelist = admin_client.get(admin_url(FundingRound, "changelist"), **chinese).content.decode()
    assert "导入" in changelist and "导出" in changelist
    company = Company.objects.get(slug="zhipu-ai")
    page = admin_client.get(admin_url(Company, "change", company.pk), **chinese).content.decode()
    assert "融资历史（CSV）" in page and "融资历史（Excel）" in page

    content = (IMPORT_SAMPLES / "broken" / "funding_rounds.csv").read_bytes()
    upload_file = SimpleUploadedFile("rounds.csv", content)
    preview = admin_client.post(
        admin_url(FundingRound, "import"),
        {"import_file": upload_file, "format": CSV_FORMAT, "resource": "0"},
        **chinese,
    )
    page = html.unescape(preview.content.decode())
    assert "“Series Z”不在可选值之中" in page
    assert "请按 YYYY、YYYY-MM 或 YYYY-MM-DD 格式填写日期" in page
    assert "没有标识符(slug)或名称为“no-such-company”的公司。" in page


@pytest.mark.parametrize(
    ("language", "labels"),
    [
        ("en", ["Company (company)", "Announced on (announced_on)", "Lead investors (lead_investors)"]),
        ("zh-hans", ["公司 (company)", "披露日期 (announced_on)", "领投方 (lead_investors)"]),
    ],
)
def test_the_export_form_names_each_column_in_the_readers_language(admin_client, article, language, labels):
    page = admin_client.get(admin_url(FundingRound, "export"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    for label in labels:
        assert label in html.unescape(page)


def xlsx_bytes(rows: list[list]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


HEADER = b"company,stage,label,announced_on"
MALFORMED_FILES = {
    "empty.csv": (b"", "The submitted file is empty."),
    "header-only.csv": (HEADER + b"\n", "No valid data to import."),
    "other-columns.csv": (
        b"foo,bar\n1,2\n",
        "The file has columns this list does not know: foo, bar. Its columns are: id, company,",
    ),
    "missing-columns.csv": (
        b"company,label\nzhipu-ai,B\n",
        "not present in the file headers: stage, announced_on",
    ),
    "misspelt-column.csv": (
        HEADER + b",anounced_on\nzhipu-ai,b,B,2022,2023\n",
        "The file has columns this list does not know: anounced_on.",
    ),
    "ragged.csv": (HEADER + b"\nzhipu-ai,b,B,2022,extra,extra\n", "encountered while trying to read file"),
    "binary.csv": (bytes(range(256)) * 4, "encountered while trying to read file"),
    "empty.xlsx": (xlsx_bytes([]), "encountered while trying to read file"),
    "nul.csv": (HEADER + b"\nzhipu-ai,b,B\x00X,2022\n", "Remove the NUL character (U+0000) from this cell."),
    "long.csv": (HEADER + b"\nzhipu-ai,b," + b"x" * 5000 + b",2022\n", "at most 100 characters"),
    "big-id.csv": (HEADER + b",source\nzhipu-ai,b,B,2022,99999999999999999999999\n", "No source has the ID"),
    "big-number.csv": (HEADER + b",amount,currency\nzhipu-ai,b,B,2022,1e400,CNY\n", "no more than 20 digits"),
    "short-row.csv": (HEADER + b"\nzhipu-ai\n", "This field cannot be blank."),
    "broken.json": (b'[{"company": "zhipu-ai", "stage": ', "encountered while trying to read file"),
    "object.json": (b'{"company": "zhipu-ai"}', "encountered while trying to read file"),
    "nested.json": (
        '[{"company": "zhipu-ai", "stage": "b", "label": {"zh": "B轮"}, "announced_on": 2022}]'.encode(),
        "Enter text, not a list or an object.",
    ),
}


@pytest.mark.parametrize("name", list(MALFORMED_FILES))
def test_malformed_files_are_explained_and_write_nothing(admin_client, article, name):
    content, message = MALFORMED_FILES[name]
    before = (FundingRound.objects.count(), Participation.objects.count(), FundingRound.history.count())

    preview = upload(admin_client, FundingRound, name, content)

    assert preview.status_code == 200
    assert preview.context.get("confirm_form") is None
    assert message in html.unescape(preview.content.decode())
    assert "Traceback" not in preview.content.decode(), "staff read why, not the server's traceback"
    assert (
        FundingRound.objects.count(),
        Participation.objects.count(),
        FundingRound.history.count(),
    ) == before
