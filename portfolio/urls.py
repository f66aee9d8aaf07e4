"""Root URLs: the admin and its language switch, the JSON API with its schema and docs, the health check."""

from django.contrib import admin
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from portfolio.api.views import api_not_found, health
from rounds.admin import portfolio_home

admin.site.site_header = admin.site.site_title = _("Portfolio")
admin.site.index_title = _("Portfolio records")
admin.site.index_template = "admin/index_with_overview.html"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    # The admin's home page, with the firm's positions first; the rest of the admin is Django's.
    path("admin/", admin.site.admin_view(portfolio_home)),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("portfolio.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI with its start-up script as a file of its own, which the Content-Security-Policy allows.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("health/", health, name="health"),
    # Last: any other API path is a JSON 404 (Django's debug 404 page would be HTML).
    re_path(r"^api/(?P<path>.*)$", api_not_found),
]

handler404 = "portfolio.api.views.not_found"
handler500 = "portfolio.api.views.server_error"
