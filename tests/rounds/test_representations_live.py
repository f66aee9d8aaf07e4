"""Converted amounts under real concurrency: the exchange rates a server process keeps (`fx.rates`: the
table's rates, the rates looked up and their text, kept while the table's revision is unchanged) are
shared by the threads of a threaded gunicorn worker, as production runs it.

Real threads send requests to a real server: first all at once to a worker that has read no rate yet,
then while a staff rate is added by another process. Every answer must be the one a single client
gets, before the change or after it, and none after the change may still show the old rate.
"""

from __future__ import annotations

import json
import random
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.live_server import gunicorn, run_setup, server_database_url, server_environment

SETUP = """
import json
from django.contrib.auth import get_user_model
from django.core.management import call_command
from portfolio.models import ApiToken
from portfolio.synthetic import seed
call_command("migrate", verbosity=0)
seed(rounds=300, seed=11)
call_command("load_fx_rates", "--since", "2019-01-01", "--currency=CNY", "--currency=USD", "--currency=HKD",
             verbosity=0)
user = get_user_model().objects.create_superuser("reader", password="live-server-password-5120")
print(json.dumps(ApiToken.issue(user=user, read_only=True)[1]))
"""
# A staff rate on the day an amount was converted at: on one day, staff's rate wins over the ECB's.
ADD_STAFF_RATE = """
import datetime
from decimal import Decimal
from fx.models import ExchangeRate, RateOrigin
ExchangeRate.objects.create(
    base="{currency}", quote="USD", on=datetime.date.fromisoformat("{day}"), rate=Decimal("{rate}"),
    origin=RateOrigin.STAFF,
)
"""
PAGES = [f"rounds/?page_size=100&page={page}" for page in (1, 2, 3)]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("rates-live")
    # One process with eight threads, so that every request shares one process's rates.
    env = server_environment(
        server_database_url(folder, "rates_live"), GUNICORN_THREADS="8", FX_RATE_MAX_AGE_DAYS="7"
    )
    token = json.loads(run_setup(SETUP, env).strip().splitlines()[-1])
    live = gunicorn(env, folder / "server.log", workers=1).start()
    yield live.url, token, env
    live.stop()


def get(url: str, token: str, path: str) -> dict:
    response = requests.get(f"{url}/api/v1/{path}", headers={"Authorization": f"Bearer {token}"}, timeout=60)
    assert response.status_code == 200, response.text
    return response.json()


def converted(page: dict) -> list[dict]:
    return [
        amount
        for record in page["results"]
        for amount in (
            record["amount_converted"],
            record["pre_money_converted"],
            record["post_money_converted"],
            *(p["amount_converted"] for p in record["participations"]),
        )
    ]


def test_threads_sharing_a_processs_rates_all_answer_as_one_client_does(server):
    url, token, env = server
    barrier = threading.Barrier(16)

    def burst(seed: int) -> list[tuple[str, dict]]:
        order = random.Random(seed).choices(PAGES, k=6)
        barrier.wait()  # together, while the worker has read no rate yet
        return [(path, get(url, token, path)) for path in order]

    with ThreadPoolExecutor(16) as pool:
        answers = [answer for answers in pool.map(burst, range(16)) for answer in answers]
    alone = {path: get(url, token, path) for path in PAGES}
    assert all(answer == alone[path] for path, answer in answers)
    amounts = [amount for page in alone.values() for amount in converted(page)]
    assert {a["rate_origin"] for a in amounts} >= {"", "ecb"}  # converted at the ECB's rates, and the same
    assert any(a["reason"] and a["amount"] is None for a in amounts)  # some cannot be, and say why

    # A staff rate is added by another process while threads go on reading.
    target = next(
        (path, record, record["amount_converted"])
        for path in PAGES
        for record in alone[path]["results"]
        if record["currency"] not in ("USD", "") and record["amount_converted"]["rate_origin"] == "ecb"
    )
    path, record, before = target
    changed = threading.Event()
    during: list[tuple[bool, dict]] = []

    def read_on() -> None:
        while True:
            started_after = changed.is_set()
            during.append((started_after, get(url, token, path)))
            if started_after and len(during) > 40:
                return

    with ThreadPoolExecutor(8) as pool:
        readers = [pool.submit(read_on) for _ in range(8)]
        staff_rate = "0.123456"
        run_setup(
            ADD_STAFF_RATE.format(currency=record["currency"], day=before["rate_date"], rate=staff_rate), env
        )
        changed.set()
        for reader in readers:
            reader.result(timeout=120)
    after = get(url, token, path)
    shown = next(r["amount_converted"] for r in after["results"] if r["id"] == record["id"])
    assert (shown["rate"], shown["rate_origin"]) == (staff_rate, "staff")
    assert shown["rate_date"] == before["rate_date"]
    assert all(answer in (alone[path], after) for _, answer in during)
    assert all(answer == after for started_after, answer in during if started_after)
    assert any(answer == alone[path] for _, answer in during)  # some were read before the change
