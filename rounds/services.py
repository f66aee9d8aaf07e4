"""Round histories and company timelines: the read models the API and the exports share."""

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from companies.models import Company
from rounds.choices import Role
from rounds.models import FundingRound, Investor, Participation

LEAD_ROLES = (Role.LEAD, Role.CO_LEAD)

ROUND_HISTORY_COLUMNS = [
    "id",
    "company",
    "company_name_en",
    "company_name_zh",
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
    "lead_investors",
    "participants",
    "follow_on_investors",
    "notes",
    "source",
]


def rounds_with_participations(queryset: QuerySet[FundingRound] | None = None) -> QuerySet[FundingRound]:
    """Rounds with everything a history needs in three queries, however many rounds there are."""
    queryset = FundingRound.objects.all() if queryset is None else queryset
    participations = Participation.objects.select_related("investor").order_by("role", "investor__name_en")
    return queryset.select_related("company", "source").prefetch_related(
        Prefetch("participations", queryset=participations)
    )


def company_round_history(*, company: Company) -> QuerySet[FundingRound]:
    """A company's rounds, oldest first; rounds of unknown date come last."""
    rounds = FundingRound.objects.filter(company=company)
    return rounds_with_participations(rounds).order_by("announced_on", "id")


def investor_label(participation: Participation) -> str:
    investor = participation.investor
    return f"{investor.name_en} ({investor.name_zh})" if investor.name_zh else investor.name_en


def round_history_rows(rounds: Iterable[FundingRound]) -> Iterator[dict]:
    """One flat row per round, investors joined, for CSV and spreadsheet exports."""
    for funding_round in rounds:
        participations = list(funding_round.participations.all())
        leads = [p for p in participations if p.role in LEAD_ROLES]
        others = [p for p in participations if p.role not in LEAD_ROLES]
        yield {
            "id": funding_round.pk,
            "company": funding_round.company.slug,
            "company_name_en": funding_round.company.name_en,
            "company_name_zh": funding_round.company.name_zh,
            "stage": funding_round.stage,
            "label": funding_round.label,
            "announced_on": funding_round.announced_on,
            "announced_on_precision": funding_round.announced_on_precision,
            "announced_on_display": funding_round.announced_on_display,
            "amount": funding_round.amount,
            "currency": funding_round.currency,
            "pre_money": funding_round.pre_money,
            "post_money": funding_round.post_money,
            "valuation_currency": funding_round.valuation_currency,
            "lead_investors": "; ".join(investor_label(p) for p in leads),
            "participants": "; ".join(investor_label(p) for p in others),
            "follow_on_investors": "; ".join(investor_label(p) for p in participations if p.is_follow_on),
            "notes": funding_round.notes,
            "source": funding_round.source.title if funding_round.source else "",
        }


@dataclass(frozen=True)
class ParticipationPlan:
    """Who is in a round and how, as a spreadsheet row lists them: one list per role, plus follow-ons."""

    leads: tuple[Investor, ...] = ()
    co_leads: tuple[Investor, ...] = ()
    participants: tuple[Investor, ...] = ()
    follow_on: tuple[Investor, ...] = ()

    def roles(self) -> dict[int, tuple[str, bool]]:
        """Role and follow-on flag by investor id; an investor in two role lists is an error."""
        follow_on = {investor.pk for investor in self.follow_on}
        roles: dict[int, tuple[str, bool]] = {}
        errors: dict[str, list[str]] = {}
        lists = (
            ("lead_investors", Role.LEAD, self.leads),
            ("co_lead_investors", Role.CO_LEAD, self.co_leads),
            ("participants", Role.PARTICIPANT, self.participants),
        )
        for column, role, investors in lists:
            for investor in investors:
                if investor.pk in roles:
                    errors.setdefault(column, []).append(
                        _("%(investor)s is listed in two roles.") % {"investor": investor.slug}
                    )
                roles[investor.pk] = (role, investor.pk in follow_on)
        strays = [investor.slug for investor in self.follow_on if investor.pk not in roles]
        if strays:
            errors["follow_on_investors"] = [
                _("A follow-on investor must also be listed as lead, co-lead or participant: %(investors)s.")
                % {"investors": ", ".join(strays)}
            ]
        if errors:
            raise ValidationError(errors)
        return roles

    def matches(self, funding_round: FundingRound) -> bool:
        """Whether the round already has exactly these investors in these roles."""
        current = {p.investor_id: (p.role, p.is_follow_on) for p in funding_round.participations.all()}
        return current == self.roles()


def round_participations_set(*, funding_round: FundingRound, plan: ParticipationPlan) -> None:
    """Make the round's participations those of the plan, keeping the amounts and sources of those that stay.

    Each change is saved one by one so that every participation's history records it.
    """
    wanted = plan.roles()
    for participation in funding_round.participations.select_related("investor"):
        if participation.investor_id not in wanted:
            participation.delete()
            continue
        role, is_follow_on = wanted.pop(participation.investor_id)
        if (participation.role, participation.is_follow_on) != (role, is_follow_on):
            participation.role, participation.is_follow_on = role, is_follow_on
            participation.save()
    for investor_id, (role, is_follow_on) in wanted.items():
        Participation.objects.create(
            funding_round=funding_round, investor_id=investor_id, role=role, is_follow_on=is_follow_on
        )


@dataclass(frozen=True)
class TimelineItem:
    kind: str
    id: int
    date: datetime.date | None
    precision: str
    display: str
    title: str


def company_timeline(*, company: Company) -> list[dict]:
    """Rounds, listings, model releases and KPIs of a company as one dated list, oldest first.

    Undated items come last. Four queries, whatever the number of items.
    """
    items: list[TimelineItem] = []
    for funding_round in FundingRound.objects.filter(company=company):
        items.append(
            TimelineItem(
                "round",
                funding_round.pk,
                funding_round.announced_on,
                funding_round.announced_on_precision,
                funding_round.announced_on_display,
                funding_round.label or funding_round.get_stage_display(),
            )
        )
    for listing in company.listings.all():
        where = " ".join(part for part in (listing.exchange, listing.ticker) if part)
        items.append(
            TimelineItem(
                "listing",
                listing.pk,
                listing.listed_on,
                listing.listed_on_precision,
                listing.listed_on_display,
                f"{listing.get_kind_display()} {where}".strip(),
            )
        )
    for release in company.model_releases.all():
        items.append(
            TimelineItem(
                "model_release",
                release.pk,
                release.released_on,
                release.released_on_precision,
                release.released_on_display,
                release.name,
            )
        )
    for kpi in company.kpis.select_related("metric", "model_release"):
        subject = f"{kpi.model_release.name} " if kpi.model_release else ""
        precision, display = kpi.period
        items.append(
            TimelineItem(
                "kpi",
                kpi.pk,
                kpi.period_start or kpi.period_end,
                precision,
                display,
                f"{subject}{kpi.metric.name_en}: {kpi.value_display}",
            )
        )
    items.sort(key=lambda item: (item.date is None, item.date or datetime.date.min, item.kind, item.id))
    return [asdict(item) for item in items]
