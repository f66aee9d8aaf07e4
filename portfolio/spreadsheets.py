"""The spreadsheet rule every export and import shares: how text that looks like a formula is kept as text.

A CSV cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is run as a formula
by spreadsheet programs. Exports write such text, and text starting with an apostrophe, with
one more apostrophe in front ("'=1+1"), the mark spreadsheet programs themselves use for
"this is text". Importing a CSV file takes one leading apostrophe off again where what
follows starts with one of those characters or another apostrophe, so every text survives an
export and an import unchanged. XLSX cells are typed: text is stored as text and never run, so
it is written as it is.
"""

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
TEXT_MARK = "'"


def formula_escape(text: str) -> str:
    return TEXT_MARK + text if text.startswith((*FORMULA_TRIGGERS, TEXT_MARK)) else text


def formula_unescape(text: str) -> str:
    if text.startswith(TEXT_MARK) and text[1:].startswith((*FORMULA_TRIGGERS, TEXT_MARK)):
        return text[1:]
    return text
