"""Assertions shared by the model tests."""

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
    """Import `content` (CSV text or XLSX bytes) as the admin's confirm step does: all rows or none."""
    from import_export.formats.base_formats import CSV, XLSX

    file_format = XLSX() if isinstance(content, bytes) else CSV()
    dataset = file_format.create_dataset(content)
    return resource.import_data(
        dataset, dry_run=dry_run, rollback_on_validation_errors=True, file_name=file_name
    )


def sample(name: str) -> str | bytes:
    """One of the sample import files in fixtures/import/."""
    path = IMPORT_SAMPLES / name
    return path.read_bytes() if path.suffix == ".xlsx" else path.read_text(encoding="utf-8-sig")


def invalid_cells(result) -> dict[int, dict[str, list[str]]]:
    """The errors of an import, by row number and column, as the preview shows them."""
    return {row.number: row.error_dict for row in result.invalid_rows}
