"""Admin for investors, funding rounds, participations and listings.

Rounds and listings are edited inline on the company page. The companies app may not
import this one, so the company admin is extended here rather than there.
"""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django_countries.filters import CountryFilter

from companies.admin import CompanyAdmin
from companies.models import Company
from portfolio.admin import (
    RECORD_ID,
    SOURCE_FIELDSET,
    TIMESTAMPS_FIELDSET,
    ChangesWithoutTimestamps,
    CurrencyFilter,
    PortfolioAdmin,
    PortfolioImportAdmin,
    PortfolioInline,
    money_column,
    partial_date_column,
)
from portfolio.api.exports import CSV, EXPORT_FORMATS, export_response
from rounds.choices import Role
from rounds.models import FundingRound, Investor, Listing, Participation, ValuationMark
from rounds.overview import POSITION_PERMISSIONS, company_context, overview_context
from rounds.resources import (
    FundingRoundResource,
    InvestorResource,
    ListingResource,
    ParticipationResource,
    ValuationMarkResource,
)
from rounds.services import (
    company_round_history,
    participation_delete,
    participation_save,
    round_investors_touch,
)


@admin.register(Investor)
class InvestorAdmin(PortfolioImportAdmin):
    resource_classes = [InvestorResource]
    list_display = ("name_en", "name_zh", "slug", "kind", "country", "is_house", "round_count")
    list_filter = ("kind", "is_house", ("country", CountryFilter))
    search_fields = Investor.search_fields
    prepopulated_fields = {"slug": ("name_en",)}
    fieldsets = (
        (None, {"fields": ("name_en", "name_zh", "slug", "aliases")}),
        (_("Profile"), {"fields": ("kind", "country", "website", "is_house")}),
        TIMESTAMPS_FIELDSET,
    )

    def get_queryset(self, request):
        # An aggregate query drops the model's default ordering, which paging (and autocomplete) needs.
        queryset = super().get_queryset(request).annotate(round_count=Count("participations"))
        return queryset.order_by(*Investor._meta.ordering, "pk")

    @admin.display(description=_("rounds"), ordering="round_count")
    def round_count(self, obj: Investor) -> int:
        return obj.round_count


class ParticipationInline(PortfolioInline):
    """The investors of a round, edited on the round's page; the stake an investor holds after the
    round (shares, ownership) on the participation's own page, which each row links to."""

    model = Participation
    fields = ("investor", "role", "is_follow_on", "amount", "currency", "source", "source_quote")
    autocomplete_fields = ("investor", "source")
    extra = 1
    show_change_link = True


def investor_history(funding_round_id: int) -> list[dict]:
    """Every change to a round's participations, newest first, each with the fields it changed.

    Participations are edited inline on the round's page, so their history belongs on the
    round's history page too. Three queries, however long the history.
    """
    records = list(
        Participation.history.filter(funding_round_id=funding_round_id)
        .select_related("investor", "history_user")
        .order_by("history_date", "history_id")
    )
    entries, previous = [], {}
    for record in records:
        earlier = previous.get(record.id)
        changes = []
        if earlier is not None and record.history_type == "~":
            delta = record.diff_against(earlier, foreign_keys_are_objs=True)
            changes = ChangesWithoutTimestamps(Participation, record).context_for_delta_changes(delta)
        entries.append({"record": record, "changes": changes})
        previous[record.id] = record
    return entries[::-1]


@admin.register(FundingRound)
class FundingRoundAdmin(PortfolioImportAdmin):
    resource_classes = [FundingRoundResource]
    list_display = (
        "company",
        "stage",
        "label",
        "announced_on_display",
        "amount_display",
        "post_money_display",
        "lead_investors",
    )
    list_filter = ("stage", "announced_on_precision", ("currency", CurrencyFilter))
    list_select_related = ("company",)
    search_fields = FundingRound.search_fields
    autocomplete_fields = ("company", "source")
    date_hierarchy = "announced_on"
    fieldsets = (
        (None, {"fields": ("company", "stage", "label", "announced_on")}),
        (_("Money"), {"fields": (("amount", "currency"), ("pre_money", "post_money", "valuation_currency"))}),
        (_("Notes"), {"fields": ("notes",)}),
        SOURCE_FIELDSET,
        TIMESTAMPS_FIELDSET,
    )
    inlines = [ParticipationInline]
    object_history_template = "admin/rounds/fundinground/object_history.html"
    announced_on_display = partial_date_column("announced_on", _("announced on"))
    amount_display = money_column("amount", "currency", _("amount"))
    post_money_display = money_column("post_money", "valuation_currency", _("post-money"))

    def get_queryset(self, request):
        leads = Participation.objects.filter(role__in=[Role.LEAD, Role.CO_LEAD]).select_related("investor")
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("participations", leads, "lead_participations"))
        )

    def history_view(self, request, object_id, extra_context=None):
        if RECORD_ID.fullmatch(unquote(object_id)):
            investor_changes = investor_history(int(unquote(object_id)))
            extra_context = {**(extra_context or {}), "investor_changes": investor_changes}
        return super().history_view(request, object_id, extra_context)

    @admin.display(description=_("lead investors"))
    def lead_investors(self, obj: FundingRound) -> str:
        return ", ".join(str(p.investor) for p in obj.lead_participations) or "—"


