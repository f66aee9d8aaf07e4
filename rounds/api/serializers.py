"""API representations of investors, funding rounds, participations and listings."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from companies.api.serializers import CompanyRelatedSerializer
from portfolio.api.fields import StrictCountryField, StrictPrimaryKeyRelatedField, StrictSlugRelatedField
from portfolio.api.serializers import RECORD_FIELDS, AliasesField, ModelValidatedSerializer
from rounds.choices import Role
from rounds.models import FundingRound, Investor, Listing, Participation
from rounds.services import (
    PARTICIPATION_DETAILS,
    ParticipationSpec,
    funding_round_save,
    participation_save,
)

INVESTOR_FIELDS = ("investor", "investor_name_en", "investor_name_zh")
# A participation's own fields, inside its round or on its own.
PARTICIPATION_FIELDS = (*INVESTOR_FIELDS, "role", "is_follow_on", *PARTICIPATION_DETAILS)


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
            "pre_money",
            "post_money",
            "valuation_currency",
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


class ListingSerializer(CompanyRelatedSerializer):
    listed_on_display = serializers.CharField(read_only=True)

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
