"""What the admin shows of the firm's positions: the overview on its home page and the position on a
company's page, with the data of their charts. Every chart's figures are also in a table beside it."""

from __future__ import annotations

import datetime
from decimal import Decimal
from urllib.parse import urlencode

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from companies.models import Company, Metric
from companies.services import company_kpi_series
from fx.rates import reporting_currency
from rounds.filters import PositionFilterSet
from rounds.models import FundingRound, Listing, Participation, ValuationMark
from rounds.positions import (
    Position,
    portfolio_totals,
    positions_as_of,
    positions_ordered,
)
from rounds.services import company_round_history

# Reading a position needs the view permission of every model it is computed from.
POSITION_PERMISSIONS = tuple(
    f"{model._meta.app_label}.view_{model._meta.model_name}"
    for model in (Company, FundingRound, Participation, Listing, ValuationMark)
)
EXPORT_PERMISSIONS = tuple(permission.replace(".view_", ".export_") for permission in POSITION_PERMISSIONS)

# The overview's columns a reader can sort by, and the ordering each asks the positions for.
SORTABLE_COLUMNS = ("company", "entry", "cost", "value", "moic", "irr")


def number(value: Decimal | None) -> float | None:
    """A figure for a chart: a float is precise enough to draw, and null leaves a gap."""
    return None if value is None else float(value)


def cost_and_value_chart(positions: list[Position]) -> dict:
    """Cost against value per company, as a bar chart."""
    return {
        "type": "bar",
        "currency": reporting_currency(),
        "labels": [str(p.company) for p in positions],
        "datasets": [
            {"label": _("Cost"), "data": [number(p.cost.amount) for p in positions]},
            {"label": pgettext("position", "Value"), "data": [number(p.value.amount) for p in positions]},
        ],
    }


def invested_over_time(positions: list[Position]) -> list[dict]:
    """Every investment of the firm, oldest first, with the known cost invested up to it. An investment
    of unknown cost or date is listed with the reason and left out of the running total, which the
    page says counts known amounts only."""
    investments = sorted(
        ((p, i) for p in positions for i in p.investments),
        key=lambda pair: (pair[1].dated_on is None, pair[1].dated_on or datetime.date.max),
    )
    rows, total = [], Decimal(0)
    for position, investment in investments:
        counted = investment.cost.amount is not None and investment.dated_on is not None
        if counted:
            total += investment.cost.amount
        rows.append({"position": position, "investment": investment, "counted": counted, "cumulative": total})
    return rows


def invested_chart(rows: list[dict]) -> dict:
    """The firm's invested cost over time (known amounts), as a stepped line of its running total."""
    counted = [row for row in rows if row["counted"]]
    return {
        "type": "line",
        "stepped": True,
        "currency": reporting_currency(),
        "labels": [row["investment"].dated_on.isoformat() for row in counted],
        "datasets": [{"label": _("Invested cost"), "data": [number(row["cumulative"]) for row in counted]}],
    }


def sort_links(request: HttpRequest, ordering: str) -> dict[str, dict]:
    """Per sortable column: the URL that sorts by it (or reverses it) and its current direction."""
    links = {}
    for column in SORTABLE_COLUMNS:
        query = request.GET.copy()
        query["ordering"] = f"-{column}" if ordering == column else column
        direction = "ascending" if ordering == column else "descending" if ordering == f"-{column}" else ""
        links[column] = {"url": "?" + query.urlencode(), "direction": direction}
    return links


def overview_context(request: HttpRequest) -> dict:
    """The home page's overview: positions as of the chosen day, filtered and sorted as asked."""
    filterset = PositionFilterSet(request.GET or None, queryset=Company.objects.all())
    valid = filterset.is_valid() if request.GET else True
    cleaned = filterset.form.cleaned_data if request.GET and valid else {}
    as_of = cleaned.get("as_of") or timezone.localdate()
    ordering = cleaned.get("ordering") or "company"
    companies = filterset.qs if request.GET and valid else Company.objects.all()
    positions = positions_ordered(positions_as_of(as_of=as_of, companies=companies), ordering)
    invested = invested_over_time(positions)
    # The exports ask the API for what the page shows: the same filters, as of the same day.
    shown = {name: value for name, value in request.GET.items() if value} if valid else {}
    export_query = {**shown, "as_of": as_of.isoformat()}
    can_export = request.user.has_perms(EXPORT_PERMISSIONS)
    return {
        "overview": {
            "as_of": as_of,
            "currency": reporting_currency(),
            "form": filterset.form,
            "errors": not valid,
            "positions": positions,
            "totals": portfolio_totals(positions),
            "sort": sort_links(request, ordering),
            "invested": invested,
            "invested_uncounted": sum(1 for row in invested if not row["counted"]),
            "charts": {
                "cost_and_value": cost_and_value_chart(positions),
                "invested": invested_chart(invested),
            },
            "exports": [
                (label, reverse("api:portfolio") + "?" + urlencode({**export_query, "format": fmt}))
                for label, fmt in (("CSV", "csv"), ("Excel", "xlsx"), ("JSON", "json"))
            ]
            if can_export
            else [],
        }
    }


def kpi_charts(company: Company) -> list[dict]:
    """Each of the company's metrics over time, as a line chart, with its points for the table."""
    charts = []
    for series in company_kpi_series(company=company):
        plotted = [kpi for kpi in series.points if kpi.period_end or kpi.period_start]
        charts.append(
            {
                "metric": series.metric,
                "json_id": f"kpi-data-{series.metric.code}",
                "name": metric_name(series.metric),
                "points": series.points,
                "data": {
                    "type": "line",
                    "unit": series.metric.unit,
                    "labels": [kpi.period[1] for kpi in plotted],
                    "datasets": [
                        {"label": metric_name(series.metric), "data": [number(kpi.value) for kpi in plotted]}
                    ],
                },
            }
        )
    return charts


def metric_name(metric: Metric) -> str:
    """The metric in the reader's language."""
    from django.utils.translation import get_language

    if (get_language() or "").startswith("zh") and metric.name_zh:
        return metric.name_zh
    return metric.name_en


def company_context(request: HttpRequest, company: Company) -> dict:
    """A company's page: the firm's position today, its rounds with their investors, its marks and
    its KPIs over time. Parts the user may not view are left out."""
    user = request.user
    context: dict = {}
    if user.has_perms(POSITION_PERMISSIONS):
        as_of = timezone.localdate()
        positions = positions_as_of(as_of=as_of, companies=Company.objects.filter(pk=company.pk))
        context["position"] = positions[0] if positions else None
        context["position_as_of"] = as_of
        context["rounds_with_investors"] = list(company_round_history(company=company))
        context["marks"] = list(company.valuation_marks.order_by("marked_on"))
    if user.has_perms(("companies.view_kpi", "companies.view_metric")):
        context["kpi_charts"] = kpi_charts(company)
    return context
