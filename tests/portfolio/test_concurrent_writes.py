"""Writes under real concurrency: real threads against a real server (gunicorn, four worker processes).

The server runs on a database of the suite's kind (SQLite file or PostgreSQL), so both legs of
CI prove the same guarantees: of several writers holding one version exactly one wins; writes
to different fields all persist; a POST retried with its Idempotency-Key creates one record;
of eight admin sessions saving one opened version exactly one is accepted; a mirror built only
from the change feed while others write ends identical to the database; and under `make run`'s
server on SQLite, concurrent writes wait their turn instead of failing.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.helpers import form_data
from tests.live_server import ROOT, gunicorn, run_setup, runserver, server_database_url, server_environment

PASSWORD = "live-server-password-9431"
SETUP = f"""
import json
from django.contrib.auth import get_user_model
from django.core.management import call_command
from portfolio.history import history_baseline_create
from portfolio.models import ApiToken
call_command("migrate", verbosity=0)
call_command("loaddata", "article", verbosity=0)
history_baseline_create(reason="Loaded from the article fixture")
User = get_user_model()
User.objects.create_superuser("root", password="{PASSWORD}")
tokens = {{}}
for name in ("alice", "bob", "carol"):
    user = User.objects.create_superuser(name, password="{PASSWORD}")
    tokens[name] = ApiToken.issue(user=user, name=f"{{name}} sync")[1]
print(json.dumps(tokens))
"""


class Live:
    """The running server, and API calls to it as one of its users."""

    def __init__(self, url: str, tokens: dict[str, str], env: dict[str, str]):
        self.url = url
        self.tokens = tokens
        self.env = env

    def api(self, method: str, path: str, user: str = "alice", headers: dict | None = None, **kwargs):
        headers = {"Authorization": f"Bearer {self.tokens[user]}", **(headers or {})}
        return requests.request(method, f"{self.url}/api/v1/{path}", headers=headers, timeout=60, **kwargs)

    def changes(self, after: str | None = None, page_size: int = 1000) -> dict:
        params = {"page_size": page_size, **({"after": after} if after else {})}
        response = self.api("GET", "changes/", params=params)
        assert response.status_code == 200, response.text
        return response.json()

    def all_changes(self) -> list[dict]:
        entries, after = [], None
        while True:
            page = self.changes(after)
            entries += page["results"]
            after = page["cursor"]
            if page["next"] is None:
                return entries

    def history_of(self, resource: str, record_id: int) -> list[dict]:
        return [e for e in self.all_changes() if e["resource"] == resource and e["id"] == record_id]

    def company(self, **fields) -> dict:
        slug = f"c-{uuid.uuid4().hex[:10]}"
        response = self.api("POST", "companies/", json={"slug": slug, "name_en": slug, **fields})
        assert response.status_code == 201, response.text
        return response.json()

    def record_id(self, resource: str, slug: str) -> int:
        """The id of a record addressed by slug, as the change feed gives it."""
        return next(e["id"] for e in self.all_changes() if e["resource"] == resource and e["slug"] == slug)


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    folder = tmp_path_factory.mktemp("live")
    env = server_environment(server_database_url(folder, "live"))
    tokens = json.loads(run_setup(SETUP, env).strip().splitlines()[-1])
    server = gunicorn(env, folder / "server.log", workers=4).start()
    yield Live(server.url, tokens, env)
    server.stop()


def at_once(calls: list[Callable[[], object]]) -> list:
    """Run the calls from as many threads, released together; their results in order."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def test_twenty_patches_with_one_etag_exactly_one_wins(live):
    slug = live.company()["slug"]
    etag = live.api("GET", f"companies/{slug}/").headers["ETag"]
    cities = [f"City {n}" for n in range(20)]

    responses = at_once(
        [
            lambda city=city: live.api(
                "PATCH", f"companies/{slug}/", json={"city": city}, headers={"If-Match": etag}
            )
            for city in cities
        ]
    )

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] + [412] * 19
    [winner] = [r for r in responses if r.status_code == 200]
    assert winner.headers["ETag"] == '"2"'
    for refused in (r for r in responses if r.status_code == 412):
        assert refused.json()["etag"] == '"2"' and refused.headers["ETag"] == '"2"'
    stored = live.api("GET", f"companies/{slug}/").json()
    assert (stored["city"], stored["version"]) == (winner.json()["city"], 2)
    history = live.history_of("companies", live.record_id("companies", slug))
    assert [(e["action"], e["version"]) for e in history] == [("created", 1), ("updated", 2)]


def test_six_patches_to_different_fields_all_persist(live):
    slug = live.company()["slug"]
    values = {
        "city": "北京",
        "sector": "Large language models",
        "legal_name": "北京智谱华章科技股份有限公司",
        "summary": "Six writers, six fields.",
        "name_zh": "智谱",
        "website": "https://www.zhipuai.cn/",
    }

    responses = at_once(
        [
            lambda name=name, value=value: live.api("PATCH", f"companies/{slug}/", json={name: value})
            for name, value in values.items()
        ]
    )

    assert [r.status_code for r in responses] == [200] * 6
    stored = live.api("GET", f"companies/{slug}/").json()
    assert {name: stored[name] for name in values} == values
    assert stored["version"] == 7


