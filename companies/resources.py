"""Spreadsheet columns of companies, model releases and KPIs, and the keys that match rows to records."""

from companies.choices import CompanyStatus, MetricUnit, Qualifier, ReleaseKind
from companies.models import KPI, Company, Metric, ModelRelease, Source
from portfolio.resources import (
    Column,
    NaturalKeyWidget,
    PartialDateField,
    PortfolioResource,
    RecordIdWidget,
    boolean_field,
    choice_field,
    date_field,
    decimal_field,
    key_field,
    text_field,
)

# Besides its slug or code, a company or metric may be named by its English or Chinese name.
NAMES = ("name_en", "name_zh")


def source_field() -> Column:
    """The source a fact cites, by id or by its exact title or URL (sources have no natural key)."""
    return Column(
        attribute="source", column_name="source", widget=RecordIdWidget(Source, names=("title", "url"))
    )


class CompanyResource(PortfolioResource):
    """Companies, matched by slug."""

    slug = text_field("slug")
    name_en = text_field("name_en")
    name_zh = text_field("name_zh")
    legal_name = text_field("legal_name")
    aliases = text_field("aliases")
    status = choice_field("status", CompanyStatus)
    founded_on = PartialDateField("founded_on")
    country = text_field("country")
    city = text_field("city")
    sector = text_field("sector")
    website = text_field("website")
    summary = text_field("summary")

    class Meta:
        model = Company
        fields = (
            "slug",
            "name_en",
            "name_zh",
            "legal_name",
            "aliases",
            "status",
            "founded_on",
            "country",
            "city",
            "sector",
            "website",
            "summary",
        )
        import_id_fields = ("slug",)


class ModelReleaseResource(PortfolioResource):
    """Model releases, matched by company slug and release name."""

    company = key_field("company", Company, "slug", NAMES)
    name = text_field("name")
    family = text_field("family")
    released_on = PartialDateField("released_on")
    parameters_b = decimal_field("parameters_b")
    open_weights = boolean_field("open_weights")
    kind = choice_field("kind", ReleaseKind)
    languages = text_field("languages")
    summary = text_field("summary")
    source = source_field()
    source_quote = text_field("source_quote")

    export_select_related = ("company", "source")

    class Meta:
        model = ModelRelease
        fields = (
            "company",
            "name",
            "family",
            "released_on",
            "parameters_b",
            "open_weights",
            "kind",
            "languages",
            "summary",
            "source",
            "source_quote",
        )
        import_id_fields = ("company", "name")


class CompanyReleaseWidget(NaturalKeyWidget):
    """A model release named by its name, among the releases of the row's company.

    The row's company is read as the company column reads it (slug or name); a company
    that cell does not name has no releases here, and the company column reports why.
    """

    company = NaturalKeyWidget(Company, field="slug", names=NAMES)

    def __init__(self):
        super().__init__(ModelRelease, field="name")

    def get_queryset(self, value, row, *args, **kwargs):
        try:
            company = self.company.clean((row or {}).get("company"))
        except ValueError:
            company = None
        return ModelRelease.objects.filter(company=company) if company else ModelRelease.objects.none()


class KPIResource(PortfolioResource):
    """KPIs, matched by company, metric, model release, period and scope."""

    company = key_field("company", Company, "slug", NAMES)
    metric = key_field("metric", Metric, "code", NAMES)
    model_release = Column(
        attribute="model_release", column_name="model_release", widget=CompanyReleaseWidget()
    )
    period_start = date_field("period_start")
    period_end = date_field("period_end")
    qualifier = choice_field("qualifier", Qualifier)
    value = decimal_field("value")
    currency = text_field("currency")
    scope = text_field("scope")
    source = source_field()
    source_quote = text_field("source_quote")

    export_select_related = ("company", "metric", "model_release", "source")

    class Meta:
        model = KPI
        fields = (
            "company",
            "metric",
            "model_release",
            "period_start",
            "period_end",
            "qualifier",
            "value",
            "currency",
            "scope",
            "source",
            "source_quote",
        )
        import_id_fields = ("company", "metric", "model_release", "period_start", "period_end", "scope")


class SourceResource(PortfolioResource):
    """Sources, which have no natural key: exported with their ids, which is how facts cite them."""

    id = Column(attribute="id", column_name="id", readonly=True)
    title = text_field("title")
    publisher = text_field("publisher")
    url = text_field("url")
    published_on = PartialDateField("published_on")
    language = text_field("language")

    class Meta:
        model = Source
        fields = ("id", "title", "publisher", "url", "published_on", "language")
        import_id_fields = ("id",)


class MetricResource(PortfolioResource):
    """Metrics, matched by code."""

    code = text_field("code")
    name_en = text_field("name_en")
    name_zh = text_field("name_zh")
    unit = choice_field("unit", MetricUnit)
    description = text_field("description")

    class Meta:
        model = Metric
        fields = ("code", "name_en", "name_zh", "unit", "description")
        import_id_fields = ("code",)
