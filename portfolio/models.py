"""Abstract models shared by the apps: timestamps, partial dates and the citation every fact carries."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from portfolio.dates import normalize_partial_dates


class TimeStampedModel(models.Model):
    """Every row records when it was created and last changed, for audits and incremental sync."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    class Meta:
        abstract = True


class PartialDatesModel(models.Model):
    """A model with partial dates: each is moved to the first day of its period before validation and saving.

    A concrete model lists its partial dates in `partial_date_fields`; each has a companion
    `<field>_precision` field and the `partial_date_constraints` of `portfolio.dates`.
    """

    partial_date_fields: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        normalize_partial_dates(self, *self.partial_date_fields)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        normalize_partial_dates(self, *self.partial_date_fields)


class SourcedModel(TimeStampedModel):
    """A fact-bearing row: it cites the source it was taken from, and the sentence if known."""

    source = models.ForeignKey(
        "companies.Source",
        verbose_name=_("source"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    source_quote = models.TextField(
        _("source quote"), blank=True, help_text=_("The sentence the fact was taken from.")
    )

    class Meta:
        abstract = True
