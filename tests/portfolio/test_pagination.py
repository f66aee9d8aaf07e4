"""Pagination of the lists: page numbers with or without a count, and cursors (`portfolio.api.pagination`)."""

import base64
import datetime
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import orjson
import pytest
from django.urls import reverse

from rounds.models import FundingRound
from tests.companies.factories import CompanyFactory
from tests.helpers import queries_of_a_get
from tests.rounds.factories import FundingRoundFactory, InvestorFactory, ParticipationFactory

ROUNDS = reverse("api:fundinground-list")


@pytest.fixture
def rounds(db) -> list[FundingRound]:
    """Eleven rounds with ties and unknowns in their dates and amounts."""
    dates = [datetime.date(2020, 1, 1), None, datetime.date(2019, 5, 1), datetime.date(2020, 1, 1), None]
    amounts = [Decimal("5.00"), None, Decimal("1.00"), Decimal("5.00"), Decimal("3.00"), None]
    made = []
    for index in range(11):
        made.append(
            FundingRoundFactory(
                announced_on=dates[index % len(dates)],
                announced_on_precision="day",
                amount=amounts[index % len(amounts)],
                currency="USD" if amounts[index % len(amounts)] is not None else "",
            )
        )
    return made


def walk(api, params: dict, *, backwards_from: str | None = None) -> tuple[list[int], list[dict]]:
    """Every id a cursor walk visits, following next (or previous) links to the end, and the pages."""
    response = api.get(ROUNDS, params) if backwards_from is None else api.get(backwards_from)
    pages = []
    while True:
        assert response.status_code == 200, response.json()
        page = response.json()
        pages.append(page)
        link = page["previous"] if backwards_from else page["next"]
        if link is None:
            break
        response = api.get(link)
    ids = [r["id"] for page in pages for r in page["results"]]
    return ids, pages


def expected_order(field: str, descending: bool) -> list[int]:
    """Nulls last going up and first going down (as PostgreSQL orders them), ties by id in the same way."""
    records = list(FundingRound.objects.values_list("pk", field))

    def key(record):
        pk, value = record
        return (value is None, value or 0, pk)

    ordered = sorted(records, key=key, reverse=descending)
    return [pk for pk, _ in ordered]


