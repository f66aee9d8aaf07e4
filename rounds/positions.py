"""The firm's positions: what it put into each portfolio company, what share it owns, what that is worth,
and the MOIC and IRR, as of a chosen day and in the reporting currency.

Everything is computed from the records: the house investor's participations (with their amounts,
stated shares or ownership), the company's rounds (amounts and valuations), valuation marks, and
listings. A figure that cannot be computed is unknown and says why; it is never zero.

- **Cost**: the sum of the firm's amounts, each converted at the rate of its round's date. An amount
  dated only to the year or month is dated at the end of its period (or the as-of day, if earlier),
  for its exchange rate and its cash flow alike.
- **Ownership**: as stated by the latest participation that states it; otherwise implied, each
  investment adding amount ÷ post-money, and every later round diluting the stake by
  pre-money ÷ post-money (pre-money being post-money - the round's amount when not given). A round
  whose valuation is unknown cannot be counted; the ownership then names it.
- **Value**: at the latest mark on or before the day: a valuation mark, a listing's offer price, or a
  round's post-money valuation. Shares x price per share when both are known, otherwise ownership x
  the company's value. At a round mark that is the stake's price moved from the entry round to the
  marking round (cost x its pre-money ÷ the entry post-money, diluted by any round in between).
  The value is converted at the as-of day's rate; a mark of zero (a write-off) is worth zero.
- **MOIC** = value ÷ cost; **IRR** from the dated flows (each cost out, the value in on the as-of
  day), computed by `pyxirr` as a spreadsheet's XIRR does.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal, localcontext

import pyxirr
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from companies.models import Company
from fx.rates import CENT, Converted, RateBook, reporting_currency
from portfolio.dates import period_end
from rounds.choices import MarkBasis
from rounds.models import FundingRound, Investor, Listing, Participation, ValuationMark

PERCENT_PLACES = Decimal("0.0001")
MOIC_PLACES = Decimal("0.01")
IRR_PLACES = Decimal("0.000001")
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Figure:
    """A computed number, or unknown (None) with the reason."""

    value: Decimal | None
    reason: str = ""

    @property
    def known(self) -> bool:
        return self.value is not None

    def as_dict(self) -> dict:
        return {"value": None if self.value is None else format(self.value, "f"), "reason": self.reason}


@dataclass(frozen=True)
class Ownership:
    """The firm's stake, a fraction of the company: stated by a participation, or implied from amounts
    and valuations; `not_counted` names rounds whose dilution could not be computed."""

    fraction: Decimal | None
    basis: str = ""
    reason: str = ""
    not_counted: tuple[str, ...] = ()

    @property
    def percent(self) -> Decimal | None:
        """As a percentage to four places (4.3333); the value is computed from the unrounded fraction."""
        if self.fraction is None:
            return None
        return (self.fraction * HUNDRED).quantize(PERCENT_PLACES, rounding=ROUND_HALF_EVEN)


@dataclass(frozen=True)
class Mark:
    """What the company was worth on a day: a valuation mark, a listing's price, or a round's valuation."""

    kind: str  # "mark", "listing" or "round"
    record_id: int
    on: datetime.date
    display: str
    basis: str
    company_value: Decimal | None
    price_per_share: Decimal | None
    currency: str

    # On the same day a staff mark wins over a listing, and a listing over a round.
    RANK = {"round": 0, "listing": 1, "mark": 2}

    @property
    def basis_label(self) -> str:
        return str(MarkBasis(self.basis).label)

    def sort_key(self) -> tuple:
        return (self.on, self.RANK[self.kind], self.record_id)


@dataclass(frozen=True)
class Investment:
    """One round the firm joined: its role, its amount, and that amount in the reporting currency."""

    funding_round: FundingRound
    participation: Participation
    dated_on: datetime.date | None
    cost: Converted

    @property
    def round_name(self) -> str:
        return round_name(self.funding_round)


@dataclass
class Position:
    """The firm's position in one company as of a day."""

    company: Company
    as_of: datetime.date
    currency: str
    investments: list[Investment]
    cost: Converted
    ownership: Ownership
    shares: Figure
    mark: Mark | None
    value: Converted
    value_method: str
    moic: Figure
    irr: Figure
    flows: list[tuple[datetime.date, Decimal]] = field(default_factory=list)

    @property
    def first_investment(self) -> Investment:
        return self.investments[0]


def house_investor() -> Investor | None:
    return Investor.objects.filter(is_house=True).first()


def round_name(funding_round: FundingRound) -> str:
    label = funding_round.label or funding_round.get_stage_display()
    when = funding_round.announced_on_display
    return f"{label} ({when})" if when else str(label)


