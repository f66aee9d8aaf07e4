"""Spreadsheet columns of investors and of funding rounds with their investors."""

from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import connections, models, router
from django.db.models import OuterRef, Prefetch, Q, Subquery, prefetch_related_objects
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from companies.models import Company
from companies.resources import NAMES, source_field
from portfolio.resources import (
    TEXT,
    Column,
    NaturalKeyListWidget,
    PartialDateField,
    PortfolioResource,
    RecordIdWidget,
    SharedPart,
    boolean_field,
    choice_field,
    date_field,
    decimal_field,
    key_field,
    text_field,
)
from rounds.choices import InvestorKind, ListingKind, MarkBasis, Role, Stage
from rounds.models import PARTICIPATION_ORDER, FundingRound, Investor, Listing, Participation, ValuationMark
from rounds.services import ParticipationPlan, round_participations_set


class InvestorResource(PortfolioResource):
    """Investors, matched by slug."""

    slug = text_field("slug")
    name_en = text_field("name_en")
    name_zh = text_field("name_zh")
    aliases = text_field("aliases")
    kind = choice_field("kind", InvestorKind)
    country = text_field("country")
    website = text_field("website")
    is_house = boolean_field("is_house")

    class Meta:
        model = Investor
        fields = ("slug", "name_en", "name_zh", "aliases", "kind", "country", "website", "is_house")
        import_id_fields = ("slug",)


def load_participations(funding_round: FundingRound) -> None:
    """Read the round's participations and their investors in one query, for every investor column,
    the comparison with the file and the preview to share."""
    getattr(funding_round, "_prefetched_objects_cache", {}).pop("participations", None)
    participations = Participation.objects.select_related("investor").order_by("pk")
    prefetch_related_objects([funding_round], Prefetch("participations", queryset=participations))


class RoundInvestorsField(Column):
    """The investors of a round in one role (or its follow-on investors), as slugs separated by ";".

    Reading the value from the round itself, rather than from an export-only method, lets
    the import preview show the investors before and after each row.
    """

    def __init__(self, column_name: str, *, roles: tuple[str, ...] = (), follow_on: bool = False):
        super().__init__(column_name=column_name, widget=NaturalKeyListWidget(Investor, "slug", NAMES))
        self.roles, self.follow_on = roles, follow_on

    def get_value(self, instance) -> list[Investor]:
        if instance is None or instance.pk is None:
            return []
        if "participations" not in getattr(instance, "_prefetched_objects_cache", {}):
            load_participations(instance)
        return [
            p.investor
            for p in instance.participations.all()
            if (p.is_follow_on if self.follow_on else p.role in self.roles)
        ]

    def export(self, instance, **kwargs) -> str:
        return self.widget.render(self.get_value(instance))

    def export_values(self) -> dict[str, tuple[SharedPart, str]] | None:
        """The investors' slugs joined as `render` joins them, in the order the round lists them (on
        PostgreSQL, whose `string_agg` joins them); the four investor columns share one pass over the
        round's participations."""
        if connections[router.db_for_read(Participation)].vendor != "postgresql":
            return None
        participations = Participation.objects.filter(self.chosen(), funding_round=OuterRef("pk")).order_by()
        joined = participations.values("funding_round").annotate(slugs=self.slugs()).values("slugs")
        alone = Coalesce(Subquery(joined), models.Value(""), output_field=models.TextField())
        index = list(INVESTOR_COLUMNS).index(self.column_name) + 1
        return {self.column_name: (SharedPart("investor_lists", round_investor_lists, index, alone), TEXT)}

    def chosen(self) -> Q:
        return Q(is_follow_on=True) if self.follow_on else Q(role__in=self.roles)

    def slugs(self, *, chosen: Q | None = None) -> StringAgg:
        return StringAgg(
            "investor__slug",
            delimiter=f"{self.widget.separator} ",
            order_by=PARTICIPATION_ORDER,
            filter=chosen,
            output_field=models.TextField(),
        )


def round_investor_lists() -> Subquery:
    """A round's investor columns (leads, co-leads, participants, follow-ons) as one text array."""
    fields = FundingRoundResource.fields
    lists = [fields[name].slugs(chosen=fields[name].chosen()) for name in INVESTOR_COLUMNS]
    array = models.Func(
        *lists, template="ARRAY[%(expressions)s]", output_field=ArrayField(models.TextField())
    )
    participations = Participation.objects.filter(funding_round=OuterRef("pk")).order_by()
    return Subquery(participations.values("funding_round").annotate(lists=array).values("lists"))


# The investor columns of a round row, and what each holds.
INVESTOR_COLUMNS = {
    "lead_investors": "leads",
    "co_lead_investors": "co_leads",
    "participants": "participants",
    "follow_on_investors": "follow_on",
}


