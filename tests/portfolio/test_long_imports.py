"""An admin import that takes far longer than gunicorn's worker timeout is previewed and confirmed whole.

The same steps as `bench/admin_import.py` (which imports 50,000 rounds), with fewer rows and a
two-second worker timeout (a threaded worker tells the master it is alive about once a second,
which one second would cut fine on a busy machine): a staff member logs in, uploads a rounds
file, reads its preview and confirms it, through gunicorn's threaded workers (`gunicorn.conf.py`).
Nothing is cut, no worker is killed and every round is written.
"""

import time

from bench.admin_import import AdminSession, rounds_file
from tests.live_server import gunicorn, run_setup, server_database_url, server_environment

ROWS = 1000
TIMEOUT = 2
PASSWORD = "long-import-password-5521"
SETUP = f"""
from django.contrib.auth import get_user_model
from django.core.management import call_command
from companies.models import Company
from portfolio.synthetic import seed
from rounds.models import Investor
call_command("migrate", verbosity=0)
seed(rounds=300)
get_user_model().objects.create_superuser("root", password="{PASSWORD}")
print(";".join(Company.objects.values_list("slug", flat=True)))
print(";".join(Investor.objects.values_list("slug", flat=True)))
"""
COUNT = """
from rounds.models import FundingRound
print(FundingRound.objects.filter(label__startswith="Imported").count())
"""


def test_an_import_longer_than_the_worker_timeout_is_previewed_and_confirmed(tmp_path):
    env = server_environment(server_database_url(tmp_path, "long_import"))
    companies, investors = run_setup(SETUP, env).strip().splitlines()[-2:]
    content = rounds_file(ROWS, companies.split(";"), investors.split(";"))
    server = gunicorn(env, tmp_path / "server.log", workers=1, timeout=TIMEOUT).start()
    try:
        admin = AdminSession(server.url)
        admin.log_in("root", PASSWORD)
        started = time.monotonic()
        preview = admin.preview("rounds/fundinground", "rounds.csv", content)
        previewed = time.monotonic() - started
        started = time.monotonic()
        done = admin.confirm("rounds/fundinground", preview)
        confirmed = time.monotonic() - started
        log = (tmp_path / "server.log").read_text()
    finally:
        server.stop()

    assert preview.status_code == 200, preview.text[-2000:]
    assert f"{ROWS} rows: {ROWS} new, 0 to update, 0 unchanged, 0 to delete." in preview.text
    assert done.status_code == 302, done.text[-2000:]
    assert int(run_setup(COUNT, env).strip()) == ROWS
    assert min(previewed, confirmed) > TIMEOUT * 2, (
        f"{previewed:.1f} s, {confirmed:.1f} s: too quick to prove anything"
    )
    print(
        f"{ROWS} rows previewed in {previewed:.1f} s and confirmed in {confirmed:.1f} s "
        f"under a {TIMEOUT} s worker timeout"
    )
    assert "WORKER TIMEOUT" not in log
