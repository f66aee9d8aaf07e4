"""API representations of investors, funding rounds, participations and listings."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from companies.api.serializers import CompanyRelatedSerializer
from fx.serializers import ConvertedAmountField, ConvertedAmountSerializer
from portfolio.api.fields import StrictCountryField, StrictPrimaryKeyRelatedField, StrictSlugRelatedField
from portfolio.api.serializers import RECORD_FIELDS, AliasesField, ModelValidatedSerializer
from rounds.choices import Role
from rounds.models import FundingRound, Investor, Listing, Participation, ValuationMark
from rounds.services import (
    PARTICIPATION_DETAILS,
    ParticipationSpec,
    funding_round_save,
    participation_save,
)

INVESTOR_FIELDS = ("investor", "investor_name_en", "investor_name_zh")
# A participation's own fields, inside its round or on its own: its details and the amount converted.
PARTICIPATION_FIELDS = (
    *INVESTOR_FIELDS,
    "role",
    "is_follow_on",
    "amount",
    "currency",
    "amount_converted",
    *(name for name in PARTICIPATION_DETAILS if name not in ("amount", "currency")),
)


def round_date(record) -> tuple:
    """A round's date and precision, which date its amounts (and its participations')."""
    return record.announced_on, record.announced_on_precision


def participation_date(participation: Participation) -> tuple:
    return round_date(participation.funding_round)


class InvestorSerializer(ModelValidatedSerializer):
    aliases = AliasesField(required=False)
    country = StrictCountryField(required=False, allow_blank=True)

    class Meta:
        model = Investor
        fields = (
            "slug",
            "name_en",
            "name_zh",
            "aliases",
            "kind",
            "country",
            "website",
            "is_house",
            *RECORD_FIELDS,
        )


class InvestorRelatedMixin(serializers.Serializer):
    investor = StrictSlugRelatedField(slug_field="slug", queryset=Investor.objects.all())
    investor_name_en = serializers.CharField(source="investor.name_en", read_only=True)
    investor_name_zh = serializers.CharField(source="investor.name_zh", read_only=True)
    amount_converted = ConvertedAmountField(amount="amount", currency="currency", dated=participation_date)


class RoundParticipationSerializer(InvestorRelatedMixin, ModelValidatedSerializer):
    """A participation as shown, and written, inside its round."""

    model_clean_exclude = ("funding_round",)

    class Meta:
        model = Participation
        fields = ("id", *PARTICIPATION_FIELDS, "version")
        read_only_fields = ("id", "version")


class FundingRoundSerializer(CompanyRelatedSerializer):
    """A round with its investors. POST and PUT may give `participations`: the round then has exactly
    those, written with it in one transaction; without the key (and in a PATCH without it) they stay."""

    announced_on_display = serializers.CharField(read_only=True)
    participations = RoundParticipationSerializer(many=True, required=False)
    amount_converted = ConvertedAmountField(amount="amount", currency="currency", dated=round_date)
    pre_money_converted = ConvertedAmountField(
        amount="pre_money", currency="valuation_currency", dated=round_date
    )
    post_money_converted = ConvertedAmountField(
        amount="post_money", currency="valuation_currency", dated=round_date
    )

    class Meta:
        model = FundingRound
        fields = (
            "id",
            *CompanyRelatedSerializer.COMPANY_FIELDS,
            "stage",
            "label",
            "announced_on",
            "announced_on_precision",
            "announced_on_display",
            "amount",
            "currency",
            "amount_converted",
            "pre_money",
            "post_money",
            "valuation_currency",
            "pre_money_converted",
            "post_money_converted",
            "notes",
            "participations",
            *CompanyRelatedSerializer.SOURCE_FIELDS,
            *RECORD_FIELDS,
        )

    def validate_participations(self, items: list[dict]) -> list[dict]:
        """One participation per investor; a repeated one is an error at its index, as DRF names them."""
        seen: set[int] = set()
        errors: dict[int, dict] = {}
        for index, item in enumerate(items):
            if item["investor"].pk in seen:
                message = _("This investor is already listed above; give one participation per investor.")
                errors[index] = {"investor": [message]}
            seen.add(item["investor"].pk)
        if errors:
            raise serializers.ValidationError(errors)
        return items

    @staticmethod
    def participation_specs(items: list[dict] | None) -> list[ParticipationSpec] | None:
        if items is None:
            return None
        specs = []
        for item in items:
            details = {
                name: item.get(name, Participation._meta.get_field(name).get_default())
                for name in PARTICIPATION_DETAILS
            }
            specs.append(
                ParticipationSpec(
                    investor=item["investor"],
                    role=item.get("role", Role.PARTICIPANT),
                    is_follow_on=item.get("is_follow_on", False),
                    details=details,
                )
            )
        return specs

    def create(self, validated_data):
        participations = self.participation_specs(validated_data.pop("participations", None))
        return funding_round_save(funding_round=FundingRound(**validated_data), participations=participations)

    def update(self, instance, validated_data):
        participations = self.participation_specs(validated_data.pop("participations", None))
        for name, value in validated_data.items():
            setattr(instance, name, value)
        update_fields = list(validated_data) if self.partial else None
        return funding_round_save(
            funding_round=instance, participations=participations, update_fields=update_fields
        )


class ParticipationSerializer(InvestorRelatedMixin, ModelValidatedSerializer):
    """A participation written on its own; its round's version advances with it."""

    round = StrictPrimaryKeyRelatedField(source="funding_round", queryset=FundingRound.objects.all())

    class Meta:
        model = Participation
        fields = ("id", "round", *PARTICIPATION_FIELDS, *RECORD_FIELDS)

    def create(self, validated_data):
        return participation_save(participation=Participation(**validated_data))

    def update(self, instance, validated_data):
        for name, value in validated_data.items():
            setattr(instance, name, value)
        return participation_save(
            participation=instance, update_fields=list(validated_data) if self.partial else None
        )