def flow_date(funding_round: FundingRound, as_of: datetime.date) -> datetime.date | None:
    """The day a round's money counts from: its date (its period's end if partial), at most the as-of day."""
    end = period_end(funding_round.announced_on, funding_round.announced_on_precision)
    return None if end is None else min(end, as_of)


def pre_money(funding_round: FundingRound, book: RateBook, as_of: datetime.date) -> Decimal | None:
    """The round's pre-money valuation in its valuation currency: as given, or post-money - amount."""
    if funding_round.pre_money is not None:
        return funding_round.pre_money
    if funding_round.post_money is None or funding_round.amount is None:
        return None
    amount = book.convert(
        funding_round.amount,
        funding_round.currency,
        flow_date(funding_round, as_of),
        target=funding_round.valuation_currency,
    )
    return None if amount.amount is None else funding_round.post_money - amount.amount


def ownership_of(
    rounds: list[FundingRound], house: dict[int, Participation], book: RateBook, as_of: datetime.date
) -> Ownership:
    """The firm's stake after the company's dated rounds up to the day (oldest first), stated or implied."""
    fraction: Decimal | None = None
    basis, reason = "", ""
    not_counted: list[str] = []
    with localcontext() as context:
        context.prec = 28
        for funding_round in rounds:
            participation = house.get(funding_round.pk)
            if participation is not None and participation.ownership_after is not None:
                fraction, basis, reason = participation.ownership_after / HUNDRED, "stated", ""
                not_counted = []
                continue
            if participation is not None:
                added, why = implied_stake(funding_round, participation, book, as_of)
                if added is None:
                    fraction, reason = None, why
                    continue
                if fraction is None and reason:
                    continue  # an earlier stake is unknown, so this one cannot be added to it
            elif fraction is None:
                continue  # not invested yet, or the stake is unknown
            if fraction is not None:
                dilution = round_dilution(funding_round, book, as_of)
                if dilution is None:
                    not_counted.append(round_name(funding_round))
                else:
                    fraction *= dilution
                    basis = "implied"
            if participation is not None:
                fraction = (fraction or Decimal(0)) + added
                basis = "implied"
    if fraction is None:
        return Ownership(None, reason=reason or _("No round states or implies the firm's ownership."))
    return Ownership(fraction, basis=basis, not_counted=tuple(not_counted))


def implied_stake(
    funding_round: FundingRound, participation: Participation, book: RateBook, as_of: datetime.date
) -> tuple[Decimal | None, str]:
    """The stake an investment buys: its amount ÷ the round's post-money, or why it cannot be known."""
    name = round_name(funding_round)
    if participation.amount is None:
        return None, _("%(round)s: the firm's amount is not known.") % {"round": name}
    if not funding_round.post_money:
        return None, _("%(round)s: the post-money valuation is not known.") % {"round": name}
    amount = book.convert(
        participation.amount,
        participation.currency,
        flow_date(funding_round, as_of),
        target=funding_round.valuation_currency,
    )
    if amount.amount is None:
        return None, f"{name}: {amount.reason}"
    return amount.amount / funding_round.post_money, ""


def round_dilution(funding_round: FundingRound, book: RateBook, as_of: datetime.date) -> Decimal | None:
    """What share of their stake earlier holders keep through a round: pre-money ÷ post-money."""
    if not funding_round.post_money:
        return None
    pre = pre_money(funding_round, book, as_of)
    return None if pre is None else pre / funding_round.post_money


def shares_of(investments: list[Investment]) -> Figure:
    """The firm's share count after its latest round, when that round's participation states it."""
    dated = [i for i in investments if i.funding_round.announced_on is not None]
    if not dated:
        return Figure(None, _("No participation states a share count."))
    latest = dated[-1]
    if latest.participation.shares_after is None:
        return Figure(None, _("%(round)s: no share count is stated.") % {"round": latest.round_name})
    return Figure(latest.participation.shares_after)


def latest_mark(
    rounds: list[FundingRound], marks: list[ValuationMark], listings: list[Listing]
) -> Mark | None:
    candidates = [
        Mark(
            "mark",
            mark.pk,
            mark.marked_on,
            mark.marked_on.isoformat(),
            mark.basis,
            mark.value,
            mark.price_per_share,
            mark.currency,
        )
        for mark in marks
    ]
    candidates += [
        Mark(
            "listing",
            listing.pk,
            listing.listed_on,
            listing.listed_on_display,
            MarkBasis.PUBLIC_MARKET,
            None,
            listing.offer_price,
            listing.currency,
        )
        for listing in listings
        if listing.offer_price is not None and listing.listed_on is not None
    ]
    candidates += [
        Mark(
            "round",
            funding_round.pk,
            funding_round.announced_on,
            funding_round.announced_on_display,
            MarkBasis.LAST_ROUND,
            funding_round.post_money,
            None,
            funding_round.valuation_currency,
        )
        for funding_round in rounds
        if funding_round.post_money is not None and funding_round.announced_on is not None
    ]
    return max(candidates, key=Mark.sort_key, default=None)