class TestCursor:
    def test_the_first_page_has_next_but_no_previous_or_count(self, rounds, viewer_api):
        response = viewer_api.get(ROUNDS, {"cursor": "", "page_size": 4})
        page = response.json()
        assert list(page) == ["next", "previous", "results"]
        assert [r["id"] for r in page["results"]] == [r.pk for r in rounds[:4]]
        assert page["previous"] is None
        assert response["Link"] == f'<{page["next"]}>; rel="next"'

    def test_next_links_visit_every_round_once_and_previous_links_come_back(self, rounds, viewer_api):
        ids, pages = walk(viewer_api, {"cursor": "", "page_size": 3})
        assert ids == [r.pk for r in rounds]
        assert [len(p["results"]) for p in pages] == [3, 3, 3, 2]
        last = pages[-1]
        back = viewer_api.get(last["previous"]).json()
        assert back["results"] == pages[-2]["results"]
        assert (back["next"] is not None, back["previous"] is not None) == (True, True)
        first_again = viewer_api.get(pages[1]["previous"]).json()
        assert first_again["results"] == pages[0]["results"]
        assert first_again["previous"] is None

    @pytest.mark.parametrize("field", ["announced_on", "amount", "updated_at", "id"])
    @pytest.mark.parametrize("descending", [False, True])
    def test_every_ordering_pages_through_ties_and_unknowns_both_ways(
        self, rounds, viewer_api, field, descending
    ):
        ordering = f"-{field}" if descending else field
        ids, pages = walk(viewer_api, {"cursor": "", "page_size": 2, "ordering": ordering})
        assert ids == expected_order(field, descending)
        back, _ = walk(viewer_api, {}, backwards_from=pages[-1]["previous"])
        assert back == [r["id"] for page in reversed(pages[:-1]) for r in page["results"]]

    def test_a_cursor_past_the_last_round_is_an_empty_page_without_links(self, rounds, viewer_api):
        token = base64.urlsafe_b64encode(orjson.dumps(["n", rounds[-1].pk])).rstrip(b"=").decode()
        response = viewer_api.get(ROUNDS, {"cursor": token})
        assert response.json() == {"next": None, "previous": None, "results": []}
        assert "Link" not in response

    def test_rounds_deleted_on_earlier_pages_do_not_shift_the_next(self, rounds, viewer_api):
        first = viewer_api.get(ROUNDS, {"cursor": "", "page_size": 3}).json()
        by_number = viewer_api.get(ROUNDS, {"page_size": 3}).json()
        FundingRound.objects.filter(pk=rounds[0].pk).delete()
        after_cursor = viewer_api.get(first["next"]).json()
        after_number = viewer_api.get(by_number["next"]).json()
        assert [r["id"] for r in after_cursor["results"]] == [r.pk for r in rounds[3:6]]
        assert [r["id"] for r in after_number["results"]] == [r.pk for r in rounds[4:7]]  # one skipped

    def test_filters_apply_to_every_page(self, rounds, viewer_api):
        investor = InvestorFactory()
        for funding_round in rounds[::2]:
            ParticipationFactory(funding_round=funding_round, investor=investor)
        ids, _ = walk(viewer_api, {"cursor": "", "page_size": 2, "investor": investor.slug})
        assert ids == [r.pk for r in rounds[::2]]

    def test_other_lists_page_by_cursor_too(self, viewer_api):
        companies = CompanyFactory.create_batch(5)
        ids = []
        url, params = reverse("api:company-list"), {"cursor": "", "page_size": 2}
        while url:
            page = viewer_api.get(url, params).json()
            ids += [c["slug"] for c in page["results"]]
            url, params = page["next"], {}
        assert ids == sorted(c.slug for c in companies)

    @pytest.mark.parametrize(
        "params",
        [
            {"cursor": "not a cursor"},
            {"cursor": base64.urlsafe_b64encode(b'["x", 1]').decode()},
            {"cursor": base64.urlsafe_b64encode(b'["n", "1"]').decode()},
            {"cursor": base64.urlsafe_b64encode(b'["n", true]').decode()},
            {"cursor": base64.urlsafe_b64encode(b'{"n": 1}').decode()},
            {
                "cursor": base64.urlsafe_b64encode(b'["n", "2020-13-01", 4]').decode(),
                "ordering": "announced_on",
            },
            {"cursor": base64.urlsafe_b64encode(b'["n", 4]').decode(), "ordering": "announced_on"},
            {"cursor": "", "page": "2"},
            {"cursor": "", "count": "true"},
            {"cursor": "", "ordering": "announced_on,amount"},
        ],
    )
    def test_a_bad_cursor_is_a_400_naming_it(self, rounds, viewer_api, params):
        response = viewer_api.get(ROUNDS, params)
        assert response.status_code == 400
        assert set(response.json()) & {"cursor", "count", "ordering"}


class TestPageNumbers:
    def test_the_count_can_be_skipped(self, rounds, viewer_api):
        page = viewer_api.get(ROUNDS, {"page_size": 4, "count": "false"}).json()
        assert page["count"] is None
        assert parse_qs(urlsplit(page["next"]).query) == {
            "page": ["2"],
            "page_size": ["4"],
            "count": ["false"],
        }
        last = viewer_api.get(ROUNDS, {"page_size": 4, "count": "false", "page": 3}).json()
        assert (len(last["results"]), last["next"]) == (3, None)
        assert viewer_api.get(ROUNDS, {"page_size": 4, "count": "false", "page": 4}).status_code == 404
        counted = viewer_api.get(ROUNDS, {"page_size": 4, "count": "true"}).json()
        assert counted["count"] == 11
        assert viewer_api.get(ROUNDS, {"count": "no"}).status_code == 400

    def test_links_are_also_a_link_header(self, rounds, viewer_api):
        response = viewer_api.get(ROUNDS, {"page_size": 4, "page": 2})
        page = response.json()
        assert response["Link"] == f'<{page["next"]}>; rel="next", <{page["previous"]}>; rel="prev"'

    def test_ties_in_the_ordering_fall_in_one_order(self, rounds, viewer_api):
        pages = [
            viewer_api.get(ROUNDS, {"page_size": 2, "page": n, "ordering": "amount"}).json()
            for n in (1, 2, 3)
        ]
        ids = [r["id"] for page in pages for r in page["results"]]
        assert len(set(ids)) == 6


def test_queries_do_not_grow_with_the_page_size_in_either_mode(rounds, viewer_api):
    for funding_round in rounds:
        ParticipationFactory.create_batch(2, funding_round=funding_round)
    viewer_api.get(ROUNDS)  # the first request also records the token's use and reads the rates
    for mode in ({}, {"count": "false"}, {"cursor": ""}):
        small = queries_of_a_get(viewer_api, ROUNDS, {"page_size": 2, **mode})
        large = queries_of_a_get(viewer_api, ROUNDS, {"page_size": 1000, **mode})
        assert small == large, mode
