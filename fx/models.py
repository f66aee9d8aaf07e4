"""Exchange rates: what one unit of a currency was worth in another on a day."""

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portfolio.models import PORTFOLIO_PERMISSIONS, TimeStampedModel
from portfolio.money import CURRENCY_CHOICES, CURRENCY_CODES


class RateOrigin(models.TextChoices):
    """Where a rate comes from: the ECB's daily reference rates, or staff (a rate the ECB lacks, or
    the one a deal's documents used). On the same day, staff's rate wins."""

    ECB = "ecb", _("European Central Bank")
    STAFF = "staff", _("staff")


class ExchangeRate(TimeStampedModel):
    """One unit of `base` is worth `rate` units of `quote` on `on`. The ECB's rates are quoted per euro."""

    base = models.CharField(_("base currency"), max_length=3, choices=CURRENCY_CHOICES, default="EUR")
    quote = models.CharField(_("quote currency"), max_length=3, choices=CURRENCY_CHOICES)
    on = models.DateField(_("date"))
    rate = models.DecimalField(
        _("rate"),
        max_digits=24,
        decimal_places=10,
        validators=[MinValueValidator(0)],
        help_text=_("Units of the quote currency for one unit of the base currency."),
    )
    origin = models.CharField(_("origin"), max_length=5, choices=RateOrigin.choices, default=RateOrigin.STAFF)
    note = models.TextField(_("note"), blank=True, help_text=_("Where the rate comes from, if not the ECB."))

    history = HistoricalRecords()

    class Meta:
        default_permissions = PORTFOLIO_PERMISSIONS
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        ordering = ["-on", "base", "quote"]
        # The admin lists the latest rates first, among some 190,000.
        indexes = [models.Index(fields=["-on", "base", "quote"], name="fx_rate_latest_first")]
        constraints = [
            models.UniqueConstraint(
                fields=["base", "quote", "on", "origin"],
                name="%(app_label)s_%(class)s_one_per_day",
                violation_error_code="unique",
                violation_error_message=_("This pair already has a rate of this origin on this day."),
            ),
            models.CheckConstraint(
                condition=Q(rate__gt=0),
                name="%(app_label)s_%(class)s_rate_positive",
                violation_error_message=_("A rate must be above zero."),
            ),
            models.CheckConstraint(
                condition=~Q(base=F("quote")),
                name="%(app_label)s_%(class)s_two_currencies",
                violation_error_message=_("A rate converts between two different currencies."),
            ),
            models.CheckConstraint(
                condition=Q(base__in=CURRENCY_CODES) & Q(quote__in=CURRENCY_CODES),
                name="%(app_label)s_%(class)s_iso4217",
                violation_error_message=_("Enter an ISO 4217 currency code, e.g. CNY, USD or HKD."),
            ),
            models.CheckConstraint(
                condition=Q(origin__in=RateOrigin.values), name="%(app_label)s_%(class)s_origin_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"1 {self.base} = {self.rate.normalize():f} {self.quote} ({self.on.isoformat()})"
