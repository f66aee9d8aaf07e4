"""API views of the rounds app, and the company round history and timeline that need rounds."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from companies.models import KPI, Company, ModelRelease
from fx.rates import reporting_currency
from portfolio.api.exports import EXPORT_FORMATS, export_response, requested_export_format
from portfolio.api.permissions import ViewPermissions, check_export_permission
from portfolio.api.viewsets import PortfolioViewSet, TransactionPerWrite, reject_unknown_parameters
from portfolio.filters import query_parameter_names
from rounds.api.serializers import (
    FundingRoundSerializer,
    InvestorSerializer,
    ListingSerializer,
    ParticipationSerializer,
    PortfolioSerializer,
    PositionSerializer,
    TimelineItemSerializer,
    ValuationMarkSerializer,
)
from rounds.filters import (
    AsOfField,
    FundingRoundFilterSet,
    InvestorFilterSet,
    ListingFilterSet,
    ParticipationFilterSet,
    PositionFilterSet,
    ValuationMarkFilterSet,
)
from rounds.models import FundingRound, Investor, Listing, Participation, ValuationMark
from rounds.positions import (
    POSITION_COLUMNS,
    portfolio_totals,
    position_row_schema,
    position_rows,
    positions_as_of,
    positions_ordered,
)
from rounds.representations import RoundReader
from rounds.resources import (
    FundingRoundResource,
    InvestorResource,
    ListingResource,
    ParticipationResource,
    ValuationMarkResource,
)
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

    def read_records(self, queryset, ids=None) -> list[dict]:
        return RoundReader().read(queryset, ids)


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


class ValuationMarkViewSet(PortfolioViewSet):
    queryset = ValuationMark.objects.select_related("company").order_by("id")
    serializer_class = ValuationMarkSerializer
    filterset_class = ValuationMarkFilterSet
    export_basename = "valuation-marks"
    export_resource = ValuationMarkResource


class CompanyRoundHistoryView(TransactionPerWrite, generics.GenericAPIView):
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
            return Response(RoundReader().read(rounds))
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


# The models a position is computed from: reading one needs the view permission of each.
POSITION_MODELS = (Company, FundingRound, Participation, Listing, ValuationMark)


class PortfolioView(generics.GenericAPIView):
    """The firm's positions as of a day (today by default), one per portfolio company, with totals;
    every money figure in the reporting currency, unknown ones null with the reason."""

    queryset = Company.objects.all()
    serializer_class = PortfolioSerializer
    permission_classes = [ViewPermissions.of(*POSITION_MODELS)]
    filter_backends = [DjangoFilterBackend]
    filterset_class = PositionFilterSet
    pagination_class = None
    export_formats = EXPORT_FORMATS
    export_row_schema = staticmethod(position_row_schema)

    @extend_schema(
        filters=True,  # the filterset's parameters, though the answer is one object, not a page
        examples=[
            OpenApiExample(
                "A position with an unknown cost",
                value={
                    "as_of": "2026-11-30",
                    "currency": "USD",
                    "count": 1,
                    "totals": {
                        "cost": {
                            "amount": None,
                            "currency": "USD",
                            "rate": None,
                            "rate_date": None,
                            "rate_origin": "",
                            "reason": "1 of 1 positions have no known cost.",
                        },
                        "positions": 1,
                        "positions_with_cost": 0,
                    },
                    "results": [
                        {
                            "company": "zhipu-ai",
                            "company_name_en": "Zhipu AI",
                            "company_name_zh": "智谱",
                            "first_investment": {"round": 1, "label": "A轮", "role": "lead"},
                            "cost": {"amount": None, "reason": "A轮 (2021): The amount is not known."},
                            "ownership": {"percent": None, "basis": ""},
                        }
                    ],
                },
                response_only=True,
            )
        ],
    )
    def get(self, request):
        reject_unknown_parameters(request, allowed=query_parameter_names(PositionFilterSet) | {"format"})
        filterset = PositionFilterSet(request.query_params, queryset=self.get_queryset(), request=request)
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        as_of = filterset.form.cleaned_data.get("as_of") or timezone.localdate()
        positions = positions_as_of(as_of=as_of, companies=filterset.qs)
        positions = positions_ordered(positions, filterset.form.cleaned_data.get("ordering"))
        export_format = requested_export_format(request)
        if export_format is not None:
            check_export_permission(request, *POSITION_MODELS)
            return export_response(
                export_format,
                basename=f"portfolio-as-of-{as_of.isoformat()}",
                header=list(POSITION_COLUMNS),
                rows=position_rows(positions),
            )
        portfolio = {
            "as_of": as_of,
            "currency": reporting_currency(),
            "count": len(positions),
            "totals": portfolio_totals(positions),
            "results": positions,
        }
        return Response(PortfolioSerializer(portfolio).data)


class CompanyPositionView(generics.GenericAPIView):
    """The firm's position in one company as of a day (today by default)."""

    queryset = Company.objects.all()
    serializer_class = PositionSerializer
    permission_classes = [ViewPermissions.of(*POSITION_MODELS)]
    pagination_class = None
    filter_backends = []

    @extend_schema(
        parameters=[OpenApiParameter("as_of", str, description=_("As of (YYYY-MM-DD; today if not given)"))],
        examples=[
            OpenApiExample(
                "A position valued at a write-down",
                value={
                    "company": "alpha",
                    "as_of": "2025-12-31",
                    "currency": "USD",
                    "first_investment": {"round": 1, "label": "Series A", "role": "lead"},
                    "cost": {
                        "amount": "8125000.00",
                        "currency": "USD",
                        "rate": None,
                        "rate_date": None,
                        "rate_origin": "",
                        "reason": "",
                    },
                    "ownership": {"percent": "4.3333", "basis": "implied", "reason": "", "not_counted": []},
                    "mark": {"kind": "mark", "date": "2025-06-30", "basis": "write_down"},
                    "value": {
                        "amount": "8666666.67",
                        "currency": "USD",
                        "rate": "0.142857142857",
                        "rate_date": "2025-12-31",
                        "rate_origin": "ecb",
                        "reason": "",
                    },
                    "value_method": "ownership_times_value",
                    "moic": {"value": "1.07", "reason": ""},
                    "irr": {"value": "0.024812", "reason": ""},
                },
                response_only=True,
            )
        ],
    )
    def get(self, request, slug: str):
        company = get_object_or_404(Company, slug=slug)
        reject_unknown_parameters(request, allowed={"as_of"})
        try:
            as_of = AsOfField(required=False).clean(request.query_params.get("as_of")) or timezone.localdate()
        except DjangoValidationError as error:
            raise ValidationError({"as_of": error.messages}) from None
        positions = positions_as_of(as_of=as_of, companies=Company.objects.filter(pk=company.pk))
        if not positions:
            raise Http404(
                _("The firm holds no position in %(company)s as of %(day)s.")
                % {"company": company.name_en, "day": as_of.isoformat()}
            )
        return Response(PositionSerializer(positions[0]).data)
