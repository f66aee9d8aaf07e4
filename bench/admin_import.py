"""A staff member imports a large rounds file in the admin, through gunicorn: preview, then confirm.

Seeds a PostgreSQL database with a small synthetic portfolio (the companies and investors the
file names), writes a CSV of `--rows` new rounds with their investors, serves the app under
gunicorn as production does with one worker and a worker timeout far shorter than the import,
logs in to the admin, uploads the file, reads the preview, confirms it, and checks that every
round was written. Prints the time and answer of each step and the worker's peak memory; exits
with status 1 if an answer is not the expected one, the worker was killed, or a round is missing.

    .venv/bin/python bench/admin_import.py [--rows 50000] [--timeout 10]

The database is BENCH_IMPORT_DATABASE_URL, by default `portfolio_bench_import` on the local
cluster with the credentials of `.ci/run`; it is created afresh on every run.
"""

import argparse
import html
import os
import random
import re
import sys
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.servers import ROOT, Gunicorn, MemorySampler, app_environment, create_database, django_setup

DEFAULT_DATABASE = "postgres://portfolio:portfolio@127.0.0.1:5432/portfolio_bench_import"
PASSWORD = "bench-import-password-4417"
HIDDEN_INPUT = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


def prepare() -> tuple[list[str], list[str]]:
    """Migrate, seed a small portfolio and a superuser; the slugs of its companies and investors."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from companies.models import Company
    from portfolio.synthetic import seed
    from rounds.models import Investor

    call_command("migrate", verbosity=0)
    seed(rounds=2000)
    get_user_model().objects.create_superuser("bench", password=PASSWORD)
    companies = list(Company.objects.order_by("pk").values_list("slug", flat=True))
    investors = list(Investor.objects.order_by("pk").values_list("slug", flat=True))
    return companies, investors


def rounds_file(rows: int, companies: list[str], investors: list[str]) -> bytes:
    """New rounds as staff would write them: partial dates, amounts, a lead and participants."""
    rng = random.Random(0)
    lines = ["company,stage,label,announced_on,amount,currency,lead_investors,participants"]
    for n in range(rows):
        lead, *others = rng.sample(investors, rng.randrange(1, 5))
        when = rng.choice(("2023", "2024-05", "2025-03-18"))
        amount = f"{rng.randrange(1, 500) * 1_000_000}" if n % 2 else ""
        currency = "CNY" if amount else ""
        lines.append(
            f"{rng.choice(companies)},b,Imported {n},{when},{amount},{currency},{lead},{';'.join(others)}"
        )
    return ("\n".join(lines) + "\n").encode()


class AdminSession:
    """A staff member in the admin over HTTP, as a browser would be: logged in, with its CSRF token."""

    def __init__(self, url: str):
        self.url = url
        self.session = requests.Session()

    def post(self, path: str, **kwargs) -> requests.Response:
        kwargs["data"] = {"csrfmiddlewaretoken": self.session.cookies["csrftoken"], **kwargs.get("data", {})}
        headers = {"Referer": f"{self.url}{path}"}
        return self.session.post(f"{self.url}{path}", headers=headers, allow_redirects=False, **kwargs)

    def log_in(self, username: str, password: str) -> None:
        self.session.get(f"{self.url}/admin/login/", timeout=5)
        answer = self.post("/admin/login/", data={"username": username, "password": password})
        assert answer.status_code == 302, answer.status_code

    def preview(self, model_path: str, name: str, content: bytes) -> requests.Response:
        """Upload a CSV file to the import of `model_path` ("rounds/fundinground"); its preview."""
        self.session.get(f"{self.url}/admin/{model_path}/import/")
        files = {"import_file": (name, content, "text/csv")}
        data = {"format": "0", "resource": "0"}
        return self.post(f"/admin/{model_path}/import/", data=data, files=files, timeout=3600)

    def confirm(self, model_path: str, preview: requests.Response) -> requests.Response:
        """Confirm the import a preview shows, with the fields of its confirmation form."""
        fields = {name: html.unescape(value) for name, value in HIDDEN_INPUT.findall(preview.text)}
        return self.post(f"/admin/{model_path}/process_import/", data=fields, timeout=3600)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--timeout", type=int, default=10, help="gunicorn's worker timeout, in seconds.")
    args = parser.parse_args()

    database_url = os.environ.get("BENCH_IMPORT_DATABASE_URL", DEFAULT_DATABASE)
    create_database(database_url, fresh=True)
    env = app_environment(database_url)
    django_setup(env)
    companies, investors = prepare()
    from rounds.models import FundingRound

    before = FundingRound.objects.count()
    content = rounds_file(args.rows, companies, investors)

    figures = {}
    with Gunicorn(env, ROOT / "bench" / "admin_import.log", timeout=args.timeout) as server:
        admin = AdminSession(server.url)
        server.wait(lambda: admin.log_in("bench", PASSWORD))
        (worker,) = server.workers()
        sampler = MemorySampler(worker)
        sampler.start()
        started = time.monotonic()
        preview = admin.preview("rounds/fundinground", "rounds.csv", content)
        figures["preview"] = (preview.status_code, time.monotonic() - started, len(preview.content))
        started = time.monotonic()
        done = admin.confirm("rounds/fundinground", preview)
        figures["confirm"] = (done.status_code, time.monotonic() - started, len(done.content))
        peak = sampler.stop()
        killed = server.killed(worker)
    written = FundingRound.objects.count() - before

    print(f"rows in the file         {args.rows:>10,}   ({len(content) / 2**20:.1f} MiB of CSV)")
    for step, expected in (("preview", 200), ("confirm", 302)):
        status, seconds, size = figures[step]
        print(
            f"{step:<24} {seconds:>10.1f} s   status {status} (expected {expected}), "
            f"{args.rows / seconds:,.0f} rows/s, page {size / 2**10:,.0f} KiB"
        )
    print(f"rounds written           {written:>10,}")
    print(f"worker memory peak       {peak:>10.1f} MiB")
    print(f"worker killed            {'yes' if killed else 'no':>10}   ({args.timeout} s worker timeout)")
    failures = []
    if figures["preview"][0] != 200 or figures["confirm"][0] != 302:
        failures.append("an unexpected answer")
    if written != args.rows:
        failures.append(f"{args.rows - written:,} rounds not written")
    if killed:
        failures.append("the worker was killed")
    print("FAILED: " + "; ".join(failures) if failures else "OK: previewed, confirmed, every round written")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