def listing_date(listing: Listing) -> tuple:
    return listing.listed_on, listing.listed_on_precision


def mark_date(mark: ValuationMark) -> tuple:
    return mark.marked_on, "day"


PRICE_PLACES = Decimal("0.000001")


class ListingSerializer(CompanyRelatedSerializer):
    listed_on_display = serializers.CharField(read_only=True)
    offer_price_converted = ConvertedAmountField(
        amount="offer_price", currency="currency", dated=listing_date, places=PRICE_PLACES
    )
    amount_raised_converted = ConvertedAmountField(
        amount="amount_raised", currency="currency", dated=listing_date
    )

    class Meta:
        model = Listing
        fields = (
            "id",
            *CompanyRelatedSerializer.COMPANY_FIELDS,
            "kind",
            "exchange",
            "ticker",
            "listed_on",
            "listed_on_precision",
            "listed_on_display",
            "offer_price",
            "amount_raised",
            "currency",
            "offer_price_converted",
            "amount_raised_converted",
            "notes",
            *CompanyRelatedSerializer.SOURCE_FIELDS,
            *RECORD_FIELDS,
        )


class ValuationMarkSerializer(CompanyRelatedSerializer):
    value_converted = ConvertedAmountField(amount="value", currency="currency", dated=mark_date)
    price_per_share_converted = ConvertedAmountField(
        amount="price_per_share", currency="currency", dated=mark_date, places=PRICE_PLACES
    )

    class Meta:
        model = ValuationMark
        fields = (
            "id",
            *CompanyRelatedSerializer.COMPANY_FIELDS,
            "marked_on",
            "basis",
            "value",
            "price_per_share",
            "currency",
            "value_converted",
            "price_per_share_converted",
            "notes",
            *CompanyRelatedSerializer.SOURCE_FIELDS,
            *RECORD_FIELDS,
        )


class TimelineItemSerializer(serializers.Serializer):
    """One dated event of a company: a round, a listing, a model release or a KPI."""

    kind = serializers.ChoiceField(choices=["round", "listing", "model_release", "kpi"])
    id = serializers.IntegerField()
    date = serializers.DateField(allow_null=True)
    precision = serializers.CharField()
    display = serializers.CharField()
    title = serializers.CharField()


