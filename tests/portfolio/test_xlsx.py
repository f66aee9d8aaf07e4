"""The streaming XLSX writer (`portfolio.xlsx`): typed cells that spreadsheet programs and openpyxl read."""

import datetime
import io
from decimal import Decimal

import openpyxl

from portfolio.xlsx import write_workbook


def written(rows, *, title="rounds 2026-11-30", header=("a", "b", "c", "d", "e", "f", "g")):
    output = io.BytesIO()
    write_workbook(output, title=title, header=header, rows=rows)
    output.seek(0)
    return openpyxl.load_workbook(output)


def test_cells_keep_their_types_and_text_is_never_a_formula():
    moment = datetime.datetime(2026, 1, 8, 9, 30, tzinfo=datetime.UTC)
    row = ["=1+1", Decimal("1500000.25"), datetime.date(2021, 7, 28), True, None, 42, moment]
    sheet = written([row]).active
    header, values = list(sheet.iter_rows(values_only=True))
    assert header == ("a", "b", "c", "d", "e", "f", "g")
    assert values[:6] == ("=1+1", 1500000.25, datetime.datetime(2021, 7, 28), True, None, 42)
    assert values[6] == datetime.datetime(2026, 1, 8, 17, 30)  # in the project's time zone
    cells = list(sheet.iter_rows())
    assert cells[1][0].data_type == "s"
    assert (cells[1][1].number_format, cells[1][2].number_format) == ("#,##0.####", "yyyy-mm-dd")
    assert cells[0][0].font.b


def test_text_is_escaped_and_loses_what_xlsx_cannot_hold():
    texts = ["<b>&amp;</b> \"quoted\" 'single'", "控\x01制\x1f字符", "  spaces kept  ", "line\nbreak"]
    sheet = written([texts], header=("a", "b", "c", "d")).active
    assert next(sheet.iter_rows(min_row=2, values_only=True)) == (
        "<b>&amp;</b> \"quoted\" 'single'",
        "控制字符",
        "  spaces kept  ",
        "line\nbreak",
    )


def test_the_sheet_is_named_within_excels_rules_and_rows_stream():
    book = written(
        ([index, str(index)] for index in range(2500)), title="a/b?c*d[e]f:g " * 4, header=("n", "s")
    )
    sheet = book.active
    assert len(sheet.title) <= 31 and not set(sheet.title) & set("/?*[]:")
    assert sheet.max_row == 2501 and sheet.cell(2501, 2).value == "2499"
