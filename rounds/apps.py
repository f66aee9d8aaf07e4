from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoundsConfig(AppConfig):
    """Investors, funding rounds and who took part in them, and exits and listings."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "rounds"
    verbose_name = _("Rounds")
