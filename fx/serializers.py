"""Amounts in the reporting currency as the API shows them: the amount, the rate and rate date used, or
null with the reason."""

from collections.abc import Callable
from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from fx.rates import RateBook, conversion_date


class ConvertedAmountSerializer(serializers.Serializer):
    """An amount in the reporting currency with the rate and rate date used, or null with the reason."""

    amount = serializers.DecimalField(max_digits=30, decimal_places=2, allow_null=True)
    currency = serializers.CharField()
    rate = serializers.DecimalField(
        max_digits=40, decimal_places=12, allow_null=True, normalize_output=True, coerce_to_string=True
    )
    rate_date = serializers.DateField(allow_null=True)
    rate_origin = serializers.ChoiceField(choices=["", "ecb", "staff"])
    reason = serializers.CharField()


def rate_book(context: dict) -> RateBook:
    """One rate book per response, shared by every field of every record in it."""
    return context.setdefault("rate_book", RateBook())


@extend_schema_field(ConvertedAmountSerializer)
class ConvertedAmountField(serializers.Field):
    """A record's amount also in the reporting currency, at the rate of the record's date (the period's
    end for a partial date): read only, computed from the amount, its currency and that date."""

    def __init__(
        self,
        *,
        amount: str,
        currency: str,
        dated: Callable[[object], tuple],
        places: Decimal = Decimal("0.01"),
        money_only_with_currency: bool = False,
        **kwargs,
    ) -> None:
        self.amount_attribute, self.currency_attribute = amount, currency
        self.dated, self.places = dated, places
        # A value that is money only when it has a currency (a KPI's) is null without one.
        self.money_only_with_currency = money_only_with_currency
        if money_only_with_currency:
            kwargs.setdefault("allow_null", True)
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, instance) -> dict | None:
        if self.money_only_with_currency and not getattr(instance, self.currency_attribute):
            return None
        day, precision = self.dated(instance)
        converted = rate_book(self.context).convert(
            getattr(instance, self.amount_attribute),
            getattr(instance, self.currency_attribute),
            conversion_date(day, precision),
            places=self.places,
        )
        return converted.as_dict(places=self.places)
