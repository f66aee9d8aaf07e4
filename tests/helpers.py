"""Assertions shared by the model tests."""

from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction


def assert_database_refuses(row: models.Model) -> None:
    """The database itself rejects `row` (saved without Python validation) and stores nothing."""
    model = type(row)
    before = model.objects.count()
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.bulk_create([row])
    assert model.objects.count() == before


def assert_validation_refuses(row: models.Model, field: str) -> None:
    """Django validation (as the admin and API run it) rejects `row`, naming `field`."""
    with pytest.raises(ValidationError) as error:
        row.full_clean()
    assert field in error.value.message_dict, error.value.message_dict


IMPORT_SAMPLES = Path(__file__).resolve().parent.parent / "fixtures" / "import"


def import_file(resource, content: str | bytes, *, file_name: str = "upload.csv", dry_run: bool = False):
    """Import `content` (CSV or JSON text, or XLSX bytes; the name's extension says which text) as the
    admin's confirm step does: all rows or none."""
    from import_export.formats.base_formats import CSV, JSON, XLSX

    text_format = JSON() if file_name.endswith(".json") else CSV()
    file_format = XLSX() if isinstance(content, bytes) else text_format
    dataset = file_format.create_dataset(content)
    return resource.import_data(
        dataset,
        dry_run=dry_run,
        rollback_on_validation_errors=True,
        file_name=file_name,
        file_format=file_format.get_extension(),
    )


def sample(name: str) -> str | bytes:
    """One of the sample import files in fixtures/import/."""
    path = IMPORT_SAMPLES / name
    return path.read_bytes() if path.suffix == ".xlsx" else path.read_text(encoding="utf-8-sig")


def invalid_cells(result) -> dict[int, dict[str, list[str]]]:
    """The errors of an import, by row number and column, as the preview shows them."""
    return {row.number: row.error_dict for row in result.invalid_rows}


class _FormFields(HTMLParser):
    """The values a browser would submit from the form with the given id."""

    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.data: dict[str, list[str]] = {}
        self.select: str | None = None
        self.select_values: list[str] = []
        self.first_option: str | None = None
        self.option: str | None = None
        self.textarea: str | None = None
        self.text = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button", "file", "image"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.data.setdefault(name, []).append(
                attrs.get("value", "on" if attrs.get("type") == "checkbox" else "")
            )
        elif tag == "select" and name:
            self.select, self.select_values, self.first_option = name, [], None
        elif tag == "option" and self.select is not None:
            value = attrs.get("value", "")
            self.first_option = value if self.first_option is None else self.first_option
            if "selected" in attrs:
                self.select_values.append(value)
        elif tag == "textarea" and name:
            self.textarea, self.text = name, ""

    def handle_data(self, data):
        if self.textarea is not None:
            self.text += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self.select is not None:
            values = self.select_values or ([self.first_option] if self.first_option is not None else [])
            self.data.setdefault(self.select, []).extend(values)
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            self.data.setdefault(self.textarea, []).append(self.text.removeprefix("\n"))
            self.textarea = None


def form_data(response, form_id: str) -> dict[str, str | list[str]]:
    """What submitting the rendered form `form_id` unchanged would send, as the test client takes it."""
    parser = _FormFields(form_id)
    parser.feed(response.content.decode())
    return {name: values[0] if len(values) == 1 else values for name, values in parser.data.items()}


def queries_of_a_get(client, url: str, params: dict | None = None) -> int:
    """How many queries one successful GET runs (its body read to the end)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
        assert response.status_code == 200, response.status_code
        b"".join(response.streaming_content) if response.streaming else response.content
    return len(queries)
