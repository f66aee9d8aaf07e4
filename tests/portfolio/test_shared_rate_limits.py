"""Two gunicorn servers on one database, a limit of 30 requests a minute: together they let exactly
30 through, however the requests are spread over servers, processes and threads."""

import json
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from tests.live_server import gunicorn, run_setup, server_database_url, server_environment

SETUP = """
from django.contrib.auth import get_user_model
from django.core.management import call_command
from portfolio.models import ApiToken
call_command("migrate", verbosity=0)
user = get_user_model().objects.create_superuser("root", password="rate-test-password-8812")
print(ApiToken.issue(user=user, name="rate test")[1])
"""
LIMIT = 30


def get(url: str, token: str) -> tuple[int, dict]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers)


def wait_for_a_fresh_window(seconds_needed: int = 20) -> None:
    """Start well inside a minute, so that the whole burst is counted in one window."""
    into = time.time() % 60
    if into > 60 - seconds_needed:
        time.sleep(60 - into + 0.5)


def test_two_servers_on_one_database_let_exactly_the_rate_through(tmp_path):
    env = server_environment(server_database_url(tmp_path, "ratelimit"), API_THROTTLE_RATE=f"{LIMIT}/minute")
    token = run_setup(SETUP, env).strip().splitlines()[-1]
    servers = [gunicorn(env, tmp_path / f"server-{n}.log", workers=2).start() for n in (1, 2)]
    try:
        urls = [f"{server.url}/api/v1/companies/" for server in servers] * LIMIT
        wait_for_a_fresh_window()
        with ThreadPoolExecutor(max_workers=8) as pool:
            answers = list(pool.map(lambda url: get(url, token), urls))
    finally:
        for server in servers:
            server.stop()

    codes = [status for status, _headers in answers]
    by_server = {
        server.url: sorted(
            status for url, (status, _h) in zip(urls, answers, strict=True) if server.url in url
        )
        for server in servers
    }
    assert sorted(codes) == [200] * LIMIT + [429] * LIMIT, json.dumps(by_server)
    assert all(200 in statuses for statuses in by_server.values()), "both servers served some"
    refused = [headers for status, headers in answers if status == 429]
    assert all(
        int(headers["Retry-After"]) > 0 and headers["RateLimit-Remaining"] == "0" for headers in refused
    )
    remaining = sorted(int(headers["RateLimit-Remaining"]) for status, headers in answers if status == 200)
    assert remaining == list(range(LIMIT)), "each request saw the one shared count"
