"""Exchange rates as spreadsheet rows: staff's own rates can be exported and imported like any list."""

from fx.models import ExchangeRate, RateOrigin
from portfolio.resources import PortfolioResource, choice_field, date_field, decimal_field, text_field


class ExchangeRateResource(PortfolioResource):
    """Rates, matched by pair, day and origin."""

    base = text_field("base")
    quote = text_field("quote")
    on = date_field("on")
    rate = decimal_field("rate")
    origin = choice_field("origin", RateOrigin)
    note = text_field("note")

    class Meta:
        model = ExchangeRate
        fields = ("base", "quote", "on", "rate", "origin", "note")
        import_id_fields = ("base", "quote", "on", "origin")
