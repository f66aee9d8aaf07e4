"""Admin for exchange rates: the ECB's are loaded by `manage.py load_fx_rates`; staff add their own."""

from django.contrib import admin

from fx.models import ExchangeRate
from fx.resources import ExchangeRateResource
from portfolio.admin import TIMESTAMPS_FIELDSET, CurrencyFilter, PortfolioImportAdmin


@admin.register(ExchangeRate)
class ExchangeRateAdmin(PortfolioImportAdmin):
    """A rate staff add (a currency or day the ECB lacks, or a deal's own rate) wins over the ECB's on
    its day; an ECB rate is corrected by adding a staff rate for the same pair and day."""

    resource_classes = [ExchangeRateResource]
    list_display = ("on", "base", "quote", "rate", "origin", "note")
    list_filter = ("origin", ("quote", CurrencyFilter), ("base", CurrencyFilter))
    search_fields = ("base", "quote", "note")
    # No year drill-down: listing the years of some 190,000 rates took a third of a second a page.
    fieldsets = (
        (None, {"fields": (("base", "quote"), ("on", "rate"), "origin", "note")}),
        TIMESTAMPS_FIELDSET,
    )

    def get_readonly_fields(self, request, obj=None):
        """The ECB's rates are read as published; staff override one by adding their own."""
        readonly = super().get_readonly_fields(request, obj)
        if obj is not None and obj.origin != "staff":
            return (*readonly, "base", "quote", "on", "rate", "origin")
        return readonly
