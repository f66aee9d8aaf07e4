"""Reads of a company's records that several views share: its KPIs as series over time."""

from dataclasses import dataclass

from django.db.models import F

from companies.models import KPI, Company, Metric


@dataclass(frozen=True)
class KPISeries:
    """One metric's values for a company, oldest period first, ready to plot."""

    metric: Metric
    points: list[KPI]


def company_kpi_series(*, company: Company, metric_code: str | None = None) -> list[KPISeries]:
    """The company's KPIs grouped by metric (ordered by metric code), or only those of one metric,
    each oldest first by the end of its period; a KPI with no period comes last in its series, so
    nothing is left out."""
    kpis = KPI.objects.filter(company=company).select_related("metric", "model_release", "source")
    if metric_code is not None:
        kpis = kpis.filter(metric__code=metric_code)
    kpis = kpis.order_by(
        "metric__code",
        F("period_end").asc(nulls_last=True),
        F("period_start").asc(nulls_last=True),
        "id",
    )
    series: dict[int, KPISeries] = {}
    for kpi in kpis:
        series.setdefault(kpi.metric_id, KPISeries(metric=kpi.metric, points=[])).points.append(kpi)
    return list(series.values())
