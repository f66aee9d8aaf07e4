"""Admin form fields that take dates and amounts as staff write them.

A partial date is one input: `2023`, `2023-07`, `2023-07-28`, `2023年7月` or `2023年7月28日`;
what is written sets the precision, and the input shows the date at its precision again. An
amount takes `1,500,000`, `1.5亿` or `3000万` and shows its digits grouped.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from portfolio.dates import format_partial_date, parse_partial_date

# Chinese units of large amounts: 万 is ten thousand, 亿 a hundred million.
CHINESE_UNITS = {"万": Decimal(10_000), "亿": Decimal(100_000_000)}
# Digits, grouped by threes with commas or not, then decimals and a unit, both optional.
AMOUNT_PATTERN = re.compile(r"^(?P<number>(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+)(?P<unit>[万亿])?$")


class PartialDateFormField(forms.CharField):
    """One input for a date known to the year, month or day; cleans to (date, precision)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"size": 12, "placeholder": "2023-07"}))
        kwargs.setdefault("help_text", _("2023, 2023-07 or 2023-07-28 (or 2023年7月): as much as is known."))
        super().__init__(**kwargs)

    def to_python(self, value):
        text = super().to_python(value)
        if not text:
            return None, None
        try:
            return parse_partial_date(text)
        except ValueError as error:
            raise forms.ValidationError(str(error), code="invalid") from None

    def has_changed(self, initial, data) -> bool:
        try:
            return self.to_python(initial) != self.to_python(data)
        except forms.ValidationError:
            return True

    @staticmethod
    def display(date, precision) -> str:
        return format_partial_date(date, precision)


class AmountWidget(forms.TextInput):
    """A text input (a number input refuses separators) that shows the digits grouped."""

    def format_value(self, value):
        if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
            return f"{Decimal(value):,}"
        return super().format_value(value)


class AmountFormField(forms.DecimalField):
    """A decimal typed with thousands separators or a Chinese unit: 1,500,000 · 1.5亿 · 3000万."""

    widget = AmountWidget

    def to_python(self, value):
        if isinstance(value, str):
            text = value.strip().replace("\uff0c", ",").replace(" ", "")  # a full-width comma too
            match = AMOUNT_PATTERN.match(text)
            if match:
                try:
                    number = Decimal(match["number"].replace(",", ""))
                except InvalidOperation:
                    raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
                value = str(number * CHINESE_UNITS.get(match["unit"] or "", Decimal(1)))
        return super().to_python(value)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.pop("step", None)  # a text input takes no step
        attrs.setdefault("inputmode", "decimal")
        return attrs
