"""API viewsets of the companies app: explicit querysets, serializers, filtersets."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from companies.api.serializers import (
    CompanyKPISeriesSerializer,
    CompanySerializer,
    KPISerializer,
    MetricSerializer,
    ModelReleaseSerializer,
    SourceSerializer,
)
from companies.filters import (
    CompanyFilterSet,
    KPIFilterSet,
    MetricFilterSet,
    ModelReleaseFilterSet,
    SourceFilterSet,
)
from companies.models import KPI, Company, Metric, ModelRelease, Source, in_portfolio_exists
from companies.resources import (
    CompanyResource,
    KPIResource,
    MetricResource,
    ModelReleaseResource,
    SourceResource,
)
from companies.services import company_kpi_series
from portfolio.api.permissions import ViewPermissions
from portfolio.api.viewsets import PortfolioViewSet, reject_unknown_parameters


class SourceViewSet(PortfolioViewSet):
    queryset = Source.objects.order_by("id")
    serializer_class = SourceSerializer
    filterset_class = SourceFilterSet
    export_basename = "sources"
    export_resource = SourceResource


class CompanyViewSet(PortfolioViewSet):
    queryset = Company.objects.annotate(in_portfolio_flag=in_portfolio_exists()).order_by("slug")
    serializer_class = CompanySerializer
    filterset_class = CompanyFilterSet
    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    export_basename = "companies"
    export_resource = CompanyResource


class ModelReleaseViewSet(PortfolioViewSet):
    queryset = ModelRelease.objects.select_related("company").order_by("id")
    serializer_class = ModelReleaseSerializer
    filterset_class = ModelReleaseFilterSet
    export_basename = "model-releases"
    export_resource = ModelReleaseResource


class MetricViewSet(PortfolioViewSet):
    queryset = Metric.objects.order_by("id")
    serializer_class = MetricSerializer
    filterset_class = MetricFilterSet
    export_basename = "metrics"
    export_resource = MetricResource


class KPIViewSet(PortfolioViewSet):
    queryset = KPI.objects.select_related("company", "metric", "model_release").order_by("id")
    serializer_class = KPISerializer
    filterset_class = KPIFilterSet
    export_basename = "kpis"
    export_resource = KPIResource


class CompanyKPISeriesView(generics.GenericAPIView):
    """A company's KPIs as series over time, one per metric (or only `?metric=`), ready to plot."""

    queryset = Company.objects.all()
    serializer_class = CompanyKPISeriesSerializer
    permission_classes = [ViewPermissions.of(Company, KPI, Metric)]
    pagination_class = None
    filter_backends = []

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "metric",
                {"type": "string", "minLength": 1},
                description=_("Only this metric, by its code; an unknown code has no series."),
            )
        ],
        examples=[
            OpenApiExample(
                "Market share by year",
                value={
                    "company": "zhipu-ai",
                    "series": [
                        {
                            "metric": "market_share",
                            "metric_name_en": "Market share",
                            "metric_name_zh": "市场份额",
                            "unit": "percent",
                            "points": [
                                {
                                    "period_start": "2024-01-01",
                                    "period_end": "2024-12-31",
                                    "period_precision": "year",
                                    "period_display": "2024",
                                    "qualifier": "eq",
                                    "value": "6.6000",
                                    "value_display": "6.6%",
                                    "scope": "China independent general LLM developers, by 2024 revenue",
                                }
                            ],
                        }
                    ],
                },
                response_only=True,
            )
        ],
    )
    def get(self, request, slug: str):
        company = get_object_or_404(Company, slug=slug)
        reject_unknown_parameters(request, allowed={"metric"})
        code = request.query_params.get("metric")
        if code == "":
            raise ValidationError({"metric": [_("Give a metric's code, or leave the parameter out.")]})
        series = company_kpi_series(company=company, metric_code=code)
        return Response(CompanyKPISeriesSerializer({"company": company, "series": series}).data)
