"""The project package as a Django app: shared models, and the change log hooked to the history."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortfolioConfig(AppConfig):
    """API tokens, the change log and what the apps share."""

    name = "portfolio"
    verbose_name = _("Portfolio")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from simple_history.signals import post_create_historical_record

        from portfolio.changes import record_historical_change

        # simple-history's own extension point: each history row of a record also goes in the log.
        post_create_historical_record.connect(record_historical_change, dispatch_uid="portfolio-change-log")
