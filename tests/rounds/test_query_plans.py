"""On PostgreSQL, no filter or ordering of the rounds and participations lists reads either table whole.

The tables hold 100,000 synthetic rounds (320,000 participations), analysed, so that the planner
chooses as it does at the size the API is built for (a small table is rightly read whole). Each
list request's queries are captured and explained. A count reads every match by nature: it is
what `count=false` skips, and it is left out.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portfolio.database import long_work
from portfolio.filters import query_parameter_names
from portfolio.synthetic import seed
from rounds.filters import FundingRoundFilterSet, ParticipationFilterSet
from rounds.models import FundingRound, Investor, Participation

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's query plans")

TABLES = (FundingRound._meta.db_table, Participation._meta.db_table)


@pytest.fixture
def many_rounds(db):
    with long_work(), connection.cursor() as cursor:
        seed(rounds=100_000, seed=11)
        for table in (*TABLES, "companies_company", "rounds_investor", "companies_source"):
            cursor.execute(f"ANALYZE {table}")
        # The references are checked now, not in the test's teardown (under the 3 s statement timeout),
        # and after ANALYZE, which makes the checks' plans of earlier tests (on small tables) stale.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def sample_values(investor: str, company: str, company_name: str) -> dict[str, str]:
    """A value for every query parameter of the rounds and participations lists."""
    return {
        "company": company,
        "source_id": "1",
        "stage": "seed",
        "announced_on_after": "2020-01-01",
        "announced_on_before": "2020-03-31",
        "announced_on_precision": "month",
        "amount_min": "1000000",
        "amount_max": "2000000",
        "currency": "usd",
        "pre_money_min": "1000000",
        "pre_money_max": "90000000",
        "post_money_min": "1000000",
        "post_money_max": "90000000",
        "investor": investor,
        "lead_investor": investor,
        "in_portfolio": "true",
        "q": company_name,
        "updated_since": "2030-01-01T00:00:00Z",
        "round": "17",
        "role": "lead",
        "is_follow_on": "true",
        "shares_after_min": "1",
        "shares_after_max": "10",
        "ownership_after_min": "1",
        "ownership_after_max": "10",
    }


def requests_of(filterset, investor: str, company: str, company_name: str) -> list[dict]:
    values = sample_values(investor, company, company_name)
    parameters = sorted(query_parameter_names(filterset) - {"ordering"})
    missing = [name for name in parameters if name not in values]
    assert not missing, f"add a sample value for {missing}"
    requests = [{name: values[name]} for name in parameters]
    orderings = filterset.base_filters["ordering"].param_map
    requests += [{"ordering": f"{sign}{name}"} for name in orderings for sign in ("", "-")]
    return [dict(params, **mode) for params in requests for mode in ({}, {"cursor": ""})]


def sequential_scans(sql: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    return [table for table in TABLES if f"Seq Scan on {table}" in plan]


LISTS = [(FundingRoundFilterSet, "api:fundinground-list"), (ParticipationFilterSet, "api:participation-list")]


def test_no_filter_or_ordering_reads_a_whole_table(many_rounds, viewer_api):
    investor = Investor.objects.order_by("pk")[5].slug
    company = FundingRound.objects.order_by("pk").first().company
    found = {}
    for filterset, list_name in LISTS:
        url = reverse(list_name)
        for params in requests_of(filterset, investor, company.slug, company.name_en):
            with CaptureQueriesContext(connection) as queries:
                response = viewer_api.get(url, params)
            assert response.status_code == 200, (params, response.json())
            for query in queries.captured_queries:
                sql = query["sql"]
                if not sql.startswith("SELECT") or not any(f'"{table}"' in sql for table in TABLES):
                    continue
                if sql.startswith("SELECT COUNT(*)"):
                    continue  # a count reads every match, which count=false skips
                if scans := sequential_scans(sql):
                    found[f"{list_name} {params}"] = (scans, sql[:300])
    assert not found, "\n".join(f"{request}: {scans} in {sql}" for request, (scans, sql) in found.items())