class FundingRoundResource(PortfolioResource):
    """Rounds with their investors, matched by company, stage, label and announcement date.

    The one definition of a round's columns: the API's exports, the admin's, the company
    round-history download and the import all use it. Investors are listed by slug in one
    column per role ("fortune-capital; other-fund"); `follow_on_investors` marks those of
    them who were already in an earlier round. The round's participations become exactly
    those listed. Leaving the investor columns out of the file leaves the participations as
    they are. `id` and the company's names are for readers; the import ignores them.
    """

    id = Column(attribute="id", column_name="id", readonly=True)
    company = key_field("company", Company, "slug", NAMES)
    company_name_en = Column(attribute="company__name_en", column_name="company_name_en", readonly=True)
    company_name_zh = Column(attribute="company__name_zh", column_name="company_name_zh", readonly=True)
    stage = choice_field("stage", Stage)
    label = text_field("label")
    announced_on = PartialDateField("announced_on")
    amount = decimal_field("amount")
    currency = text_field("currency")
    pre_money = decimal_field("pre_money")
    post_money = decimal_field("post_money")
    valuation_currency = text_field("valuation_currency")
    lead_investors = RoundInvestorsField("lead_investors", roles=(Role.LEAD,))
    co_lead_investors = RoundInvestorsField("co_lead_investors", roles=(Role.CO_LEAD,))
    participants = RoundInvestorsField("participants", roles=(Role.PARTICIPANT,))
    follow_on_investors = RoundInvestorsField("follow_on_investors", follow_on=True)
    notes = text_field("notes")
    source = source_field()
    source_quote = text_field("source_quote")

    export_select_related = ("company", "source")
    export_prefetch_related = ("participations__investor",)
    column_labels = {
        "lead_investors": _("lead investors"),
        "co_lead_investors": _("co-lead investors"),
        "participants": _("participants"),
        "follow_on_investors": _("follow-on investors"),
    }

    class Meta:
        model = FundingRound
        fields = (
            "id",
            "company",
            "company_name_en",
            "company_name_zh",
            "stage",
            "label",
            "announced_on",
            "amount",
            "currency",
            "pre_money",
            "post_money",
            "valuation_currency",
            "lead_investors",
            "co_lead_investors",
            "participants",
            "follow_on_investors",
            "notes",
            "source",
            "source_quote",
        )
        import_id_fields = ("company", "stage", "label", "announced_on")

    # Import: the investor columns become the round's participations

    def after_init_instance(self, instance, new, row, **kwargs):
        """A round the row updates has its investors read now, before the row changes them: the
        copy import-export keeps of the round as it was then carries them."""
        super().after_init_instance(instance, new, row, **kwargs)
        if not new:
            load_participations(instance)

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        instance._participation_plan = None
        if not any(column in row for column in INVESTOR_COLUMNS):
            if errors:
                raise ValidationError(errors)
            return
        lists = {}
        for column, role in INVESTOR_COLUMNS.items():
            try:
                lists[role] = tuple(self.fields[column].clean(row)) if column in row else ()
            except ValueError as error:
                errors.setdefault(column, []).append(str(error))
        if not errors:
            plan = ParticipationPlan(**lists)
            try:
                plan.roles()
            except ValidationError as error:
                errors = error.update_error_dict(errors)
            instance._participation_plan = plan
        if errors:
            raise ValidationError(errors)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        plan = getattr(instance, "_participation_plan", None)
        if plan is not None and (instance.pk is None or not plan.matches(instance)):
            return False
        return super().skip_row(instance, original, row, import_validation_errors)

    def after_save_instance(self, instance, row, **kwargs):
        plan = getattr(instance, "_participation_plan", None)
        if plan is not None:
            round_participations_set(funding_round=instance, participations=plan.participations())
            # Read again only if something asks (the preview's first rows), not for every row.
            getattr(instance, "_prefetched_objects_cache", {}).pop("participations", None)


class ParticipationResource(PortfolioResource):
    """Participations one by one, each naming its round by id (rounds have no natural key)."""

    id = Column(attribute="id", column_name="id", readonly=True)
    round = Column(attribute="funding_round", column_name="round", widget=RecordIdWidget(FundingRound))
    investor = key_field("investor", Investor, "slug", NAMES)
    role = choice_field("role", Role)
    is_follow_on = boolean_field("is_follow_on")
    amount = decimal_field("amount")
    currency = text_field("currency")
    shares_after = decimal_field("shares_after")
    ownership_after = decimal_field("ownership_after")
    source = source_field()
    source_quote = text_field("source_quote")

    export_select_related = ("funding_round", "investor", "source")

    class Meta:
        model = Participation
        fields = (
            "id",
            "round",
            "investor",
            "role",
            "is_follow_on",
            "amount",
            "currency",
            "shares_after",
            "ownership_after",
            "source",
            "source_quote",
        )
        import_id_fields = ("round", "investor")


class ListingResource(PortfolioResource):
    """Listings and exits, matched by company, kind, exchange and date."""

    id = Column(attribute="id", column_name="id", readonly=True)
    company = key_field("company", Company, "slug", NAMES)
    kind = choice_field("kind", ListingKind)
    exchange = text_field("exchange")
    ticker = text_field("ticker")
    listed_on = PartialDateField("listed_on")
    offer_price = decimal_field("offer_price")
    amount_raised = decimal_field("amount_raised")
    currency = text_field("currency")
    notes = text_field("notes")
    source = source_field()
    source_quote = text_field("source_quote")

    export_select_related = ("company", "source")

    class Meta:
        model = Listing
        fields = (
            "id",
            "company",
            "kind",
            "exchange",
            "ticker",
            "listed_on",
            "offer_price",
            "amount_raised",
            "currency",
            "notes",
            "source",
            "source_quote",
        )
        import_id_fields = ("company", "kind", "exchange", "listed_on")


class ValuationMarkResource(PortfolioResource):
    """Valuation marks, matched by company and day."""

    id = Column(attribute="id", column_name="id", readonly=True)
    company = key_field("company", Company, "slug", NAMES)
    marked_on = date_field("marked_on")
    basis = choice_field("basis", MarkBasis)
    value = decimal_field("value")
    price_per_share = decimal_field("price_per_share")
    currency = text_field("currency")
    notes = text_field("notes")
    source = source_field()
    source_quote = text_field("source_quote")

    export_select_related = ("company", "source")

    class Meta:
        model = ValuationMark
        fields = (
            "id",
            "company",
            "marked_on",
            "basis",
            "value",
            "price_per_share",
            "currency",
            "notes",
            "source",
            "source_quote",
        )
        import_id_fields = ("company", "marked_on")