def value_at_mark(
    mark: Mark | None, ownership: Ownership, shares: Figure, as_of: datetime.date
) -> tuple[Decimal | None, str, str]:
    """The position's value in the mark's currency, how it was reached, or why it is unknown."""
    if mark is None:
        return (
            None,
            "",
            _("No valuation mark, round valuation or listing price on or before %(day)s.")
            % {"day": as_of.isoformat()},
        )
    if mark.company_value == 0 or mark.price_per_share == 0:
        return Decimal(0), "written_off", ""  # nothing is worth nothing, whatever the stake
    if mark.price_per_share is not None and shares.known:
        return (shares.value * mark.price_per_share).quantize(CENT), "shares_times_price", ""
    if mark.company_value is not None:
        if ownership.fraction is None:
            return None, "", ownership.reason
        with localcontext() as context:
            context.prec = 28
            return (ownership.fraction * mark.company_value).quantize(CENT), "ownership_times_value", ""
    return None, "", _("The latest mark gives a price per share, and the firm's share count is not known.")


def irr_of(flows: list[tuple[datetime.date, Decimal]]) -> Figure:
    """The annual internal rate of return of dated flows (XIRR, actual/365)."""
    if len({day for day, _amount in flows}) < 2:
        return Figure(None, _("An IRR needs cash flows on at least two different days."))
    if all(amount <= 0 for _day, amount in flows) and any(amount < 0 for _day, amount in flows):
        # Written off: nothing comes back, every cent is lost (a spreadsheet's XIRR gives #NUM!).
        return Figure(Decimal(-1).quantize(IRR_PLACES))
    try:
        rate = pyxirr.xirr([day for day, _amount in flows], [float(amount) for _day, amount in flows])
    except (pyxirr.InvalidPaymentsError, ValueError, OverflowError):
        rate = None
    if rate is None or rate != rate:  # None or NaN: no rate solves the flows
        return Figure(None, _("No rate of return solves these cash flows."))
    return Figure(Decimal(repr(rate)).quantize(IRR_PLACES, rounding=ROUND_HALF_EVEN))


def moic_of(value: Converted, cost: Converted) -> Figure:
    if cost.amount is None:
        return Figure(None, cost.reason)
    if value.amount is None:
        return Figure(None, value.reason)
    if cost.amount == 0:
        return Figure(None, _("The cost is zero."))
    return Figure((value.amount / cost.amount).quantize(MOIC_PLACES, rounding=ROUND_HALF_EVEN))


def cost_of(investments: list[Investment], currency: str) -> Converted:
    unknown = [i for i in investments if i.cost.amount is None]
    if unknown:
        first = unknown[0]
        return Converted.unknown(currency, f"{first.round_name}: {first.cost.reason}")
    return Converted(amount=sum((i.cost.amount for i in investments), Decimal(0)), currency=currency)


def position_build(
    *,
    company: Company,
    rounds: list[FundingRound],
    house: dict[int, Participation],
    marks: list[ValuationMark],
    listings: list[Listing],
    as_of: datetime.date,
    book: RateBook,
    currency: str,
) -> Position | None:
    """One company's position from its records up to the day; None when the firm had not invested yet.

    `rounds` are the company's rounds dated on or before the day (and undated ones), oldest first;
    `house` the firm's participations by round id.
    """
    investments = [
        Investment(
            funding_round=funding_round,
            participation=house[funding_round.pk],
            dated_on=(day := flow_date(funding_round, as_of)),
            cost=book.convert(
                house[funding_round.pk].amount, house[funding_round.pk].currency, day, target=currency
            ),
        )
        for funding_round in rounds
        if funding_round.pk in house
    ]
    if not investments:
        return None
    dated_rounds = [r for r in rounds if r.announced_on is not None]
    cost = cost_of(investments, currency)
    ownership = ownership_of(dated_rounds, house, book, as_of)
    shares = shares_of(investments)
    mark = latest_mark(dated_rounds, marks, listings)
    local_value, method, reason = value_at_mark(mark, ownership, shares, as_of)
    if local_value is None:
        value = Converted.unknown(currency, reason)
    elif local_value == 0:
        value = Converted(amount=Decimal("0.00"), currency=currency)  # zero needs no rate
    else:
        value = book.convert(local_value, mark.currency, as_of, target=currency)
    flows: list[tuple[datetime.date, Decimal]] = []
    if cost.known and value.known:
        undated = [i for i in investments if i.dated_on is None]
        if undated:
            irr = Figure(None, _("%(round)s has no date.") % {"round": undated[0].round_name})
        else:
            flows = [(i.dated_on, -i.cost.amount) for i in investments] + [(as_of, value.amount)]
            irr = irr_of(flows)
    else:
        irr = Figure(None, cost.reason or value.reason)
    return Position(
        company=company,
        as_of=as_of,
        currency=currency,
        investments=investments,
        cost=cost,
        ownership=ownership,
        shares=shares,
        mark=mark,
        value=value,
        value_method=method,
        moic=moic_of(value, cost),
        irr=irr,
        flows=flows,
    )


