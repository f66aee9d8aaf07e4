"""The small shared rules: ids, yes/no, ISO dates and "English (中文)" labels read one way everywhere."""

import pytest

from portfolio.values import (
    MAX_ID,
    is_iso_date,
    is_record_id,
    named_label,
    parse_named_label,
    parse_yes_no,
)


@pytest.mark.parametrize(
    ("text", "expected"), [("1", True), ("9" * 18, True), ("9" * 19, False), ("1a", False)]
)
def test_a_record_id_is_at_most_18_digits_so_it_fits_64_bits(text, expected):
    assert is_record_id(text) is expected
    assert int("9" * 18) < MAX_ID


@pytest.mark.parametrize("word", ["yes", "TRUE", "1", "y", "x", "是", 1, 1.0, True])
def test_yes(word):
    assert parse_yes_no(word) is True


@pytest.mark.parametrize("word", ["no", "False", "0", "n", "否", 0, False])
def test_no(word):
    assert parse_yes_no(word) is False


@pytest.mark.parametrize("word", ["maybe", "", "2"])
def test_anything_else_is_neither(word):
    with pytest.raises(ValueError):
        parse_yes_no(word)


def test_iso_dates():
    assert is_iso_date("2026-01-08") and not is_iso_date("2026-1-8") and not is_iso_date("2026-01-08T00")


def test_a_label_reads_back_as_the_names_it_was_made_of():
    label = named_label("Fortune Capital", "达晨财智")
    assert label == "Fortune Capital (达晨财智)"
    assert parse_named_label(label) == ("Fortune Capital", "达晨财智")
    assert named_label("Fortune Capital", "") == "Fortune Capital"
    assert parse_named_label("Fortune Capital") is None
