"""The project package as a Django app: shared models, and the change log hooked to the history."""

from axes.apps import AppConfig as AxesConfig
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortfolioConfig(AppConfig):
    """API tokens, the change log and what the apps share."""

    name = "portfolio"
    default = True  # this module also holds the configuration of django-axes below
    verbose_name = _("Portfolio")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from simple_history.signals import post_create_historical_record

        from portfolio import lookups  # noqa: F401 - registers `__any`
        from portfolio.changes import record_historical_change

        # simple-history's own extension point: each history row of a record also goes in the log.
        post_create_historical_record.connect(record_historical_change, dispatch_uid="portfolio-change-log")


class LoginProtectionConfig(AxesConfig):
    """django-axes, named in the admin as staff know it. Its own names (access attempts, failures)
    have no Chinese translation in the library; `portfolio/library_labels.py` lists them for ours."""

    verbose_name = _("Login protection")
