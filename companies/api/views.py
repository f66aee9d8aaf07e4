"""API viewsets of the companies app: explicit querysets, serializers, filtersets."""

from companies.api.serializers import (
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
from portfolio.api.viewsets import PortfolioViewSet


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