def positions_as_of(
    *, as_of: datetime.date, companies: QuerySet[Company] | None = None, currency: str | None = None
) -> list[Position]:
    """The firm's positions in these companies (all portfolio companies by default) as of the day,
    in a fixed number of queries however many companies there are."""
    currency = currency or reporting_currency()
    house = house_investor()
    if house is None:
        return []
    companies = Company.objects.all() if companies is None else companies
    companies = {c.pk: c for c in companies.filter(pk__in=Company.objects.in_portfolio().values("pk"))}
    if not companies:
        return []
    house_participations = Participation.objects.filter(investor=house)
    rounds = (
        FundingRound.objects.filter(company_id__in=companies)
        .exclude(announced_on__gt=as_of)
        .prefetch_related(Prefetch("participations", queryset=house_participations, to_attr="house"))
        .order_by("company_id", "announced_on", "id")
    )
    by_company: dict[int, list[FundingRound]] = defaultdict(list)
    for funding_round in rounds:
        by_company[funding_round.company_id].append(funding_round)
    marks = defaultdict(list)
    for mark in ValuationMark.objects.filter(company_id__in=companies, marked_on__lte=as_of):
        marks[mark.company_id].append(mark)
    listings = defaultdict(list)
    for listing in Listing.objects.filter(
        company_id__in=companies, listed_on__lte=as_of, offer_price__isnull=False
    ):
        listings[listing.company_id].append(listing)
    book = RateBook()
    book.load(currency, *rates_needed(by_company.values(), marks.values(), listings.values()))
    positions = []
    for company_id, company_rounds in by_company.items():
        ordered = sorted(company_rounds, key=round_order)
        position = position_build(
            company=companies[company_id],
            rounds=ordered,
            house={r.pk: r.house[0] for r in ordered if r.house},
            marks=marks[company_id],
            listings=listings[company_id],
            as_of=as_of,
            book=book,
            currency=currency,
        )
        if position is not None:
            positions.append(position)
    return sorted(positions, key=lambda p: (p.company.name_en.casefold(), p.company.pk))


def round_order(funding_round: FundingRound) -> tuple:
    """Oldest first; undated rounds last."""
    announced_on = funding_round.announced_on
    return (announced_on is None, announced_on or datetime.date.max, funding_round.pk)


def rates_needed(*groups: Iterable[list]) -> set[str]:
    """Every currency the records use, so the rates are read in one query."""
    currencies = set()
    for group in groups:
        for records in group:
            for record in records:
                for name in ("currency", "valuation_currency"):
                    currencies.add(getattr(record, name, ""))
                for participation in getattr(record, "house", ()):
                    currencies.add(participation.currency)
    return {c for c in currencies if c}


@dataclass(frozen=True)
class Totals:
    """The portfolio's sums; a sum is known only when every position's figure is, and says how many are."""

    cost: Converted
    value: Converted
    moic: Figure
    irr: Figure
    known_cost: Decimal
    known_value: Decimal
    positions: int
    positions_with_cost: int
    positions_with_value: int


def total_of(amounts: list[Decimal | None], currency: str, missing: str) -> Converted:
    """The sum of the positions' amounts, known only when each is; `missing` says how many are not."""
    if not amounts:
        return Converted.unknown(currency, _("The firm holds no position."))
    unknown = sum(1 for amount in amounts if amount is None)
    if unknown:
        return Converted.unknown(currency, missing % {"count": unknown, "total": len(amounts)})
    return Converted(amount=sum(amounts, Decimal(0)), currency=currency)


