"""Serializer fields that take exactly the JSON type the schema documents, and nothing looser.

DRF by default turns 5 into "5" for a text field and "yes" into True for a boolean; a
client that sends the wrong type has a bug, and telling it so beats guessing. Decimals
(money above all) travel as strings, so no float ever touches an amount.
"""

import re

from django.utils.translation import gettext_lazy as _
from django_countries.serializer_fields import CountryField
from rest_framework import serializers

from portfolio.values import MAX_ID, is_iso_date


class StringOnlyMixin:
    """Refuses anything but a JSON string."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            raise serializers.ValidationError(_("Not a valid string."), code="invalid")
        return super().to_internal_value(data)


class StrictCharField(StringOnlyMixin, serializers.CharField):
    """Text kept as sent: trimming would make the length the schema checks differ from the one stored."""

    def __init__(self, **kwargs):
        kwargs.setdefault("trim_whitespace", False)
        super().__init__(**kwargs)


class StrictSlugField(StringOnlyMixin, serializers.SlugField):
    pass


class StrictURLField(StringOnlyMixin, serializers.CharField):
    """A web address; the model's own validator checks it, against the pattern the schema documents."""

    @property
    def pattern(self) -> str:
        from portfolio.models import WEB_ADDRESS_PATTERN

        return WEB_ADDRESS_PATTERN


class StrictChoiceField(StringOnlyMixin, serializers.ChoiceField):
    pass


class EmptyStringIsInvalidMixin:
    """ "" is not a number, a date or an id; only null means "unknown" (where null is allowed)."""

    def validate_empty_values(self, data):
        if isinstance(data, str) and data == "":
            raise serializers.ValidationError(
                _("Give a value, or null where the field allows it."), code="invalid"
            )
        return super().validate_empty_values(data)


class StrictBooleanField(EmptyStringIsInvalidMixin, serializers.BooleanField):
    def to_internal_value(self, data):
        if not isinstance(data, bool):
            raise serializers.ValidationError(_("Must be true or false."), code="invalid")
        return data


class StrictDateField(EmptyStringIsInvalidMixin, serializers.DateField):
    def to_internal_value(self, data):
        if not isinstance(data, str) or not is_iso_date(data):
            raise serializers.ValidationError(_("Give the date as YYYY-MM-DD."), code="invalid")
        return super().to_internal_value(data)


# Upper bounds a decimal's pattern can state (`ownership_after` is at most 100).
POWERS_OF_TEN = frozenset(10**k for k in range(1, 16))


class StrictDecimalField(EmptyStringIsInvalidMixin, serializers.DecimalField):
    """A decimal given as a string of digits, at most `max_digits` long with `decimal_places` decimals."""

    @property
    def pattern(self) -> str:
        """The one spelling accepted, documented in the schema too; positive fields exclude zero."""
        whole, places = self.max_digits - self.decimal_places, self.decimal_places
        if self.min_value is not None and self.min_value > 0:
            fraction = "|".join(f"{'0' * i}[1-9]\\d{{0,{places - 1 - i}}}" for i in range(places))
            return rf"^(?:[1-9]\d{{0,{whole - 1}}}(?:\.\d{{0,{places}}})?|0?\.(?:{fraction}))$"
        sign = "" if self.min_value is not None and self.min_value >= 0 else "-?"
        if sign == "" and self.max_value is not None and self.max_value in POWERS_OF_TEN:
            # At most a power of ten (a percentage's 100): fewer whole digits, or exactly the bound.
            digits = len(str(int(self.max_value))) - 1
            bound = rf"{int(self.max_value)}(?:\.0{{0,{places}}})?"
            return rf"^(?:{bound}|\d{{1,{digits}}}(?:\.\d{{0,{places}}})?|\.\d{{1,{places}}})$"
        return rf"^{sign}(?:\d{{1,{whole}}}(?:\.\d{{0,{places}}})?|\.\d{{1,{places}}})$"

    def to_internal_value(self, data):
        if not isinstance(data, str):
            raise serializers.ValidationError(
                _('Give decimal numbers as strings, e.g. "1500000.00".'), code="invalid"
            )
        if not re.fullmatch(self.pattern, data):
            if data.startswith("-") and "-" not in self.pattern:
                raise serializers.ValidationError(_("Must not be negative."), code="min_value")
            raise serializers.ValidationError(
                _("Give a number with at most %(whole)d digits before the point and %(places)d after.")
                % {"whole": self.max_digits - self.decimal_places, "places": self.decimal_places},
                code="invalid",
            )
        return super().to_internal_value(data)


class StrictPrimaryKeyRelatedField(EmptyStringIsInvalidMixin, serializers.PrimaryKeyRelatedField):
    """An id: a positive 64-bit integer, never a string of digits, and never "" for null."""

    def run_validation(self, data=serializers.empty):
        if isinstance(data, str) and data == "":
            raise serializers.ValidationError(_("Give an id, or null where allowed."), code="invalid")
        return super().run_validation(data)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if not 1 <= data <= MAX_ID:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)


class StrictSlugRelatedField(StringOnlyMixin, serializers.SlugRelatedField):
    pass


class StrictListField(serializers.ListField):
    def to_internal_value(self, data):
        if not isinstance(data, list):
            self.fail("not_a_list", input_type=type(data).__name__)
        return super().to_internal_value(data)


class StrictCountryField(StringOnlyMixin, CountryField):
    """An ISO 3166-1 alpha-2 code, or "" when unknown."""
