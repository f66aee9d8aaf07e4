"""API rate limits: per user, per address for anonymous requests and bad tokens, with their headers.

The clock is fixed in the middle of a window, so no count depends on when the test runs.
"""

import pytest
from rest_framework.test import APIClient

from portfolio.models import RateCounter
from portfolio.ratelimit import Rate, hit

pytestmark = pytest.mark.django_db

NOW = 1_800_000_030.0  # 30 s into a minute


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    monkeypatch.setattr("portfolio.ratelimit.time.time", lambda: NOW)


@pytest.fixture
def low_limits(settings):
    settings.API_THROTTLE_RATE = "3/minute"
    settings.API_ANON_THROTTLE_RATE = "2/minute"
    settings.API_BAD_TOKEN_THROTTLE_RATE = "2/minute"


def statuses(client, count: int, path: str = "/api/v1/companies/", **headers) -> list[int]:
    return [client.get(path, **headers).status_code for _ in range(count)]


def test_a_user_gets_the_rate_and_then_429_with_retry_after(low_limits, viewer_api):
    answers = [viewer_api.get("/api/v1/companies/") for _ in range(4)]

    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    assert [answer["RateLimit-Remaining"] for answer in answers] == ["2", "1", "0", "0"]
    assert {answer["RateLimit-Limit"] for answer in answers} == {"3"}
    assert {answer["RateLimit-Reset"] for answer in answers} == {"30"}
    refused = answers[-1]
    assert refused["Retry-After"] == "30"
    assert refused.json()["detail"] == "Too many requests. Try again in 30 seconds."


def test_each_user_has_a_limit_of_its_own(low_limits, viewer_api, editor_api):
    assert statuses(viewer_api, 4) == [200, 200, 200, 429]
    assert statuses(editor_api, 1) == [200]


def test_the_next_window_starts_afresh(low_limits, viewer_api, monkeypatch):
    assert statuses(viewer_api, 4)[-1] == 429
    monkeypatch.setattr("portfolio.ratelimit.time.time", lambda: NOW + 60)
    assert statuses(viewer_api, 1) == [200]
    assert RateCounter.objects.get().window_start == NOW // 60 * 60 + 60, "a bucket keeps its current window"


def test_anonymous_requests_are_limited_per_address(low_limits):
    client = APIClient()
    assert statuses(client, 3, REMOTE_ADDR="203.0.113.5") == [401, 401, 429]
    assert statuses(client, 1, REMOTE_ADDR="198.51.100.8") == [401]


def test_bad_tokens_are_limited_per_address_and_do_not_touch_good_ones(low_limits, viewer_api):
    guesser = APIClient()
    guesser.credentials(HTTP_AUTHORIZATION="Bearer pft_guess")
    assert statuses(guesser, 3, REMOTE_ADDR="203.0.113.5") == [401, 401, 429]
    assert statuses(viewer_api, 1, REMOTE_ADDR="203.0.113.5") == [200]


@pytest.mark.parametrize("path", ["/api/v1/companies/", "/api/v1/no-such-list/", "/api/schema/"])
def test_every_api_answer_says_where_the_client_stands(viewer_api, path):
    response = viewer_api.get(path)
    assert {"RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"} <= set(response.headers)


def test_health_checks_are_not_counted(client):
    response = client.get("/health/")
    assert response.status_code == 200 and "RateLimit-Limit" not in response
    assert not RateCounter.objects.exists()


def test_a_session_user_is_counted_as_that_user(low_limits, admin_client):
    assert statuses(admin_client, 4) == [200, 200, 200, 429]


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("30/minute", Rate(30, 60)),
        ("5/s", Rate(5, 1)),
        ("100/hour", Rate(100, 3600)),
        ("1/day", Rate(1, 86400)),
    ],
)
def test_rates_are_written_as_count_per_period(text, rate):
    assert Rate.parse(text) == rate


def test_a_count_is_one_statement_whatever_the_window(django_assert_num_queries):
    rate = Rate(2, 60)
    verdicts = []
    for now in (NOW, NOW, NOW, NOW + 60, NOW - 60):  # a new window; then a server whose clock lags
        with django_assert_num_queries(1):
            verdicts.append(hit("user:1", rate, now=now))
    assert [verdict.allowed for verdict in verdicts] == [True, True, False, True, True]
    assert [verdict.remaining for verdict in verdicts] == [1, 0, 0, 1, 0]
    counter = RateCounter.objects.get()
    assert (counter.window_start, counter.hits) == (NOW // 60 * 60 + 60, 2)