def portfolio_totals(positions: list[Position], *, currency: str | None = None) -> Totals:
    currency = currency or reporting_currency()
    costs = [p.cost.amount for p in positions]
    values = [p.value.amount for p in positions]
    cost = total_of(costs, currency, _("%(count)s of %(total)s positions have no known cost."))
    value = total_of(values, currency, _("%(count)s of %(total)s positions have no known value."))
    if cost.known and value.known and all(p.flows for p in positions):
        irr = irr_of([flow for p in positions for flow in p.flows])
    else:
        irr = Figure(None, cost.reason or value.reason or _("Some positions have no dated cash flows."))
    known_costs = [amount for amount in costs if amount is not None]
    known_values = [amount for amount in values if amount is not None]
    return Totals(
        cost=cost,
        value=value,
        moic=moic_of(value, cost),
        irr=irr,
        known_cost=sum(known_costs, Decimal(0)),
        known_value=sum(known_values, Decimal(0)),
        positions=len(positions),
        positions_with_cost=len(known_costs),
        positions_with_value=len(known_values),
    )


def positions_ordered(positions: list[Position], ordering: str | None) -> list[Position]:
    """Positions in the order asked for (`cost`, `-irr`, ...); unknown figures come last either way."""
    if not ordering:
        return positions
    name = ordering.removeprefix("-")
    keys = {
        "company": lambda p: p.company.name_en.casefold(),
        "entry": lambda p: p.first_investment.funding_round.announced_on,
        "cost": lambda p: p.cost.amount,
        "value": lambda p: p.value.amount,
        "moic": lambda p: p.moic.value,
        "irr": lambda p: p.irr.value,
    }
    key = keys[name]
    known = [p for p in positions if key(p) is not None]
    unknown = [p for p in positions if key(p) is None]
    return sorted(known, key=key, reverse=ordering.startswith("-")) + unknown


# The columns of a positions export, with the OpenAPI schema of each in a JSON export.
_TEXT = {"type": "string"}
_DATE = {"type": "string", "format": "date", "nullable": True}
_NUMBER = {"type": "string", "nullable": True, "pattern": r"^-?\d+(\.\d+)?$"}
POSITION_COLUMNS: dict[str, dict] = {
    "company": _TEXT,
    "company_name_en": _TEXT,
    "company_name_zh": _TEXT,
    "status": _TEXT,
    "sector": _TEXT,
    "country": _TEXT,
    "first_investment": _TEXT,
    "first_investment_on": _DATE,
    "first_role": _TEXT,
    "rounds": {**_TEXT, "description": "Each round joined, with the role; separated by semicolons."},
    "as_of": _DATE,
    "currency": _TEXT,
    "cost": _NUMBER,
    "cost_reason": _TEXT,
    "ownership_percent": _NUMBER,
    "ownership_basis": {"type": "string", "enum": ["", "stated", "implied"]},
    "ownership_reason": _TEXT,
    "mark_on": _DATE,
    "mark_basis": _TEXT,
    "value": _NUMBER,
    "value_reason": _TEXT,
    "moic": _NUMBER,
    "moic_reason": _TEXT,
    "irr": _NUMBER,
    "irr_reason": _TEXT,
}


def position_row_schema() -> dict:
    """The OpenAPI schema of one row of a positions export."""
    return {"type": "object", "properties": POSITION_COLUMNS, "required": list(POSITION_COLUMNS)}


def position_rows(positions: Iterable[Position]) -> Iterable[dict]:
    """One spreadsheet row per position, in POSITION_COLUMNS; an unknown figure is blank with its reason."""
    for position in positions:
        first = position.first_investment
        company = position.company
        yield {
            "company": company.slug,
            "company_name_en": company.name_en,
            "company_name_zh": company.name_zh,
            "status": company.status,
            "sector": company.sector,
            "country": company.country.code,
            "first_investment": first.round_name,
            "first_investment_on": first.funding_round.announced_on,
            "first_role": first.participation.role,
            "rounds": "; ".join(
                f"{i.round_name} {i.participation.role}"
                + (" follow-on" if i.participation.is_follow_on else "")
                for i in position.investments
            ),
            "as_of": position.as_of,
            "currency": position.currency,
            "cost": position.cost.amount,
            "cost_reason": position.cost.reason,
            "ownership_percent": position.ownership.percent,
            "ownership_basis": position.ownership.basis,
            "ownership_reason": position.ownership.reason,
            "mark_on": position.mark.on if position.mark else None,
            "mark_basis": position.mark.basis if position.mark else "",
            "value": position.value.amount,
            "value_reason": position.value.reason,
            "moic": position.moic.value,
            "moic_reason": position.moic.reason,
            "irr": position.irr.value,
            "irr_reason": position.irr.reason,
        }
