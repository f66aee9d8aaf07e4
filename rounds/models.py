"""Investors, the funding rounds they take part in, and the listings that end a company's private life."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from companies.models import Company
from portfolio.dates import (
    format_partial_date,
    partial_date_constraints,
    precision_field,
)
from portfolio.models import (
    PORTFOLIO_PERMISSIONS,
    NamedModel,
    PartialDatesModel,
    SourcedModel,
    WebAddressField,
)
from portfolio.money import amount_field, currency_field, money_constraints, validate_currency_given
from rounds.choices import InvestorKind, ListingKind, MarkBasis, Role, Stage


class Investor(NamedModel):
    """A firm or person that invests; the house investor is the firm whose portfolio this is."""

    # Where the admin's search box and the API's `q` look.
    search_fields = (
        "name_en",
        "name_zh",
        "aliases",
        "slug",
    )

    kind = models.CharField(_("kind"), max_length=10, choices=InvestorKind.choices, default=InvestorKind.VC)
    country = CountryField(_("country"), blank=True)
    website = WebAddressField(_("website"), blank=True)
    is_house = models.BooleanField(
        _("house investor"), default=False, help_text=_("The firm whose portfolio this is; at most one.")
    )

    history = HistoricalRecords()

    class Meta:
        default_permissions = PORTFOLIO_PERMISSIONS
        verbose_name = _("investor")
        verbose_name_plural = _("investors")
        ordering = ["name_en"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_house"],
                condition=Q(is_house=True),
                name="%(app_label)s_%(class)s_one_house",
                violation_error_code="unique",
                violation_error_message=_("Another investor is already the house investor."),
            ),
            models.CheckConstraint(
                condition=Q(kind__in=InvestorKind.values), name="%(app_label)s_%(class)s_kind_valid"
            ),
        ]


class FundingRound(PartialDatesModel, SourcedModel):
    """One financing round of a company, with its size and valuations where known."""

    # Where the admin's search box and the API's `q` look.
    search_fields = (
        "company__name_en",
        "company__name_zh",
        "company__aliases",
        "label",
        "participations__investor__name_en",
        "participations__investor__name_zh",
        "participations__investor__aliases",
    )

    partial_date_fields = ("announced_on",)

    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.PROTECT, related_name="funding_rounds"
    )
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices)
    label = models.CharField(_("label"), max_length=100, blank=True, help_text=_('As reported, e.g. "A轮".'))
    announced_on = models.DateField(_("announced on"), null=True, blank=True)
    announced_on_precision = precision_field(_("announced on precision"))
    amount = amount_field(_("amount"))
    currency = currency_field(_("currency"))
    pre_money = amount_field(_("pre-money valuation"))
    post_money = amount_field(_("post-money valuation"))
    valuation_currency = currency_field(_("valuation currency"))
    notes = models.TextField(_("notes"), blank=True)

    investors = models.ManyToManyField(
        Investor, through="Participation", related_name="funding_rounds", verbose_name=_("investors")
    )

    history = HistoricalRecords()

    class Meta:
        default_permissions = PORTFOLIO_PERMISSIONS
        verbose_name = _("funding round")
        verbose_name_plural = _("funding rounds")
        ordering = ["company__name_en", "announced_on", "id"]
        # The API's orderings and range filters, each with the id that breaks its ties, so a page (by
        # number or by cursor, either way round) is read from an index rather than the whole table.
        indexes = [
            models.Index(fields=[name, "id"], name=f"rounds_round_{name}_id")
            for name in ("announced_on", "amount", "pre_money", "post_money", "updated_at")
        ]
        constraints = [
            *partial_date_constraints("announced_on"),
            *money_constraints("amount"),
            *money_constraints("pre_money", "post_money", currency="valuation_currency"),
            models.CheckConstraint(
                condition=Q(stage__in=Stage.values), name="%(app_label)s_%(class)s_stage_valid"
            ),
        ]

    def __str__(self) -> str:
        label = self.label or self.get_stage_display()
        when = self.announced_on_display or _("date unknown")
        return f"{self.company.name_en} · {label} ({when})"

    def clean(self) -> None:
        super().clean()
        validate_currency_given(self, "amount")
        validate_currency_given(self, "pre_money", "post_money", currency="valuation_currency")
        if self.pre_money is not None and self.post_money is not None and self.pre_money > self.post_money:
            raise ValidationError(
                {"post_money": _("The post-money valuation cannot be below the pre-money one.")}
            )

    @property
    def announced_on_display(self) -> str:
        return format_partial_date(self.announced_on, self.announced_on_precision)


# A round's investors in the order the API, its exports and the history list them: leads first, then by name.
PARTICIPATION_ORDER = ("role", "investor__name_en", "id")


class Participation(SourcedModel):
    """One investor's part in one round: lead or not, first entry or follow-on."""

    # Where the admin's search box and the API's `q` look.
    search_fields = (
        "investor__name_en",
        "investor__name_zh",
        "investor__aliases",
        "funding_round__company__name_en",
        "funding_round__company__name_zh",
        "funding_round__company__aliases",
        "funding_round__label",
    )

    funding_round = models.ForeignKey(
        FundingRound, verbose_name=_("funding round"), on_delete=models.CASCADE, related_name="participations"
    )
    investor = models.ForeignKey(
        Investor, verbose_name=_("investor"), on_delete=models.PROTECT, related_name="participations"
    )
    role = models.CharField(_("role"), max_length=12, choices=Role.choices, default=Role.PARTICIPANT)
    is_follow_on = models.BooleanField(
        _("follow-on"), default=False, help_text=_("The investor was already in an earlier round.")
    )
    amount = amount_field(_("amount"))
    currency = currency_field(_("currency"))
    shares_after = models.DecimalField(
        _("shares held after the round"),
        max_digits=24,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("The investor's shares in the company once the round closed, where known."),
    )
    ownership_after = models.DecimalField(
        _("ownership after the round (%)"),
        max_digits=7,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("The investor's stake in the company once the round closed, as stated; e.g. 5.25."),
    )

    history = HistoricalRecords()

    class Meta:
        default_permissions = PORTFOLIO_PERMISSIONS
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        ordering = ["funding_round", "role", "investor__name_en"]
        indexes = [
            *(
                models.Index(fields=[name, "id"], name=f"rounds_part_{name}_id")
                for name in ("amount", "updated_at")
            ),
            # Stakes are stated for few participations (the firm's own): the indexes hold only those.
            *(
                models.Index(
                    fields=[name, "id"],
                    name=f"rounds_part_{name}_id",
                    condition=Q(**{f"{name}__isnull": False}),
                )
                for name in ("shares_after", "ownership_after")
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["funding_round", "investor"], name="%(app_label)s_%(class)s_one_per_investor"
            ),
            *money_constraints("amount"),
            models.CheckConstraint(
                condition=Q(role__in=Role.values), name="%(app_label)s_%(class)s_role_valid"
            ),
            models.CheckConstraint(
                condition=Q(shares_after__isnull=True) | Q(shares_after__gte=0),
                name="%(app_label)s_%(class)s_shares_non_negative",
                violation_error_message=_("A share count cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(ownership_after__isnull=True)
                | (Q(ownership_after__gte=0) & Q(ownership_after__lte=100)),
                name="%(app_label)s_%(class)s_ownership_percent",
                violation_error_message=_("Ownership is a percentage from 0 to 100."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.investor} · {self.get_role_display()}"

    def clean(self) -> None:
        super().clean()
        validate_currency_given(self, "amount")


class Listing(PartialDatesModel, SourcedModel):
    """An exit or public listing: an IPO on an exchange, an acquisition, or another exit."""

    # Where the admin's search box and the API's `q` look.
    search_fields = (
        "company__name_en",
        "company__name_zh",
        "company__aliases",
        "exchange",
        "ticker",
    )

    partial_date_fields = ("listed_on",)

    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.PROTECT, related_name="listings"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=ListingKind.choices, default=ListingKind.IPO)
    exchange = models.CharField(_("exchange"), max_length=50, blank=True, help_text=_("e.g. HKEX."))
    ticker = models.CharField(_("ticker"), max_length=20, blank=True)
    listed_on = models.DateField(_("listed on"), null=True, blank=True)
    listed_on_precision = precision_field(_("listed on precision"))
    offer_price = amount_field(_("offer price"))
    amount_raised = amount_field(_("amount raised"))
    currency = currency_field(_("currency"))
    notes = models.TextField(_("notes"), blank=True)

    history = HistoricalRecords()

    class Meta:
        default_permissions = PORTFOLIO_PERMISSIONS
        verbose_name = _("listing")
        verbose_name_plural = _("listings")
        ordering = ["company__name_en", "listed_on"]
        constraints = [
            *partial_date_constraints("listed_on"),
            *money_constraints("offer_price", "amount_raised"),
            models.CheckConstraint(
                condition=Q(kind__in=ListingKind.values), name="%(app_label)s_%(class)s_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        where = f"{self.exchange}:{self.ticker}" if self.ticker else self.exchange
        return (
            f"{self.company.name_en} · {self.get_kind_display()} {where} ({self.listed_on_display})".strip()
        )

    def clean(self) -> None:
        super().clean()
        validate_currency_given(self, "offer_price", "amount_raised")

    @property
    def listed_on_display(self) -> str:
        return format_partial_date(self.listed_on, self.listed_on_precision)


class ValuationMark(SourcedModel):
    """What a company was worth on a day, as the firm marks it: the company's fair value or its price
    per share, and what the mark rests on. Rounds with a post-money valuation and listings with an
    offer price are marks of their own dates as well (`rounds.positions`)."""

    # Where the admin's search box and the API's `q` look.
    search_fields = (
        "company__name_en",
        "company__name_zh",
        "company__aliases",
        "notes",
    )

    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.PROTECT, related_name="valuation_marks"
    )
    marked_on = models.DateField(_("marked on"))
    basis = models.CharField(_("basis"), max_length=15, choices=MarkBasis.choices, default=MarkBasis.OTHER)
    value = amount_field(_("company value"), help_text=_("The fair value of the whole company."))
    price_per_share = models.DecimalField(
        _("price per share"),
        max_digits=20,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    currency = currency_field(_("currency"))
    notes = models.TextField(_("notes"), blank=True)

    history = HistoricalRecords()

    class Meta:
        default_permissions = PORTFOLIO_PERMISSIONS
        verbose_name = _("valuation mark")
        verbose_name_plural = _("valuation marks")
        ordering = ["company__name_en", "marked_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "marked_on"],
                name="%(app_label)s_%(class)s_one_per_day",
                violation_error_code="unique",
                violation_error_message=_("This company already has a mark on this day."),
            ),
            *money_constraints("value", "price_per_share"),
            models.CheckConstraint(
                condition=Q(value__isnull=False) | Q(price_per_share__isnull=False),
                name="%(app_label)s_%(class)s_value_or_price",
                violation_error_message=_("Give the company's value, its price per share, or both."),
            ),
            models.CheckConstraint(
                condition=Q(basis__in=MarkBasis.values), name="%(app_label)s_%(class)s_basis_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company.name_en} · {self.get_basis_display()} ({self.marked_on.isoformat()})"

    def clean(self) -> None:
        super().clean()
        validate_currency_given(self, "value", "price_per_share")
