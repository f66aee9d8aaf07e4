"""The one API router: every resource of every app, under /api/v1/."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from companies.api.views import (
    CompanyKPISeriesView,
    CompanyViewSet,
    KPIViewSet,
    MetricViewSet,
    ModelReleaseViewSet,
    SourceViewSet,
)
from portfolio.api.changes import ChangeFeedView, feed_resources
from rounds.api.views import (
    CompanyPositionView,
    CompanyRoundHistoryView,
    CompanyTimelineView,
    FundingRoundViewSet,
    InvestorViewSet,
    ListingViewSet,
    ParticipationViewSet,
    PortfolioView,
    ValuationMarkViewSet,
)

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("companies", CompanyViewSet, basename="company")
router.register("sources", SourceViewSet, basename="source")
router.register("model-releases", ModelReleaseViewSet, basename="modelrelease")
router.register("metrics", MetricViewSet, basename="metric")
router.register("kpis", KPIViewSet, basename="kpi")
router.register("investors", InvestorViewSet, basename="investor")
router.register("rounds", FundingRoundViewSet, basename="fundinground")
router.register("participations", ParticipationViewSet, basename="participation")
router.register("listings", ListingViewSet, basename="listing")
router.register("valuation-marks", ValuationMarkViewSet, basename="valuationmark")

app_name = "api"
urlpatterns = [
    path("changes/", ChangeFeedView.as_view(resources=feed_resources(router.registry)), name="changes"),
    path("companies/<slug:slug>/rounds/", CompanyRoundHistoryView.as_view(), name="company-rounds"),
    path("companies/<slug:slug>/timeline/", CompanyTimelineView.as_view(), name="company-timeline"),
    path("companies/<slug:slug>/position/", CompanyPositionView.as_view(), name="company-position"),
    path("companies/<slug:slug>/kpis/series/", CompanyKPISeriesView.as_view(), name="company-kpi-series"),
    path("portfolio/", PortfolioView.as_view(), name="portfolio"),
    path("", include(router.urls)),
]
