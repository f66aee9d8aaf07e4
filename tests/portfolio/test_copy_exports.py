"""Exports read by PostgreSQL (CSV written by COPY, rows read as values) are those read from instances."""

import csv
import datetime
import io
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse

from portfolio.api.exports import copy_csv_chunks, csv_lines
from portfolio.api.urls import router
from portfolio.synthetic import seed
from rounds.models import Investor
from tests.companies.factories import CompanyFactory, SourceFactory
from tests.helpers import queries_of_a_get
from tests.rounds.factories import (
    FundingRoundFactory,
    InvestorFactory,
    ParticipationFactory,
    ValuationMarkFactory,
)

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")

# Text a spreadsheet would run, control characters it cannot hold, quotes, line breaks, Chinese, empties.
AWKWARD = [
    "=1+1",
    "+86 10",
    "-5",
    "@here",
    "\tTab",
    "'quoted",
    'say "hi", twice',
    "line\nbreak\r\nend",
    "控\x01制\x1f字符",
    "",
]


@pytest.fixture
def awkward_records(article):
    seed(rounds=200, seed=5)
    source = SourceFactory(title=AWKWARD[0], publisher=AWKWARD[6])
    for index, text in enumerate(AWKWARD):
        company = CompanyFactory(
            name_en=f"{text} {index}", summary=text, city=text, aliases=text.replace("\n", " ")
        )
        funding_round = FundingRoundFactory(
            company=company,
            label=text or "-",
            notes=text,
            source=source if index % 2 else None,
            source_quote=text,
            amount=Decimal("0.00") if index % 3 == 0 else Decimal("1234567.89"),
            currency="CNY",
            announced_on=None if index == 0 else datetime.date(2020, 1 + index, 1),
            announced_on_precision=("year", "month", "day")[index % 3],
        )
        for role in ("lead", "co_lead", "participant"):
            ParticipationFactory(
                funding_round=funding_round,
                investor=InvestorFactory(name_en=f"{text} {role}"),
                role=role,
                is_follow_on=role != "lead",
            )
        ValuationMarkFactory(company=company, notes=text)


def exported_lists():
    return [
        (prefix, viewset)
        for prefix, viewset, _ in router.registry
        if getattr(viewset, "export_resource", None)
    ]


@pytest.mark.parametrize(("prefix", "viewset"), exported_lists(), ids=[p for p, _ in exported_lists()])
def test_each_lists_copy_export_is_its_python_export(awkward_records, prefix, viewset):
    view = viewset(action="list", format_kwarg=None)
    queryset = viewset.queryset.all()
    resource = viewset.export_resource()
    query = resource.copy_query(queryset)
    assert query is not None, f"{prefix}: a column has no SQL expression"
    header = view.export_header()
    copied = b"".join(copy_csv_chunks(header, query))
    written = "".join(csv_lines(header, view.export_rows(queryset))).encode()
    assert copied.count(b"\r\n") > 3
    assert copied == written
    header_names = resource.export_header()
    from_instances = [
        tuple(row[name] for name in header_names)
        for row in resource.export_rows(queryset.select_related(*resource.export_select_related))
    ]
    assert list(resource.value_rows(queryset)) == from_instances


def test_the_api_answers_a_csv_export_written_by_copy(
    awkward_records, viewer_api, django_assert_max_num_queries
):
    url = reverse("api:fundinground-list")
    lead = Investor.objects.get(name_en="=1+1 lead")
    response = viewer_api.get(url, {"format": "csv", "investor": lead.slug})
    body = b"".join(response.streaming_content)
    lines = body.decode("utf-8-sig").split("\r\n")
    assert lines[0].startswith("id,company,")
    assert len(lines) == 3 and lines[2] == ""
    assert (
        lines[1].startswith(f"{lead.participations.get().funding_round_id},") and f",{lead.slug}," in lines[1]
    )
    one_row = queries_of_a_get(viewer_api, url, {"format": "csv", "investor": lead.slug})
    assert queries_of_a_get(viewer_api, url, {"format": "csv"}) == one_row  # however many rows


@pytest.mark.parametrize("ordering", ["-announced_on", "amount", "-post_money"])
def test_an_ordered_export_written_by_copy_keeps_its_order(awkward_records, viewer_api, ordering, settings):
    url = reverse("api:fundinground-list")
    copied = b"".join(viewer_api.get(url, {"format": "csv", "ordering": ordering}).streaming_content)
    python = b"".join(viewer_api.get(url, {"format": "json", "ordering": ordering}).streaming_content)
    ids = [int(row[0]) for row in list(csv.reader(io.StringIO(copied.decode("utf-8-sig"))))[1:]]
    assert ids == [row["id"] for row in json.loads(python)]
