"""Teaches schemathesis the rules of the data that an OpenAPI schema cannot state.

A generated body names related records by random strings and ids, and combines fields
freely; the API rightly refuses an unknown company, an amount without its currency or a
period that ends before it starts. Before each call, these hooks point well-formed
references at records the test created and make such combinations consistent, so that
valid requests are valid in fact and the checks judge the API, not the dice. Malformed
values (wrong types, empty strings, bad patterns, negative amounts) are left as generated.
"""

from datetime import date

import schemathesis

# Records made by create_referenced_records(); facts cite them, so none can be deleted.
KNOWN_REFERENCES = {
    "company": "st-company",
    "investor": "st-investor",
    "metric": "st_metric",
    "round": 424242,
    "source": 424242,
}
CURRENCY_OF = {
    "amount": "currency",
    "offer_price": "currency",
    "amount_raised": "currency",
    "pre_money": "valuation_currency",
    "post_money": "valuation_currency",
    "value": "currency",
    "price_per_share": "currency",
}


def well_formed(value, example) -> bool:
    if isinstance(example, str):
        return isinstance(value, str) and value != ""
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def as_date(value) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
    except ValueError:
        return None


def as_number(value) -> float | None:
    try:
        return float(value) if isinstance(value, str) and value else None
    except ValueError:
        return None


# A round's participations name distinct investors; these exist too.
KNOWN_INVESTORS = ("st-investor", "st-investor-2", "st-investor-3")


# The records above may not be renamed or deleted: later calls name them.
PROTECTED_KEYS = {KNOWN_REFERENCES["company"], *KNOWN_INVESTORS, str(KNOWN_REFERENCES["round"])}


@schemathesis.hook
def before_call(context, case, **kwargs):
    parameters = case.path_parameters or {}
    for name, value in parameters.items():
        if case.method.upper() in ("PUT", "PATCH", "DELETE") and str(value) in PROTECTED_KEYS:
            parameters[name] = "st-missing" if name == "slug" else 999999999
    query = case.query or {}
    if "cursor" in query:
        # A cursor is one the API gave in a link, so a generated one starts from the first page. It
        # pages instead of a page number (which, given, is kept, valid or not), and gives no count.
        query["cursor"] = ""
        if "page" in query:
            del query["cursor"]
        elif query.get("count") == "true":
            del query["count"]
    day = as_date(query.get("as_of"))
    if day and day > date.today():
        query["as_of"] = date.today().isoformat()  # a position is as of a day that has come
    body = case.body
    if not isinstance(body, dict):
        return
    make_consistent(body, case)
    participations = body.get("participations")
    if isinstance(participations, list):
        items = [item for item in participations if isinstance(item, dict)]
        if len(items) == len(participations):
            del participations[len(KNOWN_INVESTORS) :]
            for item, investor in zip(participations, KNOWN_INVESTORS, strict=False):
                make_consistent(item, case)
                if well_formed(item.get("investor"), investor):
                    item["investor"] = investor


def make_consistent(body: dict, case) -> None:
    for field, known in KNOWN_REFERENCES.items():
        if field in body and well_formed(body[field], known):
            body[field] = known
    if well_formed(body.get("model_release"), 1) or ("/kpis/" in case.path and "company" in body):
        body["model_release"] = None  # a release must belong to the KPI's company
    for amount, currency in CURRENCY_OF.items():
        if (amount in body and body.get(currency) is None) or body.get(currency) == "":
            body[currency] = "CNY"  # the record may hold amounts the body does not show
    marking = "/valuation-marks/" in case.path and case.method.upper() in ("POST", "PUT")
    if marking and body.get("value") is None and body.get("price_per_share") is None:
        body["value"], body["currency"] = "1000000", "CNY"  # a mark gives a value or a price
    pre, post = as_number(body.get("pre_money")), as_number(body.get("post_money"))
    if pre is not None and post is not None and pre > post:
        body["pre_money"], body["post_money"] = body["post_money"], body["pre_money"]
    start, end = as_date(body.get("period_start")), as_date(body.get("period_end"))
    if start and end and start > end:
        body["period_start"], body["period_end"] = body["period_end"], body["period_start"]
    elif case.method.upper() in ("PATCH", "PUT") and (start or end) and not (start and end):
        body["period_start"] = body["period_end"] = (start or end).isoformat()


def create_referenced_records() -> None:
    """The records KNOWN_REFERENCES names, each cited by a fact so that none can be deleted."""
    from tests.companies.factories import CompanyFactory, KPIFactory, MetricFactory, SourceFactory
    from tests.rounds.factories import FundingRoundFactory, InvestorFactory, ParticipationFactory

    source = SourceFactory(pk=KNOWN_REFERENCES["source"], title="Schemathesis source")
    company = CompanyFactory(slug=KNOWN_REFERENCES["company"])
    funding_round = FundingRoundFactory(pk=KNOWN_REFERENCES["round"], company=company, source=source)
    investor = InvestorFactory(slug=KNOWN_REFERENCES["investor"])
    for slug in KNOWN_INVESTORS[1:]:
        InvestorFactory(slug=slug)
    ParticipationFactory(funding_round=funding_round, investor=investor, source=source)
    metric = MetricFactory(code=KNOWN_REFERENCES["metric"], unit="count")
    KPIFactory(company=company, metric=metric, source=source)
