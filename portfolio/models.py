"""Shared models: API tokens, and the abstract timestamps, partial dates and citations of the apps."""

import hashlib
import secrets

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portfolio.constraints import PythonCheckConstraints
from portfolio.dates import normalize_partial_dates
from portfolio.values import named_label
from portfolio.versioning import VersionedModel

# Written without \s, whose meaning differs between Python and the ECMA regexes clients use;
# the host has no brackets (no IPv6 literals), which URL parsers refuse when half-open.
WEB_ADDRESS_PATTERN = r"^https?://[^/?#\[\]\u0000-\u0020\u007f]+(?:[/?#][^\u0000-\u0020\u007f]*)?$"


class WebAddressField(models.URLField):
    """An http(s) address, checked by one documented pattern in the admin and the API alike.

    Django's URLValidator also refuses some addresses RFC 3986 allows (very long host
    names, for one); a record of where a company lives on the web should not.
    """

    default_validators = [
        RegexValidator(
            WEB_ADDRESS_PATTERN, _("Enter an address starting with http:// or https://."), "invalid"
        )
    ]


# Besides Django's four, spreadsheet import and export are permissions of their own (the
# admin's import and export buttons, and the API's exports, check them).
PORTFOLIO_PERMISSIONS = ("add", "change", "delete", "view", "import", "export")


class TimeStampedModel(PythonCheckConstraints, VersionedModel):
    """Every record knows when it was created and last changed (for audits and incremental sync) and
    carries a version that each write checks and advances (`portfolio.versioning`). Its check
    constraints are validated without a query each (`portfolio.constraints`)."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    class Meta:
        abstract = True


def split_aliases(aliases: str) -> list[str]:
    """Aliases are kept one per line; this is the list a reader or an API client wants."""
    return [line.strip() for line in aliases.split("\n") if line.strip()]


class NamedModel(TimeStampedModel):
    """A company or investor: a slug for URLs, English and Chinese names, and other names it goes by."""

    slug = models.SlugField(_("slug"), max_length=100, unique=True, help_text=_("The key in URLs."))
    name_en = models.CharField(_("English name"), max_length=200)
    name_zh = models.CharField(_("Chinese name"), max_length=200, blank=True)
    aliases = models.TextField(_("aliases"), blank=True, help_text=_("Other names, one per line."))

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return named_label(self.name_en, self.name_zh)

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    @property
    def alias_list(self) -> list[str]:
        return split_aliases(self.aliases)


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


def hash_token(plaintext: str) -> str:
    """Tokens are long random strings, so a fast hash is enough and lets a lookup use the index."""
    return hashlib.sha256(plaintext.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def active(self) -> "ApiTokenQuerySet":
        return self.filter(revoked_at__isnull=True, user__is_active=True)


class ApiToken(models.Model):
    """A bearer token for the API. Only its hash is stored; the plaintext is shown once, when issued."""

    PREFIX = "pft_"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100, blank=True, help_text=_("What or who uses the token."))
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True, editable=False)
    key_prefix = models.CharField(
        _("key prefix"),
        max_length=12,
        editable=False,
        help_text=_("The token's first characters, to recognise it."),
    )
    read_only = models.BooleanField(
        _("read-only"), default=False, help_text=_("A read-only token can never write.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.key_prefix}… ({self.user})"

    @classmethod
    def issue(cls, *, user, read_only: bool = False, name: str = "") -> tuple["ApiToken", str]:
        """Create a token for `user`; returns the row and the plaintext, which is not stored."""
        plaintext = cls.PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user,
            name=name,
            read_only=read_only,
            key_hash=hash_token(plaintext),
            key_prefix=plaintext[: len(cls.PREFIX) + 6],
        )
        return token, plaintext

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def revoke(self) -> None:
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])


class ChangeAction(models.TextChoices):
    CREATED = "created", _("created")
    UPDATED = "updated", _("updated")
    DELETED = "deleted", _("deleted")


class Change(models.Model):
    """One entry of the change log: a record created, updated or deleted, numbered in commit order.

    Each entry points at the history row that holds the record as it was written; the API's
    changes feed (`/api/v1/changes/`) reads the log in `seq` order, so a service that mirrors
    the records sees every write, deletions included, exactly once.
    """

    seq = models.BigAutoField(_("sequence number"), primary_key=True)
    model = models.CharField(_("model"), max_length=100, help_text=_("app_label.model_name"))
    object_id = models.BigIntegerField(_("record id"))
    history_id = models.BigIntegerField(_("history entry"))
    action = models.CharField(_("action"), max_length=7, choices=ChangeAction.choices)
    version = models.PositiveBigIntegerField(_("version"))
    occurred_at = models.DateTimeField(_("occurred at"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    token_name = models.CharField(
        _("token name"), max_length=100, blank=True, help_text=_("The API token the change was made with.")
    )

    class Meta:
        verbose_name = _("change")
        verbose_name_plural = _("changes")
        ordering = ["seq"]
        constraints = [
            models.UniqueConstraint(
                fields=["model", "history_id"], name="%(app_label)s_%(class)s_one_per_entry"
            ),
            models.CheckConstraint(
                condition=models.Q(action__in=ChangeAction.values),
                name="%(app_label)s_%(class)s_action_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.seq}: {self.action} {self.model} {self.object_id} v{self.version}"


class IdempotencyKey(models.Model):
    """The first answer to a POST sent with an `Idempotency-Key`, kept for a day so a retry gets it again.

    Keys belong to a user; the request's fingerprint (method, path and body) tells a retry from
    a different request reusing the key. A table, not a cache, so every server process shares it.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(_("key"), max_length=255)
    fingerprint = models.CharField(_("request fingerprint"), max_length=64)
    status_code = models.PositiveSmallIntegerField(_("status code"), null=True, blank=True)
    response_body = models.TextField(_("response body"), blank=True, help_text=_("The JSON, as it was sent."))
    response_headers = models.JSONField(_("response headers"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="%(app_label)s_%(class)s_unique_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.user_id})"


class RateCounter(models.Model):
    """The requests one client made in the current window of its rate limit (`portfolio.ratelimit`).

    A table, so that every process of every server counts in the same place. One row per bucket:
    the statement that counts a request also starts the bucket's next window, so the table never
    holds more than one row per client and a count always costs the same one statement. On
    PostgreSQL the table is unlogged (migration 0005): counting never waits for the disk, and a
    crash only forgets the current minute's counts.
    """

    bucket = models.CharField(
        _("bucket"), max_length=200, unique=True, help_text=_("Who is counted: a user, or an address.")
    )
    window_start = models.BigIntegerField(
        _("window start"), help_text=_("Seconds since 1970 when the window began.")
    )
    hits = models.PositiveIntegerField(_("hits"), default=0)

    class Meta:
        verbose_name = _("rate counter")
        verbose_name_plural = _("rate counters")

    def __str__(self) -> str:
        return f"{self.bucket} @ {self.window_start}: {self.hits}"
