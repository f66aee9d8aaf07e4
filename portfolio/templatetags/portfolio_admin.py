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
