"""`manage.py import_spreadsheet`: the admin's import, for files of any size, from the command line."""

import io
import json

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from companies.models import Company
from portfolio.api.exports import csv_lines
from rounds.models import FundingRound
from rounds.resources import FundingRoundResource

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_spreadsheet", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def rounds_file(tmp_path, name: str = "rounds.csv", **changes) -> str:
    resource = FundingRoundResource()
    header = resource.export_header()
    rows = [{**row, **changes} for row in resource.export_rows(FundingRound.objects.all())]
    path = tmp_path / name
    if name.endswith(".json"):
        path.write_text(json.dumps(rows, default=str), encoding="utf-8")
    elif name.endswith(".xlsx"):
        workbook = openpyxl.Workbook()
        workbook.active.append(header)
        for row in rows:
            workbook.active.append([row[column] for column in header])
        workbook.save(path)
    else:
        path.write_text("".join(csv_lines(header, rows)), encoding="utf-8")
    return str(path)


def test_a_dry_run_reports_and_writes_nothing(article, tmp_path):
    out, _err = run(rounds_file(tmp_path, notes="Changed by the file"), "--model", "rounds", "--dry-run")
    assert "1 rows into rounds (dry run)" in out
    assert "checked, nothing written: 1 update" in out
    assert FundingRound.objects.get().notes != "Changed by the file"


@pytest.mark.parametrize("name", ["rounds.csv", "rounds.xlsx", "rounds.json"])
def test_an_import_writes_with_history_naming_the_file_and_the_author(article, tmp_path, admin_user, name):
    out, _err = run(
        rounds_file(tmp_path, name, notes="Changed by the file"), "--model", "rounds", "--user", "admin"
    )
    assert "imported: 1 update" in out
    funding_round = FundingRound.objects.get()
    assert funding_round.notes == "Changed by the file"
    latest = funding_round.history.latest("history_id")
    assert (latest.history_change_reason, latest.history_user) == (f"Imported from {name}", admin_user)


def test_an_invalid_file_lists_its_rows_and_writes_nothing(article, tmp_path):
    path = rounds_file(tmp_path, stage="Series Z", currency="XXX", amount="12")
    with pytest.raises(CommandError, match="Nothing was imported: 1 rows are invalid"):
        run(path, "--model", "rounds")
    assert FundingRound.objects.get().stage == "a"


def test_progress_is_printed_as_rows_are_checked(db, tmp_path):
    path = tmp_path / "companies.csv"
    header = ["slug", "name_en", "name_zh", "status", "country"]
    rows = [
        {"slug": f"c-{n}", "name_en": f"C {n}", "name_zh": f"公司{n}", "status": "private", "country": "CN"}
        for n in range(250)
    ]
    path.write_text("".join(csv_lines(header, rows)), encoding="utf-8")

    out, _err = run(str(path), "--model", "companies", "--progress", "100")

    assert (
        "100 / 250 rows checked" in out
        and "200 / 250 rows checked" in out
        and "250 / 250 rows checked" in out
    )
    assert "imported: 250 new" in out
    assert Company.objects.count() == 250


def test_a_file_of_unknown_kind_is_refused(db, tmp_path):
    path = tmp_path / "rounds.txt"
    path.write_text("x")
    with pytest.raises(CommandError, match="Give --format"):
        run(str(path), "--model", "rounds")
    with pytest.raises(CommandError, match="No file at"):
        run(str(tmp_path / "missing.csv"), "--model", "rounds")