@admin.register(Participation)
class ParticipationAdmin(PortfolioAdmin):
    resource_classes = [ParticipationResource]
    list_display = ("investor", "funding_round", "role", "is_follow_on", "amount_display")
    list_filter = ("role", "is_follow_on")
    list_select_related = ("investor", "funding_round__company")
    search_fields = Participation.search_fields
    autocomplete_fields = ("funding_round", "investor", "source")
    fieldsets = (
        (None, {"fields": ("funding_round", "investor", "role", "is_follow_on", ("amount", "currency"))}),
        (_("Stake"), {"fields": (("shares_after", "ownership_after"),)}),
        SOURCE_FIELDSET,
        TIMESTAMPS_FIELDSET,
    )
    amount_display = money_column("amount", "currency", _("amount"))

    # A participation saved here, not on its round's page, advances the round's version too.

    def save_model(self, request, obj, form, change):
        obj._history_user = request.user
        participation_save(participation=obj)

    def delete_model(self, request, obj):
        participation_delete(participation=obj)

    def delete_queryset(self, request, queryset):
        round_ids = set(queryset.values_list("funding_round_id", flat=True))
        super().delete_queryset(request, queryset)
        round_investors_touch(round_ids=round_ids)


@admin.register(Listing)
class ListingAdmin(PortfolioAdmin):
    resource_classes = [ListingResource]
    list_display = (
        "company",
        "kind",
        "exchange",
        "ticker",
        "listed_on_display",
        "offer_price",
        "amount_raised_display",
    )
    list_filter = ("kind", "exchange")
    list_select_related = ("company",)
    search_fields = Listing.search_fields
    autocomplete_fields = ("company", "source")
    date_hierarchy = "listed_on"
    fieldsets = (
        (None, {"fields": ("company", "kind", "exchange", "ticker", "listed_on")}),
        (_("Money"), {"fields": (("offer_price", "amount_raised", "currency"),)}),
        (_("Notes"), {"fields": ("notes",)}),
        SOURCE_FIELDSET,
        TIMESTAMPS_FIELDSET,
    )
    listed_on_display = partial_date_column("listed_on", _("listed on"))
    amount_raised_display = money_column("amount_raised", "currency", _("amount raised"))


@admin.register(ValuationMark)
class ValuationMarkAdmin(PortfolioImportAdmin):
    """What the firm marks a company at; rounds with a post-money and listings count as marks too."""

    resource_classes = [ValuationMarkResource]
    list_display = ("company", "marked_on", "basis", "value_display", "price_per_share")
    list_filter = ("basis", ("currency", CurrencyFilter))
    list_select_related = ("company",)
    search_fields = ValuationMark.search_fields
    autocomplete_fields = ("company", "source")
    date_hierarchy = "marked_on"
    fieldsets = (
        (None, {"fields": ("company", "marked_on", "basis")}),
        (_("Value"), {"fields": (("value", "price_per_share", "currency"),)}),
        (_("Notes"), {"fields": ("notes",)}),
        SOURCE_FIELDSET,
        TIMESTAMPS_FIELDSET,
    )
    value_display = money_column("value", "currency", _("company value"))


class FundingRoundInline(PortfolioInline):
    """A company's rounds on its page; participations are edited on the round's own page."""

    model = FundingRound
    fields = ("stage", "label", "announced_on", "amount", "currency")
    extra = 0
    show_change_link = True
    ordering = ("announced_on", "id")


class ListingInline(PortfolioInline):
    """A company's listings and exits on its page."""

    model = Listing
    fields = ("kind", "exchange", "ticker", "listed_on")
    extra = 0
    show_change_link = True


class ValuationMarkInline(PortfolioInline):
    """A company's valuation marks on its page."""

    model = ValuationMark
    fields = ("marked_on", "basis", "value", "price_per_share", "currency")
    extra = 0
    show_change_link = True
    ordering = ("marked_on",)


admin.site.unregister(Company)


@admin.register(Company)
class CompanyWithRoundsAdmin(CompanyAdmin):
    """The company admin with its rounds and listings inline, and its round history as a download."""

    inlines = [FundingRoundInline, ListingInline, ValuationMarkInline, *CompanyAdmin.inlines]
    change_form_template = "admin/companies/company/change_form.html"

    def get_urls(self):
        history = self.admin_site.admin_view(self.round_history_view)
        return [
            path("<path:object_id>/round-history/", history, name="companies_company_round_history"),
            *super().get_urls(),
        ]

    def can_export_round_history(self, request: HttpRequest, company: Company | None = None) -> bool:
        """Downloading a round history needs to see the company and to export its rounds."""
        return self.has_view_permission(request, company) and request.user.has_perm(
            "rounds.export_fundinground"
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_export_round_history": self.can_export_round_history(request),
        }
        company = (
            self.get_object(request, unquote(object_id)) if RECORD_ID.fullmatch(unquote(object_id)) else None
        )
        if company is not None and request.method == "GET":
            extra_context.update(company_context(request, company))
        return super().change_view(request, object_id, form_url, extra_context)

    def round_history_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The company's rounds, oldest first, with the columns of every round export and import."""
        company = self.get_object(request, object_id)
        if company is None:
            raise Http404
        if not self.can_export_round_history(request, company):
            raise PermissionDenied
        export_format = request.GET.get("format", CSV)
        if export_format not in EXPORT_FORMATS:
            return HttpResponse(
                _("Choose csv, xlsx or json."), status=400, content_type="text/plain; charset=utf-8"
            )
        rounds = company_round_history(company=company)
        resource = FundingRoundResource()
        return export_response(
            export_format,
            basename=f"{company.slug}-rounds",
            header=resource.export_header(),
            rows=resource.export_rows(rounds),
        )


def portfolio_home(request: HttpRequest) -> HttpResponse:
    """The admin's home page: the firm's positions first (for staff who may read them), then the records."""
    extra_context = overview_context(request) if request.user.has_perms(POSITION_PERMISSIONS) else {}
    return admin.site.index(request, extra_context=extra_context)
