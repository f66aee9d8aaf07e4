"""Template tags of the project's admin pages."""

from django import template
from django.contrib.admin.templatetags.admin_list import date_hierarchy

from portfolio import resources
from portfolio.date_hierarchy import partial_date_field, partial_date_hierarchy

register = template.Library()


@register.inclusion_tag("admin/date_hierarchy.html")
def portfolio_date_hierarchy(cl) -> dict:
    """Django's date drill-down, or for a partial date the one that keeps each record at its precision."""
    return partial_date_hierarchy(cl) if partial_date_field(cl) else date_hierarchy(cl)


@register.simple_tag
def first_rows(rows) -> dict:
    """The rows an import's page lists (the first `PREVIEW_ROWS`), and how many more it only counts."""
    rows = list(rows)
    return {"shown": rows[: resources.PREVIEW_ROWS], "more": max(0, len(rows) - resources.PREVIEW_ROWS)}


@register.filter
def amount(value) -> str:
    """A money figure with thousands separators and cents: 8,666,666.67."""
    return "" if value is None else f"{value:,.2f}"


@register.filter
def percent(value, places: int = 2) -> str:
    """A fraction as a percentage: 0.024812 is 2.48%."""
    return "" if value is None else f"{value * 100:,.{places}f}%"


@register.filter
def multiple(value) -> str:
    """A multiple of the money invested: 1.07x, as investors write it."""
    return "" if value is None else f"{value}x"


@register.inclusion_tag("admin/figure.html")
def figure(value, reason: str, display: str = "") -> dict:
    """A computed figure, or "unknown" with the reason it cannot be known; never a zero in its place."""
    return {"known": value is not None, "display": display, "reason": reason}
