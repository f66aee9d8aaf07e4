"""The fixed vocabularies of the companies app, shared by models, filters and serializers."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CompanyStatus(models.TextChoices):
    PRIVATE = "private", _("private")
    LISTED = "listed", _("listed")
    ACQUIRED = "acquired", _("acquired")
    CLOSED = "closed", _("closed")


class ReleaseKind(models.TextChoices):
    BASE = "base", _("base model")
    CHAT = "chat", _("chat model")
    REASONING = "reasoning", _("reasoning model")
    MULTIMODAL = "multimodal", _("multimodal model")
    OTHER = "other", _("other")


class MetricUnit(models.TextChoices):
    PERCENT = "percent", _("percent")
    COUNT = "count", _("count")
    RANK = "rank", _("rank")
    MONEY = "money", _("money")


class Qualifier(models.TextChoices):
    """How the reported value relates to the true one: "突破1000万" is greater than 10,000,000."""

    EQ = "eq", _("equal to")
    GT = "gt", _("more than")
    GTE = "gte", _("at least")
    LT = "lt", _("less than")
    LTE = "lte", _("at most")
    APPROX = "approx", _("about")

    @property
    def symbol(self) -> str:
        return {"eq": "=", "gt": ">", "gte": "≥", "lt": "<", "lte": "≤", "approx": "≈"}[self.value]