def test_ten_posts_with_one_idempotency_key_create_one_record(live):
    key = str(uuid.uuid4())
    slug = f"idem-{uuid.uuid4().hex[:8]}"
    body = {"slug": slug, "name_en": "Idempotent Capital", "kind": "vc"}

    def post():
        return live.api("POST", "investors/", json=body, headers={"Idempotency-Key": key})

    responses = at_once([post] * 10)

    assert [r.status_code for r in responses] == [201] * 10
    assert len({r.text for r in responses}) == 1
    assert sorted(r.headers.get("Idempotent-Replayed", "") for r in responses) == [""] + ["true"] * 9
    assert {r.headers["Location"] for r in responses} == {f"{live.url}/api/v1/investors/{slug}/"}
    matching = live.api("GET", "investors/", params={"q": slug}).json()
    assert matching["count"] == 1
    investor_id = live.record_id("investors", slug)

    replay = post()
    assert (replay.status_code, replay.text) == (201, responses[0].text)
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert len(live.history_of("investors", investor_id)) == 1

    other_body = live.api(
        "POST", "investors/", json={**body, "name_en": "Other"}, headers={"Idempotency-Key": key}
    )
    assert other_body.status_code == 422
    assert live.api("GET", "investors/", params={"q": slug}).json()["count"] == 1


def admin_session(live) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{live.url}/admin/login/", timeout=60)
    data = {**form_data(page, "login-form"), "username": "root", "password": PASSWORD}
    response = session.post(
        f"{live.url}/admin/login/?next=/admin/", data=data, allow_redirects=False, timeout=60
    )
    assert response.status_code == 302, response.text
    return session


def test_of_eight_admin_sessions_saving_one_opened_version_exactly_one_is_accepted(live):
    slug = live.company(city="Before")["slug"]
    url = f"{live.url}/admin/companies/company/{live.record_id('companies', slug)}/change/"
    sessions = [admin_session(live) for _ in range(8)]
    opened = [form_data(session.get(url, timeout=60), "company_form") for session in sessions]
    assert {form["opened_version"] for form in opened} == {"1"}

    responses = at_once(
        [
            lambda session=session, form=form, n=n: session.post(
                url, {**form, "city": f"Session {n}", "_save": "Save"}, allow_redirects=False, timeout=60
            )
            for n, (session, form) in enumerate(zip(sessions, opened, strict=True))
        ]
    )

    statuses = [r.status_code for r in responses]
    assert sorted(statuses) == [200] * 7 + [302]
    winner = statuses.index(302)
    for refused in (r for r in responses if r.status_code == 200):
        assert "Nothing was saved" in refused.text and "was changed by root" in refused.text
    stored = live.api("GET", f"companies/{slug}/").json()
    assert (stored["city"], stored["version"]) == (f"Session {winner}", 2)


MIRRORED = ("companies", "investors", "rounds", "participations")
# A company's portfolio flag follows the house investor's participations, not the company's entries.
# Values computed from other records (and the day's exchange rates), not written with the record.
NOT_IN_ENTRIES = (
    "in_portfolio",
    "amount_converted",
    "pre_money_converted",
    "post_money_converted",
    "value_converted",
)


def as_written(item: dict) -> dict:
    """A record as the change feed shows it: without the values computed from other records."""
    record = {name: value for name, value in item.items() if name not in NOT_IN_ENTRIES}
    if "participations" in record:
        record["participations"] = [as_written(p) for p in record["participations"]]
    return record


def write_at_random(live, user: str, seed: int, steps: int) -> None:
    """One client's life: companies, investors and rounds created, changed and deleted."""
    rng = random.Random(seed)
    for step in range(steps):
        company = live.company(city="Start")["slug"]
        investors = []
        for role in ("lead", "participant"):
            slug = f"i-{user}-{seed}-{step}-{role}"
            assert (
                live.api("POST", "investors/", user, json={"slug": slug, "name_en": slug}).status_code == 201
            )
            investors.append(slug)
        participations = [
            {"investor": investors[0], "role": "lead"},
            {"investor": investors[1], "role": "participant", "amount": "1000.00", "currency": "USD"},
        ]
        body = {"company": company, "stage": rng.choice(["a", "b", "c"]), "participations": participations}
        response = live.api("POST", "rounds/", user, json=body)
        assert response.status_code == 201, response.text
        round_url = f"rounds/{response.json()['id']}/"
        assert (
            live.api("PATCH", f"companies/{company}/", user, json={"city": f"Step {step}"}).status_code == 200
        )
        current = live.api("GET", round_url, user).json()
        current["participations"][1]["role"] = "co_lead"
        current["label"] = f"Round {step}"
        assert live.api("PUT", round_url, user, json=current).status_code == 200
        lead = live.api("GET", round_url, user).json()["participations"][0]["id"]
        patched = live.api("PATCH", f"participations/{lead}/", user, json={"is_follow_on": True})
        assert patched.status_code == 200
        if rng.random() < 0.5:
            assert live.api("DELETE", round_url, user).status_code == 204
            assert live.api("DELETE", f"investors/{investors[1]}/", user).status_code == 204
            assert live.api("DELETE", f"companies/{company}/", user).status_code == 204


