"""API views of the rounds app, and the company round history and timeline that need rounds."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.response import Response

from companies.models import KPI, Company, ModelRelease
from portfolio.api.exports import EXPORT_FORMATS, export_response, requested_export_format
from portfolio.api.permissions import ViewPermissions, check_export_permission
from portfolio.api.viewsets import PortfolioViewSet, reject_unknown_parameters
from rounds.api.serializers import (
    FundingRoundSerializer,
    InvestorSerializer,
    ListingSerializer,
    ParticipationSerializer,
    TimelineItemSerializer,
)
from rounds.filters import FundingRoundFilterSet, InvestorFilterSet, ListingFilterSet, ParticipationFilterSet
from rounds.models import FundingRound, Investor, Listing, Participation
from rounds.resources import FundingRoundResource, InvestorResource, ListingResource, ParticipationResource
from rounds.services import (
    company_round_history,
    company_timeline,
    participation_delete,
    rounds_with_participations,
)


class InvestorViewSet(PortfolioViewSet):
    queryset = Investor.objects.order_by("slug")
    serializer_class = InvestorSerializer
    filterset_class = InvestorFilterSet
    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    export_basename = "investors"
    export_resource = InvestorResource


class FundingRoundViewSet(PortfolioViewSet):
    queryset = rounds_with_participations().order_by("id")
    serializer_class = FundingRoundSerializer
    filterset_class = FundingRoundFilterSet
    export_basename = "rounds"
    export_resource = FundingRoundResource


class ParticipationViewSet(PortfolioViewSet):
    queryset = Participation.objects.select_related("investor", "funding_round").order_by("id")
    serializer_class = ParticipationSerializer
    filterset_class = ParticipationFilterSet
    export_basename = "participations"
    export_resource = ParticipationResource

    def perform_destroy(self, instance: Participation) -> None:
        participation_delete(participation=instance)


class ListingViewSet(PortfolioViewSet):
    queryset = Listing.objects.select_related("company").order_by("id")
    serializer_class = ListingSerializer
    filterset_class = ListingFilterSet
    export_basename = "listings"
    export_resource = ListingResource


class CompanyRoundHistoryView(generics.GenericAPIView):
    """A company's round history, oldest first, each round with its investors."""

    queryset = Company.objects.all()
    serializer_class = FundingRoundSerializer
    permission_classes = [ViewPermissions.of(Company, FundingRound, Participation)]
    lookup_field = "slug"
    pagination_class = None
    filter_backends = []
    export_formats = EXPORT_FORMATS
    export_resource = FundingRoundResource

    @extend_schema(responses=FundingRoundSerializer(many=True))
    def get(self, request, slug: str):
        company = get_object_or_404(Company, slug=slug)
        reject_unknown_parameters(request, allowed={"format"})
        rounds = company_round_history(company=company)
        export_format = requested_export_format(request)
        if export_format is None:
            return Response(self.get_serializer(rounds, many=True).data)
        check_export_permission(request, FundingRound)
        resource = self.export_resource()
        return export_response(
            export_format,
            basename=f"{company.slug}-rounds",
            header=resource.export_header(),
            rows=resource.export_rows(rounds),
        )


class CompanyTimelineView(generics.GenericAPIView):
    """Rounds, listings, model releases and KPIs of a company merged into one dated list, oldest first."""

    queryset = Company.objects.all()
    serializer_class = TimelineItemSerializer
    permission_classes = [ViewPermissions.of(Company, FundingRound, Listing, ModelRelease, KPI)]
    pagination_class = None
    filter_backends = []

    @extend_schema(responses=TimelineItemSerializer(many=True))
    def get(self, request, slug: str):
        company = get_object_or_404(Company, slug=slug)
        reject_unknown_parameters(request, allowed=set())
        return Response(TimelineItemSerializer(company_timeline(company=company), many=True).data)