# The firm's view: positions are computed (`rounds.positions`), so these serializers only read.


class FigureSerializer(serializers.Serializer):
    """A computed number, or null with the reason."""

    value = serializers.DecimalField(
        max_digits=30, decimal_places=6, allow_null=True, normalize_output=True, coerce_to_string=True
    )
    reason = serializers.CharField()


class OwnershipSerializer(serializers.Serializer):
    percent = serializers.DecimalField(max_digits=9, decimal_places=4, allow_null=True)
    basis = serializers.ChoiceField(choices=["", "stated", "implied"])
    reason = serializers.CharField()
    not_counted = serializers.ListField(
        child=serializers.CharField(), help_text=_("Rounds whose dilution could not be computed.")
    )


class MarkSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["mark", "listing", "round"])
    id = serializers.IntegerField(source="record_id")
    date = serializers.DateField(source="on")
    display = serializers.CharField()
    basis = serializers.CharField()
    company_value = serializers.DecimalField(max_digits=30, decimal_places=2, allow_null=True)
    price_per_share = serializers.DecimalField(
        max_digits=30, decimal_places=6, allow_null=True, normalize_output=True, coerce_to_string=True
    )
    currency = serializers.CharField()


class InvestmentSerializer(serializers.Serializer):
    """One round the firm joined."""

    round = serializers.IntegerField(source="funding_round.pk")
    stage = serializers.CharField(source="funding_round.stage")
    label = serializers.CharField(source="funding_round.label")
    announced_on = serializers.DateField(source="funding_round.announced_on", allow_null=True)
    announced_on_precision = serializers.CharField(source="funding_round.announced_on_precision")
    announced_on_display = serializers.CharField(source="funding_round.announced_on_display")
    role = serializers.CharField(source="participation.role")
    is_follow_on = serializers.BooleanField(source="participation.is_follow_on")
    amount = serializers.DecimalField(
        source="participation.amount", max_digits=20, decimal_places=2, allow_null=True
    )
    currency = serializers.CharField(source="participation.currency")
    cost = ConvertedAmountSerializer()


class PositionSerializer(serializers.Serializer):
    """The firm's position in one company as of a day, every money figure in the reporting currency."""

    company = serializers.CharField(source="company.slug")
    company_name_en = serializers.CharField(source="company.name_en")
    company_name_zh = serializers.CharField(source="company.name_zh")
    status = serializers.CharField(source="company.status")
    sector = serializers.CharField(source="company.sector")
    country = serializers.CharField(source="company.country.code")
    as_of = serializers.DateField()
    currency = serializers.CharField()
    first_investment = InvestmentSerializer()
    rounds = InvestmentSerializer(source="investments", many=True)
    cost = ConvertedAmountSerializer()
    ownership = OwnershipSerializer()
    shares = FigureSerializer()
    mark = MarkSerializer(allow_null=True)
    value = ConvertedAmountSerializer()
    value_method = serializers.ChoiceField(
        choices=["", "shares_times_price", "ownership_times_value", "written_off"]
    )
    moic = FigureSerializer()
    irr = FigureSerializer(help_text=_("A yearly rate as a fraction: 0.25 is 25% a year."))


class PortfolioTotalsSerializer(serializers.Serializer):
    """The portfolio's sums; known only when every position's figure is known."""

    cost = ConvertedAmountSerializer()
    value = ConvertedAmountSerializer()
    moic = FigureSerializer()
    irr = FigureSerializer()
    known_cost = serializers.DecimalField(max_digits=30, decimal_places=2)
    known_value = serializers.DecimalField(max_digits=30, decimal_places=2)
    positions = serializers.IntegerField()
    positions_with_cost = serializers.IntegerField()
    positions_with_value = serializers.IntegerField()


class PortfolioSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    currency = serializers.CharField()
    count = serializers.IntegerField()
    totals = PortfolioTotalsSerializer()
    results = PositionSerializer(many=True)
