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

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from rest_framework.exceptions import ValidationError

from portfolio.database import long_work, read_in_long_work
from portfolio.spreadsheets import formula_escape
from portfolio.xlsx import write_workbook

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


def xlsx_file(header: list[str], rows: Iterable[dict], *, title: str):
    """A workbook (`portfolio.xlsx`, written row by row) in a temporary file; its sheet is named after
    the list and the day, as the file is."""
    output = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it when sent
    write_workbook(
        output,
        title=f"{title[:20]} {timezone.localdate().isoformat()}",
        header=header,
        rows=([row.get(column) for column in header] for row in rows),
    )
    output.seek(0)
    return output


def json_chunks(header: list[str], rows: Iterable[dict]) -> Iterator[str]:
    """A JSON array of the rows, each an object with the header's columns in order."""
    yield "["
    for index, row in enumerate(rows):
        item = {column: row.get(column) for column in header}
        yield ("," if index else "") + "\n" + json.dumps(item, cls=DjangoJSONEncoder, ensure_ascii=False)
    yield "\n]\n"


def copy_csv_chunks(header: list[str], query: tuple[str, tuple], using: str = "default") -> Iterator[bytes]:
    """The CSV of an export written by PostgreSQL itself (`COPY (query) TO STDOUT`), byte for byte what
    `csv_lines` writes for the same rows: the query gives each cell as text (`PortfolioResource.copy_query`)
    and COPY quotes as Python's csv module does. COPY ends a row with LF where the csv module writes
    CRLF; each piece COPY sends is one row, so its last byte is the row's end. The rows are read in
    one long transaction, as `read_in_long_work` reads those of other exports."""
    yield "\ufeff".encode() + csv_lines(header, []).__next__()[1:].encode()
    sql, params = query
    with long_work(using):
        connection = connections[using]
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)", params) as copy,
        ):
            buffer = bytearray()
            for row in copy:
                buffer += row[:-1]
                buffer += b"\r\n"
                if len(buffer) >= CHUNK_SIZE:
                    yield bytes(buffer)
                    buffer.clear()
            if buffer:
                yield bytes(buffer)


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


def copy_csv_response(*, basename: str, header: list[str], query: tuple[str, tuple]) -> StreamingHttpResponse:
    """The download of a CSV export that PostgreSQL writes (`copy_csv_chunks`)."""
    response = StreamingHttpResponse(copy_csv_chunks(header, query), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition(basename, CSV)
    return response
