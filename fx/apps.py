from django.apps import AppConfig
from django.conf import settings
from django.core import checks
from django.utils.translation import gettext_lazy as _


class FxConfig(AppConfig):
    """Exchange rates: the ECB's reference rates and staff's own, to state every amount in one currency."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "fx"
    verbose_name = _("Exchange rates")

    def ready(self) -> None:
        checks.register(check_reporting_currency)


def check_reporting_currency(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """The reporting currency must be an ISO 4217 code, or every converted amount would be wrong."""
    from portfolio.money import CURRENCY_CODES

    if settings.REPORTING_CURRENCY in CURRENCY_CODES:
        return []
    return [
        checks.Error(
            f"REPORTING_CURRENCY={settings.REPORTING_CURRENCY!r} is not an ISO 4217 currency code.",
            hint="Set it to a code such as USD, CNY or HKD.",
            id="fx.E001",
        )
    ]
