"""Round histories, timelines, and the writes of a round with its investors that the API and imports share."""

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from companies.models import Company
from portfolio.history import create_with_history
from rounds.choices import Role
from rounds.models import PARTICIPATION_ORDER, FundingRound, Investor, Participation


def rounds_with_participations(queryset: QuerySet[FundingRound] | None = None) -> QuerySet[FundingRound]:
    """Rounds with everything a history needs in three queries, however many rounds there are."""
    queryset = FundingRound.objects.all() if queryset is None else queryset
    participations = Participation.objects.select_related("investor").order_by(*PARTICIPATION_ORDER)
    return queryset.select_related("company", "source").prefetch_related(
        Prefetch("participations", queryset=participations)
    )


def company_round_history(*, company: Company) -> QuerySet[FundingRound]:
    """A company's rounds, oldest first; rounds of unknown date come last."""
    rounds = FundingRound.objects.filter(company=company)
    return rounds_with_participations(rounds).order_by("announced_on", "id")


@dataclass(frozen=True)
class ParticipationSpec:
    """One investor's part in a round, as a write of the round gives it.

    `details` holds the participation's amount, currency, source and quote; None keeps those
    already stored (a spreadsheet lists investors by role only).
    """

    investor: Investor
    role: str
    is_follow_on: bool = False
    details: Mapping[str, Any] | None = None


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

    def participations(self) -> list[ParticipationSpec]:
        """The plan as the participations a round write takes, keeping each one's amount and source."""
        investors = {i.pk: i for i in (*self.leads, *self.co_leads, *self.participants)}
        return [
            ParticipationSpec(investors[pk], role, is_follow_on)
            for pk, (role, is_follow_on) in self.roles().items()
        ]

    def matches(self, funding_round: FundingRound) -> bool:
        """Whether the round already has exactly these investors in these roles."""
        current = {p.investor_id: (p.role, p.is_follow_on) for p in funding_round.participations.all()}
        return current == self.roles()


PARTICIPATION_DETAILS = ("amount", "currency", "shares_after", "ownership_after", "source", "source_quote")


def round_participations_set(
    *, funding_round: FundingRound, participations: Sequence[ParticipationSpec]
) -> None:
    """Make the round's participations exactly these, in the round's transaction.

    A participation that stays keeps its id and history (and, where the spec has no
    details, its amount and source); each change is saved one by one so that every
    participation's history records it. An investor listed twice is an error.
    """
    wanted: dict[int, ParticipationSpec] = {}
    for index, spec in enumerate(participations):
        if spec.investor.pk in wanted:
            message = _("Participation %(index)d lists %(investor)s again; give one per investor.")
            raise ValidationError(
                {"participations": message % {"index": index, "investor": spec.investor.slug}}
            )
        wanted[spec.investor.pk] = spec
    with transaction.atomic():
        for participation in funding_round.participations.order_by("pk"):
            spec = wanted.pop(participation.investor_id, None)
            if spec is None:
                participation.delete()
                continue
            values = {"role": spec.role, "is_follow_on": spec.is_follow_on, **(spec.details or {})}
            if any(getattr(participation, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(participation, name, value)
                participation.save()
        new = [
            Participation(
                funding_round=funding_round,
                investor=spec.investor,
                role=spec.role,
                is_follow_on=spec.is_follow_on,
                **(spec.details or {}),
            )
            for spec in wanted.values()
        ]
        create_with_history(Participation, new, author_of=funding_round)


def funding_round_save(
    *,
    funding_round: FundingRound,
    participations: Sequence[ParticipationSpec] | None = None,
    update_fields: Iterable[str] | None = None,
) -> FundingRound:
    """Write a round and, when given, exactly these participations, in one transaction.

    The round's own save checks and advances its version, which stands for its participations
    too. Without `participations` the round's investors stay as they are.
    """
    with transaction.atomic():
        funding_round.save(update_fields=update_fields)
        if participations is not None:
            round_participations_set(funding_round=funding_round, participations=participations)
    return funding_round


# The history entry of a round whose investors were changed on their own (not with the round).
INVESTORS_CHANGED = "Investors changed"


def round_investors_touch(*, round_ids: Iterable[int]) -> None:
    """A round's investors changed outside a write of the round: write the round's next version.

    The round's version stands for its participations, so a client holding the round's old
    ETag cannot write its participations over this change; the round's history and the
    change log record the new version.
    """
    for funding_round in FundingRound.objects.filter(pk__in=set(round_ids)).order_by("pk"):
        funding_round._change_reason = INVESTORS_CHANGED
        funding_round.save(update_fields=[])


def participation_save(
    *, participation: Participation, update_fields: Iterable[str] | None = None
) -> Participation:
    """Save a participation written on its own (not with its round), and advance its rounds' versions."""
    with transaction.atomic():
        rounds = {participation.funding_round_id}
        if participation.pk is not None:
            rounds |= set(
                Participation.objects.filter(pk=participation.pk).values_list("funding_round_id", flat=True)
            )
        participation.save(update_fields=update_fields)
        round_investors_touch(round_ids=rounds)
    return participation


def participation_delete(*, participation: Participation) -> None:
    """Delete a participation on its own, and advance its round's version."""
    with transaction.atomic():
        participation.delete()
        round_investors_touch(round_ids=[participation.funding_round_id])


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
