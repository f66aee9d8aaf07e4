"""An export of a million rounds through gunicorn: every row arrives, and the worker's memory stays flat.

Seeds a PostgreSQL database with synthetic data (`manage.py seed_synthetic`) up to `--rounds`
rounds, serves the app under gunicorn as production does (`gunicorn.conf.py`: threaded workers)
with one worker and a worker timeout far shorter than the export, streams the export as a
client would, counts its rows with a CSV parser, and samples the worker's resident
memory while it runs. Prints the figures; exits with status 1 if a row is missing, the worker
was killed, or its peak memory reached `--max-memory` MiB.

    .venv/bin/python bench/long_export.py [--rounds 1000000] [--timeout 10]

The database is BENCH_DATABASE_URL, by default `portfolio_bench` on the local cluster with the
credentials of `.ci/run`; it is created when missing and kept between runs, so a second run
only measures.
"""

import argparse
import csv
import http.client
import io
import os
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.servers import (
    ROOT,
    Gunicorn,
    MemorySampler,
    app_environment,
    create_database,
    django_setup,
    resident_mib,
)

DEFAULT_DATABASE = "postgres://portfolio:portfolio@127.0.0.1:5432/portfolio_bench"


def prepare(rounds: int) -> tuple[int, str]:
    """Migrate, seed up to `rounds` rounds; the number of rounds and an API token."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from portfolio.models import ApiToken
    from portfolio.synthetic import seed
    from rounds.models import FundingRound

    call_command("migrate", verbosity=0)
    have = FundingRound.objects.count()
    if have < rounds:
        print(f"Seeding {rounds - have:,} rounds …", flush=True)
        started = time.monotonic()
        seed(rounds=rounds - have, seed=have)
        print(f"  seeded in {time.monotonic() - started:.0f} s", flush=True)
    user, _ = get_user_model().objects.get_or_create(username="bench", defaults={"is_superuser": True})
    _, token = ApiToken.issue(user=user, name="long export bench")
    return FundingRound.objects.count(), token


def count_rows(response) -> tuple[int, str]:
    """Rows in the streamed CSV export, parsed as a client would parse them, and why it ended early."""
    reader = csv.reader(io.TextIOWrapper(response, encoding="utf-8-sig", newline=""))
    rows = -1  # the header
    try:
        for _ in reader:
            rows += 1
    except (http.client.HTTPException, OSError) as error:
        return rows, f"the stream broke off: {error!r}"
    return rows, ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=1_000_000)
    parser.add_argument("--timeout", type=int, default=10, help="gunicorn's worker timeout, in seconds.")
    parser.add_argument("--max-memory", type=float, default=150, help="The worker's allowed peak, MiB.")
    args = parser.parse_args()

    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE)
    create_database(database_url)
    env = app_environment(database_url)
    django_setup(env)
    rounds, token = prepare(args.rounds)

    with Gunicorn(env, ROOT / "bench" / "long_export.log", timeout=args.timeout) as server:
        headers = {"Authorization": f"Bearer {token}"}
        # A first small request loads the code, so the baseline is the worker as it serves.
        server.wait(
            lambda: urllib.request.urlopen(
                urllib.request.Request(f"{server.url}/api/v1/rounds/?page_size=5", headers=headers)
            )
        )
        (worker,) = server.workers()
        before = resident_mib(worker)
        sampler = MemorySampler(worker)
        sampler.start()
        started = time.monotonic()
        request = urllib.request.Request(f"{server.url}/api/v1/rounds/?format=csv", headers=headers)
        with urllib.request.urlopen(request, timeout=600) as response:
            status = response.status
            exported, broken = count_rows(response)
        seconds = time.monotonic() - started
        peak = sampler.stop()
        killed = server.killed(worker)

    print(f"rounds in the database   {rounds:>12,}")
    print(f"rows exported (CSV)      {exported:>12,}   status {status}")
    print(f"seconds                  {seconds:>12.1f}   ({args.timeout} s worker timeout)")
    print(f"rows per second          {exported / seconds:>12,.0f}")
    print(f"worker memory before     {before:>12.1f} MiB")
    print(f"worker memory peak       {peak:>12.1f} MiB   (growth {peak - before:.1f} MiB)")
    print(f"worker killed            {'yes' if killed else 'no':>12}")
    failures = []
    if exported != rounds:
        failures.append(f"{rounds - exported:,} rows missing")
    if broken:
        failures.append(broken)
    if killed:
        failures.append("the worker was killed")
    if peak >= args.max_memory:
        failures.append(f"peak memory {peak:.0f} MiB is not under {args.max_memory:.0f} MiB")
    print("FAILED: " + "; ".join(failures) if failures else "OK: every row, bounded memory")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
