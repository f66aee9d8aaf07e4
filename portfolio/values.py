"""Small rules several parts of the project share, each written once: ids, yes/no, ISO dates, labels.

The API, the filters, the admin and the spreadsheet import all read and write these values;
each reads them through here so that they can never disagree.
"""

from __future__ import annotations

import re

# The apps whose records are the portfolio (versions, history, the change log, the roles).
PORTFOLIO_APPS = ("companies", "rounds", "fx")

# Record ids are positive 64-bit integers: at most 18 digits keeps every one below the limit.
MAX_ID = 2**63 - 1
ID_DIGITS = 18
ID_PATTERN = rf"[0-9]{{1,{ID_DIGITS}}}"


def is_record_id(text: str) -> bool:
    """Whether text can name a record by id (digits only, short enough for a 64-bit id)."""
    return re.fullmatch(ID_PATTERN, text) is not None


# Yes and no, as a query string, a spreadsheet cell or a person writes them.
YES = frozenset({"1", "true", "yes", "y", "x", "是"})
NO = frozenset({"0", "false", "no", "n", "否"})


def parse_yes_no(value: object) -> bool:
    """True or False from a yes/no word (case aside); ValueError for anything else."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and float(value).is_integer():
        value = int(value)
    text = str(value).strip().casefold()
    if text in YES:
        return True
    if text in NO:
        return False
    raise ValueError(text)


# A date as ISO 8601 writes it, YYYY-MM-DD.
ISO_DATE_PATTERN = r"\d{4}-\d{2}-\d{2}"


def is_iso_date(text: str) -> bool:
    return re.fullmatch(ISO_DATE_PATTERN, text) is not None


# A company or investor as people name it: "English name (中文名)", or the English name alone.
NAMED_LABEL = re.compile(r"^(?P<english>.+?) \((?P<chinese>[^()]+)\)$")


def named_label(name_en: str, name_zh: str) -> str:
    return f"{name_en} ({name_zh})" if name_zh else name_en


def parse_named_label(text: str) -> tuple[str, str] | None:
    """The English and Chinese names of an "English (中文)" label, or None when it is not one."""
    match = NAMED_LABEL.match(text)
    return (match["english"], match["chinese"]) if match else None
