"""Companies, the sources facts come from, the AI models companies release, and their KPIs."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from companies.choices import CompanyStatus, MetricUnit, Qualifier, ReleaseKind
from portfolio.dates import (
    DatePrecision,
    format_partial_date,
    partial_date_constraints,
    precision_field,
)
from portfolio.models import (
    PORTFOLIO_PERMISSIONS,
    NamedModel,
    PartialDatesModel,
    SourcedModel,
    TimeStampedModel,
    WebAddressField,
)
from portfolio.money import CURRENCY_CODES, currency_field
from portfolio.versioning import VersionedQuerySet


class Source(PartialDatesModel, TimeStampedModel):
    """A document facts are taken from (an article, a filing, a press release)."""

    # Where the admin's search box and the API's `q` look.
    search_fields = (
        "title",
        "publisher",
        "url",
    )

    partial_date_fields = ("published_on",)

    title = models.CharField(_("title"), max_length=300)
    publisher = models.CharField(_("publisher"), max_length=200, blank=True)
    url = WebAddressField(_("URL"), max_length=500, blank=True)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    published_on_precision = precision_field(_("published on precision"))
    language = models.CharField(
        _("language"), max_length=16, blank=True, help_text=_("BCP 47 tag, e.g. zh-Hans or en.")
    )

    history = HistoricalRecords()

    class Meta:
        default_permissions = PORTFOLIO_PERMISSIONS
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        ordering = ["-published_on", "title"]
        constraints = [*partial_date_constraints("published_on")]

    def __str__(self) -> str:
        return self.title

    @property
    def published_on_display(self) -> str:
        return format_partial_date(self.published_on, self.published_on_precision)


class CompanyQuerySet(VersionedQuerySet):
    def in_portfolio(self) -> "CompanyQuerySet":
        """Companies in one of whose rounds the house investor took part."""
        return self.filter(funding_rounds__participations__investor__is_house=True).distinct()


class Company(PartialDatesModel, NamedModel):
    """A company the firm tracks; in the portfolio when the house investor is in one of its rounds."""

    # Where the admin's search box and the API's `q` look.
    search_fields = (
        "name_en",
        "name_zh",
        "legal_name",
        "aliases",
        "slug",
    )

    partial_date_fields = ("founded_on",)

    legal_name = models.CharField(_("legal name"), max_length=300, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    founded_on_precision = precision_field(_("founded on precision"), default=DatePrecision.YEAR)
    country = CountryField(_("country"), blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    sector = models.CharField(_("sector"), max_length=100, blank=True)
    website = WebAddressField(_("website"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=CompanyStatus.choices, default=CompanyStatus.PRIVATE
    )

    objects = CompanyQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        default_permissions = PORTFOLIO_PERMISSIONS
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["name_en"]
        constraints = [
            *partial_date_constraints("founded_on"),
            models.CheckConstraint(
                condition=Q(status__in=CompanyStatus.values), name="%(app_label)s_%(class)s_status_valid"
            ),
        ]

    @property
    def founded_on_display(self) -> str:
        return format_partial_date(self.founded_on, self.founded_on_precision)

    @property
    def is_in_portfolio(self) -> bool:
        """One query; lists annotate `in_portfolio_exists()` instead."""
        return Company.objects.in_portfolio().filter(pk=self.pk).exists()


def in_portfolio_exists(company: str = "pk") -> Exists:
    """A subquery: is the company the outer query names by `company` (its pk, or a `company_id`) in the
    portfolio? For annotations and filters of companies and of their records."""
    return Exists(Company.objects.in_portfolio().filter(pk=OuterRef(company)))


class ModelRelease(PartialDatesModel, SourcedModel):
    """An AI model a company released (GLM-130B, ChatGLM-6B, ...)."""

    # Where the admin's search box and the API's `q` look.
    search_fields = (
        "name",
        "family",
        "company__name_en",
        "company__name_zh",
        "company__aliases",
    )

    partial_date_fields = ("released_on",)

    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.PROTECT, related_name="model_releases"
    )
    name = models.CharField(_("name"), max_length=100)
    family = models.CharField(_("family"), max_length=100, blank=True, help_text=_("e.g. GLM or ChatGLM."))
    released_on = models.DateField(_("released on"), null=True, blank=True)
    released_on_precision = precision_field(_("released on precision"))
    parameters_b = models.DecimalField(
        _("parameters (billions)"),
        max_digits=10,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.001"))],
    )
    open_weights = models.BooleanField(
        _("open weights"), null=True, blank=True, help_text=_("Leave empty when unknown.")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=ReleaseKind.choices, default=ReleaseKind.OTHER)
    languages = models.CharField(
        _("languages"), max_length=100, blank=True, help_text=_("Comma-separated, e.g. zh, en.")
    )
    summary = models.TextField(_("summary"), blank=True)

    history = HistoricalRecords()

    class Meta:
        default_permissions = PORTFOLIO_PERMISSIONS
        verbose_name = _("model release")
        verbose_name_plural = _("model releases")
        ordering = ["company__name_en", "released_on", "name"]
        constraints = [
            models.UniqueConstraint(fields=["company", "name"], name="%(app_label)s_%(class)s_unique_name"),
            *partial_date_constraints("released_on"),
            models.CheckConstraint(
                condition=Q(parameters_b__isnull=True) | Q(parameters_b__gt=0),
                name="%(app_label)s_%(class)s_parameters_positive",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=ReleaseKind.values), name="%(app_label)s_%(class)s_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def released_on_display(self) -> str:
        return format_partial_date(self.released_on, self.released_on_precision)


class Metric(TimeStampedModel):
    """What a KPI measures, e.g. market share in percent or a rank."""

    # Where the admin's search box and the API's `q` look.
    search_fields = (
        "code",
        "name_en",
        "name_zh",
        "description",
    )

    code = models.SlugField(_("code"), max_length=64, unique=True, help_text=_("e.g. market_share."))
    name_en = models.CharField(_("English name"), max_length=200)
    name_zh = models.CharField(_("Chinese name"), max_length=200, blank=True)
    unit = models.CharField(_("unit"), max_length=10, choices=MetricUnit.choices)
    description = models.TextField(_("description"), blank=True)

    history = HistoricalRecords()

    class Meta:
        default_permissions = PORTFOLIO_PERMISSIONS
        verbose_name = _("metric")
        verbose_name_plural = _("metrics")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(unit__in=MetricUnit.values), name="%(app_label)s_%(class)s_unit_valid"
            ),
        ]

    def __str__(self) -> str:
        """The metric's name in the reader's language (Chinese when there is one), as lists show it."""
        return self.name_zh if self.name_zh and (get_language() or "").startswith("zh") else self.name_en

    def natural_key(self) -> tuple[str]:
        return (self.code,)


class KPI(SourcedModel):
    """A value a company reported for a metric over a period ("突破1000万" is `gt 10000000`)."""

    # Where the admin's search box and the API's `q` look.
    search_fields = (
        "company__name_en",
        "company__name_zh",
        "company__aliases",
        "metric__code",
        "metric__name_en",
        "metric__name_zh",
        "model_release__name",
        "scope",
    )

    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.PROTECT, related_name="kpis"
    )
    metric = models.ForeignKey(
        Metric, verbose_name=_("metric"), on_delete=models.PROTECT, related_name="kpis"
    )
    model_release = models.ForeignKey(
        ModelRelease,
        verbose_name=_("model release"),
        on_delete=models.PROTECT,
        related_name="kpis",
        null=True,
        blank=True,
    )
    period_start = models.DateField(_("period start"), null=True, blank=True)
    period_end = models.DateField(_("period end"), null=True, blank=True)
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=4)
    qualifier = models.CharField(
        _("qualifier"), max_length=6, choices=Qualifier.choices, default=Qualifier.EQ
    )
    currency = currency_field(_("currency"))
    scope = models.CharField(
        _("scope"),
        max_length=300,
        blank=True,
        help_text=_(
            "What the value is measured against, e.g. China independent LLM developers by 2024 revenue."
        ),
    )

    history = HistoricalRecords()

    class Meta:
        default_permissions = PORTFOLIO_PERMISSIONS
        verbose_name = _("KPI")
        verbose_name_plural = _("KPIs")
        ordering = ["company__name_en", "period_start", "metric__code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_start__isnull=True)
                | Q(period_end__isnull=True)
                | Q(period_start__lte=models.F("period_end")),
                name="%(app_label)s_%(class)s_period_ordered",
                violation_error_message=_("The period cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(qualifier__in=Qualifier.values),
                name="%(app_label)s_%(class)s_qualifier_valid",
            ),
            models.CheckConstraint(
                condition=Q(currency="") | Q(currency__in=CURRENCY_CODES),
                name="%(app_label)s_%(class)s_currency_iso4217",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company.name_en} · {self.metric}: {self.value_display}"

    @property
    def model_release_name(self) -> str | None:
        return self.model_release.name if self.model_release_id else None

    @property
    def period(self) -> tuple[str, str]:
        """The period as precision and display: ("year", "2024") or ("day", "2025-07-28/2025-08-26")."""
        start, end = self.period_start, self.period_end
        if start is None or end is None:
            known = start or end
            return ("day", known.isoformat()) if known else ("day", "")
        if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and start.year == end.year:
            return "year", f"{start.year:04d}"
        next_month = (end + datetime.timedelta(days=1)).day == 1
        if start.day == 1 and next_month and (start.year, start.month) == (end.year, end.month):
            return "month", f"{start.year:04d}-{start.month:02d}"
        if start == end:
            return "day", start.isoformat()
        return "day", f"{start.isoformat()}/{end.isoformat()}"

    @property
    def value_display(self) -> str:
        """The value as a reader says it: "6.6%", "> 10,000,000", "#1", "≤ #10"."""
        number = f"{self.value.normalize():,f}"
        unit = self.metric.unit
        if unit == MetricUnit.PERCENT:
            number = f"{number}%"
        elif unit == MetricUnit.RANK:
            number = f"#{number}"
        elif unit == MetricUnit.MONEY:
            number = f"{self.currency} {number}"
        if self.qualifier == Qualifier.EQ:
            return number
        return f"{Qualifier(self.qualifier).symbol} {number}"

    def clean(self) -> None:
        super().clean()
        if self.period_start and self.period_end and self.period_start > self.period_end:
            raise ValidationError({"period_end": _("The period cannot end before it starts.")})
        if self.model_release_id and self.company_id and self.model_release.company_id != self.company_id:
            raise ValidationError({"model_release": _("The model release belongs to another company.")})
        if self.metric_id and self.metric.unit == MetricUnit.MONEY and not self.currency:
            raise ValidationError({"currency": _("A money metric needs a currency.")})
