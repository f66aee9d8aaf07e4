"""API representations of companies, sources, model releases, metrics and KPIs."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from companies.models import KPI, Company, Metric, ModelRelease, Source
from fx.serializers import ConvertedAmountField
from portfolio.api.fields import StrictCountryField, StrictSlugRelatedField
from portfolio.api.serializers import RECORD_FIELDS, AliasesField, ModelValidatedSerializer


class SourceSerializer(ModelValidatedSerializer):
    published_on_display = serializers.CharField(read_only=True)

    class Meta:
        model = Source
        fields = (
            "id",
            "title",
            "publisher",
            "url",
            "published_on",
            "published_on_precision",
            "published_on_display",
            "language",
            *RECORD_FIELDS,
        )


class CompanySerializer(ModelValidatedSerializer):
    aliases = AliasesField(required=False)
    country = StrictCountryField(required=False, allow_blank=True)
    founded_on_display = serializers.CharField(read_only=True)
    in_portfolio = serializers.SerializerMethodField()

    class Meta:
        model = Company
        fields = (
            "slug",
            "name_en",
            "name_zh",
            "legal_name",
            "aliases",
            "summary",
            "founded_on",
            "founded_on_precision",
            "founded_on_display",
            "country",
            "city",
            "sector",
            "website",
            "status",
            "in_portfolio",
            *RECORD_FIELDS,
        )

    @extend_schema_field(serializers.BooleanField())
    def get_in_portfolio(self, company: Company) -> bool:
        """From the list's annotation where there is one, else one query."""
        flag = getattr(company, "in_portfolio_flag", None)
        return company.is_in_portfolio if flag is None else flag


class CompanyRelatedSerializer(ModelValidatedSerializer):
    """A row that belongs to a company: written with the company's slug, read with its names too."""

    company = StrictSlugRelatedField(slug_field="slug", queryset=Company.objects.all())
    company_name_en = serializers.CharField(source="company.name_en", read_only=True)
    company_name_zh = serializers.CharField(source="company.name_zh", read_only=True)

    COMPANY_FIELDS = ("company", "company_name_en", "company_name_zh")
    SOURCE_FIELDS = ("source", "source_quote")


class ModelReleaseSerializer(CompanyRelatedSerializer):
    released_on_display = serializers.CharField(read_only=True)

    class Meta:
        model = ModelRelease
        fields = (
            "id",
            *CompanyRelatedSerializer.COMPANY_FIELDS,
            "name",
            "family",
            "released_on",
            "released_on_precision",
            "released_on_display",
            "parameters_b",
            "open_weights",
            "kind",
            "languages",
            "summary",
            *CompanyRelatedSerializer.SOURCE_FIELDS,
            *RECORD_FIELDS,
        )


class MetricSerializer(ModelValidatedSerializer):
    class Meta:
        model = Metric
        fields = ("id", "code", "name_en", "name_zh", "unit", "description", *RECORD_FIELDS)


def kpi_date(kpi: KPI) -> tuple:
    """A KPI's money is dated by the end of its period (or its start, if that is all there is)."""
    return kpi.period_end or kpi.period_start, "day"


class KPISerializer(CompanyRelatedSerializer):
    metric = StrictSlugRelatedField(slug_field="code", queryset=Metric.objects.all())
    metric_name_en = serializers.CharField(source="metric.name_en", read_only=True)
    metric_name_zh = serializers.CharField(source="metric.name_zh", read_only=True)
    unit = serializers.CharField(source="metric.unit", read_only=True)
    model_release_name = serializers.CharField(read_only=True, allow_null=True)
    value_display = serializers.CharField(read_only=True)
    value_converted = ConvertedAmountField(
        amount="value", currency="currency", dated=kpi_date, money_only_with_currency=True
    )

    class Meta:
        model = KPI
        fields = (
            "id",
            *CompanyRelatedSerializer.COMPANY_FIELDS,
            "metric",
            "metric_name_en",
            "metric_name_zh",
            "unit",
            "model_release",
            "model_release_name",
            "period_start",
            "period_end",
            "qualifier",
            "value",
            "value_display",
            "currency",
            "value_converted",
            "scope",
            *CompanyRelatedSerializer.SOURCE_FIELDS,
            *RECORD_FIELDS,
        )


class KPIPointSerializer(serializers.ModelSerializer):
    """One value of a series: its period, qualifier ("gt" for "more than"), scope and source."""

    model_release_name = serializers.CharField(read_only=True, allow_null=True)
    value_display = serializers.CharField(read_only=True)
    period_precision = serializers.SerializerMethodField()
    period_display = serializers.SerializerMethodField()

    class Meta:
        model = KPI
        fields = (
            "id",
            "period_start",
            "period_end",
            "period_precision",
            "period_display",
            "qualifier",
            "value",
            "value_display",
            "currency",
            "scope",
            "model_release",
            "model_release_name",
            "source",
            "source_quote",
        )
        read_only_fields = fields

    def get_period_precision(self, kpi: KPI) -> str:
        return kpi.period[0]

    def get_period_display(self, kpi: KPI) -> str:
        return kpi.period[1]


class KPISeriesSerializer(serializers.Serializer):
    """A metric's values over time for one company, oldest period first."""

    metric = serializers.CharField(source="metric.code")
    metric_name_en = serializers.CharField(source="metric.name_en")
    metric_name_zh = serializers.CharField(source="metric.name_zh")
    unit = serializers.CharField(source="metric.unit")
    points = KPIPointSerializer(many=True)


class CompanyKPISeriesSerializer(serializers.Serializer):
    company = serializers.CharField(source="company.slug")
    series = KPISeriesSerializer(many=True)
