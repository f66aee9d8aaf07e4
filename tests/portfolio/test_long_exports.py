"""A streaming export that takes far longer than gunicorn's worker timeout completes, every row of it.

gunicorn's threaded workers (`gunicorn.conf.py`) keep telling the master they are alive while a
request streams, so the timeout never cuts an export short (with sync workers, this export would
be killed mid-way while its status said 200). The timeout is two seconds: a threaded worker tells
the master it is alive about once a second, which one second would cut fine on a busy machine.
The export here runs several times the timeout;
should exports become fast enough that it no longer does, the test says so and `ROUNDS` must grow.
The server runs on SQLite in both legs of the suite: on PostgreSQL the database writes the CSV itself
(COPY), 40,000 rounds in under a second, and what is tested here is the worker, not the database.
"""

import time
import urllib.request

from tests.live_server import gunicorn, run_setup, server_environment

ROUNDS = 40_000
TIMEOUT = 2
SETUP = f"""
import datetime
from django.contrib.auth import get_user_model
from django.core.management import call_command
from companies.models import Company, Source
from portfolio.models import ApiToken
from rounds.models import FundingRound
call_command("migrate", verbosity=0)
company = Company.objects.create(slug="long-export", name_en="Long export", name_zh="长导出", country="CN")
source = Source.objects.create(title="Synthetic", published_on=datetime.date(2026, 1, 1))
FundingRound.objects.bulk_create(
    FundingRound(
        company=company,
        stage="a",
        label=f"Round {{n}}",
        announced_on=datetime.date(2000, 1, 1) + datetime.timedelta(days=n % 9000),
        source=source,
    )
    for n in range({ROUNDS})
)
user = get_user_model().objects.create_superuser("root", password="export-test-password-1180")
print(ApiToken.issue(user=user, name="export test")[1])
"""


def test_an_export_longer_than_the_worker_timeout_is_not_cut(tmp_path):
    env = server_environment(f"sqlite:///{tmp_path / 'long_export.sqlite3'}")
    token = run_setup(SETUP, env).strip().splitlines()[-1]
    server = gunicorn(env, tmp_path / "server.log", workers=1, timeout=TIMEOUT).start()
    try:
        request = urllib.request.Request(
            f"{server.url}/api/v1/rounds/?format=csv", headers={"Authorization": f"Bearer {token}"}
        )
        started = time.monotonic()
        with urllib.request.urlopen(request, timeout=300) as response:
            lines = response.read().decode("utf-8-sig").splitlines()
        took = time.monotonic() - started
        log = (tmp_path / "server.log").read_text()
    finally:
        server.stop()

    assert len(lines) == ROUNDS + 1, f"{len(lines) - 1} of {ROUNDS} rows"
    assert lines[-1].split(",")[5] == f"Round {ROUNDS - 1}", lines[-1]
    assert took > TIMEOUT * 2, f"the export took {took:.1f} s: too quick to prove anything"
    print(f"{ROUNDS:,} rounds exported in {took:.1f} s under a {TIMEOUT} s worker timeout")
    assert "WORKER TIMEOUT" not in log