def test_a_mirror_of_the_change_feed_ends_identical_to_the_database(live):
    writers_done = threading.Event()
    mirror: dict[tuple[str, int], dict] = {}

    def follow(after: str | None) -> str | None:
        page = live.changes(after, page_size=7)
        for entry in page["results"]:
            key = (entry["resource"], entry["id"])
            if entry["action"] == "deleted":
                mirror.pop(key, None)
            else:
                mirror[key] = entry["record"]
        return page["cursor"] if page["results"] else after

    def read_while_writing() -> None:
        after = None
        while not writers_done.is_set():
            after = follow(after)
            time.sleep(0.01)
        while (following := follow(after)) != after:
            after = following

    reader = threading.Thread(target=read_while_writing)
    reader.start()
    users = ["alice", "bob", "carol"]
    at_once(
        [lambda user=user, n=n: write_at_random(live, user, seed=n, steps=6) for n, user in enumerate(users)]
    )
    writers_done.set()
    reader.join(timeout=120)
    assert not reader.is_alive()

    for resource in MIRRORED:
        listed = live.api("GET", f"{resource}/", params={"page_size": 1000}).json()
        assert listed["next"] is None
        key = "slug" if resource in ("companies", "investors") else "id"
        expected = {item[key]: as_written(item) for item in listed["results"]}
        mirrored = {record[key]: record for (name, _id), record in mirror.items() if name == resource}
        assert mirrored == expected, resource


@pytest.fixture(scope="module")
def make_run_server(tmp_path_factory):
    """The app as `make run` serves it: the development server on an SQLite file."""
    folder = tmp_path_factory.mktemp("make-run")
    env = server_environment(f"sqlite:///{folder / 'db.sqlite3'}", DJANGO_DEBUG="true")
    tokens = json.loads(run_setup(SETUP, env).strip().splitlines()[-1])
    server = runserver(env, folder / "server.log").start()
    yield Live(server.url, tokens, env)
    server.stop()


def test_under_make_run_concurrent_writes_wait_their_turn(make_run_server):
    live = make_run_server
    slugs = [live.company()["slug"] for _ in range(4)]
    calls = [
        lambda slug=slug, n=n: live.api("PATCH", f"companies/{slug}/", json={"summary": f"Write {n}" * 200})
        for n in range(24)
        for slug in [slugs[n % 4]]
    ]

    # Django's development server queues at most 10 connections it has not yet accepted
    # (`WSGIServer.request_queue_size`); a busy machine refuses the rest. So the writes come in
    # waves of 8 released together, two on each record.
    responses = [response for wave in range(0, 24, 8) for response in at_once(calls[wave : wave + 8])]

    assert [r.status_code for r in responses] == [200] * 24, {r.status_code: r.text for r in responses}
    versions = sorted(live.api("GET", f"companies/{slug}/").json()["version"] for slug in slugs)
    assert versions == [7, 7, 7, 7]


SLOW_WRITER = """
import sys
from django.db import transaction
from companies.models import Company
with transaction.atomic():
    Company.objects.create(slug=sys.argv[1], name_en="Slow writer")
    print("written", flush=True)
    sys.stdin.readline()
"""
QUICK_WRITER = """
import sys
from companies.models import Company
Company.objects.create(slug=sys.argv[1], name_en="Quick writer")
"""


def test_a_change_that_commits_after_a_later_numbered_one_is_not_skipped(live):
    """A writer holds its transaction open while a second writes and commits: a reader following the
    feed in between must still get the first writer's change once it commits."""
    end = live.changes(page_size=1000)
    while end["next"]:
        end = live.changes(end["cursor"], page_size=1000)
    slow, quick = f"slow-{uuid.uuid4().hex[:8]}", f"quick-{uuid.uuid4().hex[:8]}"
    env = live.env
    preamble = "import django\ndjango.setup()\n"
    slow_writer = subprocess.Popen(
        [sys.executable, "-c", preamble + SLOW_WRITER, slow],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert slow_writer.stdout.readline().strip() == "written"
    quick_writer = subprocess.Popen([sys.executable, "-c", preamble + QUICK_WRITER, quick], cwd=ROOT, env=env)
    time.sleep(1.5)  # the quick writer has committed by now, or is waiting for the slow one
    seen: list[dict] = []
    reader = threading.Thread(target=lambda: seen.append(live.changes(end["cursor"], page_size=1000)))
    reader.start()
    time.sleep(1.0)
    slow_writer.communicate("commit\n", timeout=60)
    assert quick_writer.wait(timeout=60) == 0 and slow_writer.returncode == 0
    reader.join(timeout=60)

    first = seen[0]
    rest = live.changes(first["cursor"], page_size=1000)
    slugs = [e["slug"] for e in first["results"] + rest["results"] if e["resource"] == "companies"]
    assert sorted(slugs) == sorted([slow, quick])
