"""Factories for the fx app's models."""

import datetime
from decimal import Decimal

import factory

from fx.models import ExchangeRate, RateOrigin


class ExchangeRateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExchangeRate

    base = "EUR"
    quote = "USD"
    on = factory.Sequence(lambda n: datetime.date(2020, 1, 1) + datetime.timedelta(days=n))
    rate = Decimal("1.1")
    origin = RateOrigin.ECB
