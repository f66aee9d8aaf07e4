"""API representations of investors, funding rounds, participations and listings."""

from rest_framework import serializers

from companies.api.serializers import TIMESTAMPS, CompanyRelatedSerializer
from portfolio.api.fields import StrictCountryField, StrictPrimaryKeyRelatedField, StrictSlugRelatedField
from portfolio.api.serializers import AliasesField, ModelValidatedSerializer
from rounds.models import FundingRound, Investor, Listing, Participation

INVESTOR_FIELDS = ("investor", "investor_name_en", "investor_name_zh")


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
            *TIMESTAMPS,
        )


class InvestorRelatedMixin(serializers.Serializer):
    investor = StrictSlugRelatedField(slug_field="slug", queryset=Investor.objects.all())
    investor_name_en = serializers.CharField(source="investor.name_en", read_only=True)
    investor_name_zh = serializers.CharField(source="investor.name_zh", read_only=True)


class RoundParticipationSerializer(InvestorRelatedMixin, serializers.ModelSerializer):
    """A participation as shown inside its round."""

    currency = serializers.CharField(
        read_only=True, help_text="ISO 4217 code; empty while no amount is known."
    )

    class Meta:
        model = Participation
        fields = ("id", *INVESTOR_FIELDS, "role", "is_follow_on", "amount", "currency")
        read_only_fields = fields


class FundingRoundSerializer(CompanyRelatedSerializer):
    announced_on_display = serializers.CharField(read_only=True)
    participations = RoundParticipationSerializer(many=True, read_only=True)

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
            *TIMESTAMPS,
        )


class ParticipationSerializer(InvestorRelatedMixin, ModelValidatedSerializer):
    round = StrictPrimaryKeyRelatedField(source="funding_round", queryset=FundingRound.objects.all())

    class Meta:
        model = Participation
        fields = (
            "id",
            "round",
            *INVESTOR_FIELDS,
            "role",
            "is_follow_on",
            "amount",
            "currency",
            "source",
            "source_quote",
            *TIMESTAMPS,
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
            *TIMESTAMPS,
        )


class TimelineItemSerializer(serializers.Serializer):
    """One dated event of a company: a round, a listing, a model release or a KPI."""

    kind = serializers.ChoiceField(choices=["round", "listing", "model_release", "kpi"])
    id = serializers.IntegerField()
    date = serializers.DateField(allow_null=True)
    precision = serializers.CharField()
    display = serializers.CharField()
    title = serializers.CharField()
