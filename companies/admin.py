"""Admin for companies, sources, model releases, metrics and KPIs."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django_countries.filters import CountryFilter

from companies.models import KPI, Company, Metric, ModelRelease, Source
from companies.resources import (
    CompanyResource,
    KPIResource,
    MetricResource,
    ModelReleaseResource,
    SourceResource,
)
from portfolio.admin import (
    SOURCE_FIELDSET,
    TIMESTAMPS_FIELDSET,
    PortfolioAdmin,
    PortfolioImportAdmin,
    PortfolioInline,
    partial_date_column,
    text_column,
    url_column,
)


@admin.register(Source)
class SourceAdmin(PortfolioAdmin):
    resource_classes = [SourceResource]
    list_display = ("title", "publisher", "published_on_display", "language", "url_display")
    list_filter = ("language", "published_on_precision")
    search_fields = Source.search_fields
    date_hierarchy = "published_on"
    fieldsets = (
        (None, {"fields": ("title", "publisher", "url", "language")}),
        (_("Published"), {"fields": ("published_on",)}),
        TIMESTAMPS_FIELDSET,
    )
    published_on_display = partial_date_column("published_on", _("published on"))
    url_display = url_column("url", _("URL"))


class ModelReleaseInline(PortfolioInline):
    """The company's model releases, edited on its page."""

    model = ModelRelease
    fields = (
        "name",
        "family",
        "released_on",
        "parameters_b",
        "open_weights",
        "kind",
    )
    extra = 0
    show_change_link = True


@admin.register(Company)
class CompanyAdmin(PortfolioImportAdmin):
    resource_classes = [CompanyResource]
    list_display = ("name_en", "name_zh", "slug", "status", "country", "city", "sector", "founded_on_display")
    list_filter = ("status", ("country", CountryFilter), "sector")
    search_fields = Company.search_fields
    prepopulated_fields = {"slug": ("name_en",)}
    date_hierarchy = "founded_on"
    fieldsets = (
        (None, {"fields": ("name_en", "name_zh", "slug", "legal_name", "aliases", "status")}),
        (
            _("Profile"),
            {"fields": ("founded_on", "country", "city", "sector", "website")},
        ),
        (_("Summary"), {"fields": ("summary",)}),
        TIMESTAMPS_FIELDSET,
    )
    inlines = [ModelReleaseInline]
    founded_on_display = partial_date_column("founded_on", _("founded on"))


@admin.register(ModelRelease)
class ModelReleaseAdmin(PortfolioImportAdmin):
    resource_classes = [ModelReleaseResource]
    list_display = (
        "name",
        "company",
        "family",
        "released_on_display",
        "parameters_b",
        "open_weights",
        "kind",
    )
    list_filter = ("kind", "open_weights", "family", "released_on_precision")
    list_select_related = ("company",)
    search_fields = ModelRelease.search_fields
    autocomplete_fields = ("company", "source")
    date_hierarchy = "released_on"
    fieldsets = (
        (None, {"fields": ("company", "name", "family", "kind")}),
        (
            _("Release"),
            {
                "fields": (
                    "released_on",
                    "parameters_b",
                    "open_weights",
                    "languages",
                )
            },
        ),
        (_("Summary"), {"fields": ("summary",)}),
        SOURCE_FIELDSET,
        TIMESTAMPS_FIELDSET,
    )
    released_on_display = partial_date_column("released_on", _("released on"))


@admin.register(Metric)
class MetricAdmin(PortfolioAdmin):
    resource_classes = [MetricResource]
    list_display = ("code", "name_en", "name_zh", "unit")
    list_filter = ("unit",)
    search_fields = Metric.search_fields
    fields = ("code", "name_en", "name_zh", "unit", "description", "created_at", "updated_at", "version")


@admin.register(KPI)
class KPIAdmin(PortfolioImportAdmin):
    resource_classes = [KPIResource]
    list_display = (
        "company",
        "metric",
        "model_release",
        "value_display",
        "period_display",
        "scope_display",
    )
    list_filter = ("metric", "qualifier", "metric__unit")
    list_select_related = ("company", "metric", "model_release")
    search_fields = KPI.search_fields
    autocomplete_fields = ("company", "metric", "model_release", "source")
    date_hierarchy = "period_start"
    fieldsets = (
        (None, {"fields": ("company", "metric", "model_release")}),
        (
            _("Value"),
            {"fields": (("qualifier", "value", "currency"), ("period_start", "period_end"), "scope")},
        ),
        SOURCE_FIELDSET,
        TIMESTAMPS_FIELDSET,
    )

    scope_display = text_column("scope", _("scope"))

    @admin.display(description=_("period"), ordering="period_start")
    def period_display(self, obj: KPI) -> str:
        """A calendar year as "2024", a month as "2024-07", any other period as "2025-07-28 – 2025-08-26"."""
        return obj.period[1].replace("/", " – ") or "—"

    @admin.display(description=_("value"), ordering="value")
    def value_display(self, obj: KPI) -> str:
        return obj.value_display
