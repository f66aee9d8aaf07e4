"""Assertions shared by the model tests."""

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
