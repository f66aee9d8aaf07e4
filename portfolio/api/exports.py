"""Exports: rows rendered to CSV, XLSX or JSON by one writer, streamed so memory stays flat.

A list's import resource supplies the header and an iterator of flat rows (dicts keyed by its
columns, values of plain Python types); every format writes the same columns, so each export is
a file the list's import reads back. JSON writes each row as an object in the header's order,
with text as it is (JSON runs no formulas), dates in ISO 8601 and amounts as decimal strings.
"""

import csv
import datetime
import json
import tempfile
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from rest_framework.exceptions import ValidationError

from portfolio.database import read_in_long_work
from portfolio.spreadsheets import formula_escape

CSV, XLSX, JSON = "csv", "xlsx", "json"
MEDIA_TYPES = {
    CSV: "text/csv",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    JSON: "application/json",
}
EXPORT_FORMATS = tuple(MEDIA_TYPES)
CHUNK_SIZE = 64 * 1024


def accepted_export_format(request) -> str | None:
    """CSV or XLSX when the Accept header asks for it; JSON by Accept is the ordinary paginated API."""
    accept = request.META.get("HTTP_ACCEPT", "")
    return next((fmt for fmt in (CSV, XLSX) if MEDIA_TYPES[fmt] in accept), None)


def requested_export_format(request) -> str | None:
    """The export asked for by `format=` (which wins) or the Accept header, or None for no export."""
    requested = request.query_params.get("format")
    if requested is None:
        return accepted_export_format(request)
    if requested not in EXPORT_FORMATS:
        raise ValidationError({"format": [_("Choose one of: %s.") % ", ".join(EXPORT_FORMATS)]})
    return requested


def content_disposition(basename: str, export_format: str) -> str:
    stamp = timezone.localdate().isoformat()
    return f'attachment; filename="{basename}-{stamp}.{export_format}"'


def spreadsheet_safe(text: str) -> str:
    """Text a spreadsheet shows but never runs (`portfolio.spreadsheets`), without the control
    characters XLSX cannot hold."""
    return formula_escape(ILLEGAL_CHARACTERS_RE.sub("", text))


class _Echo:
    """A file-like object whose write returns the line, so csv.writer can feed a generator."""

    def write(self, value: str) -> str:
        return value


def csv_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, str):
        return spreadsheet_safe(value)
    return str(value)


def csv_lines(header: list[str], rows: Iterable[dict]) -> Iterator[str]:
    """UTF-8 with a byte-order mark, so Excel opens Chinese text intact."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(header)
    for row in rows:
        yield writer.writerow([csv_text(row.get(column)) for column in header])


def xlsx_cell(sheet, value):
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
        cell.data_type = "s"  # text, even when it starts with "=": never a formula
        return cell
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, datetime.datetime):
        cell.number_format = "yyyy-mm-dd hh:mm:ss"
    elif isinstance(value, datetime.date):
        cell.number_format = "yyyy-mm-dd"
    elif isinstance(value, Decimal):
        cell.number_format = "#,##0.####"
    return cell


def xlsx_file(header: list[str], rows: Iterable[dict], *, title: str):
    """A workbook in write-only mode (rows go to disk as they come), in a temporary file; its sheet is
    named after the list and the day, as the file is."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=f"{title[:20]} {timezone.localdate().isoformat()}")
    bold = Font(bold=True)
    header_cells = []
    for column in header:
        cell = WriteOnlyCell(sheet, value=column)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append([xlsx_cell(sheet, row.get(column)) for column in header])
    output = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it when sent
    workbook.save(output)
    output.seek(0)
    return output


def json_chunks(header: list[str], rows: Iterable[dict]) -> Iterator[str]:
    """A JSON array of the rows, each an object with the header's columns in order."""
    yield "["
    for index, row in enumerate(rows):
        item = {column: row.get(column) for column in header}
        yield ("," if index else "") + "\n" + json.dumps(item, cls=DjangoJSONEncoder, ensure_ascii=False)
    yield "\n]\n"


def export_response(export_format: str, *, basename: str, header: list[str], rows: Iterable[dict]):
    """The download of one export, streamed, its rows read in one long transaction."""
    disposition = content_disposition(basename, export_format)
    rows = read_in_long_work(rows)
    if export_format == XLSX:
        response = FileResponse(xlsx_file(header, rows, title=basename), content_type=MEDIA_TYPES[XLSX])
    elif export_format == CSV:
        response = StreamingHttpResponse(csv_lines(header, rows), content_type="text/csv; charset=utf-8")
    else:
        response = StreamingHttpResponse(json_chunks(header, rows), content_type="application/json")
    response["Content-Disposition"] = disposition
    return response
