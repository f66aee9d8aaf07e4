"""How export memory and time grow with the number of rows.

Exports are streamed: memory should stay flat as rows grow, and time grow linearly. This
fills a throwaway database with synthetic rounds (each with two participations), exports
every round as CSV, XLSX and JSON through the API at several sizes, and prints the peak
Python memory (tracemalloc) and the time of each, with the ratio to the smallest size.

    .venv/bin/python bench/exports.py [--sizes 1000 10000 50000]
"""

import argparse
import datetime
import os
import sys
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from companies.models import Company  # noqa: E402
from portfolio.models import ApiToken  # noqa: E402
from rounds.models import FundingRound, Investor, Participation  # noqa: E402


def fill(rounds: int) -> None:
    """Synthetic rounds up to `rounds`, across 500 companies and 100 investors."""
    have = FundingRound.objects.count()
    if have >= rounds:
        return
    with transaction.atomic():
        if not Company.objects.exists():
            Company.objects.bulk_create(
                Company(slug=f"company-{i}", name_en=f"Company {i}", name_zh=f"公司{i}") for i in range(500)
            )
            Investor.objects.bulk_create(
                Investor(slug=f"investor-{i}", name_en=f"Investor {i}", name_zh=f"投资人{i}")
                for i in range(100)
            )
        companies = list(Company.objects.order_by("pk"))
        investors = list(Investor.objects.order_by("pk"))
        new = FundingRound.objects.bulk_create(
            FundingRound(
                company=companies[i % len(companies)],
                stage="a",
                label="A轮",
                announced_on=datetime.date(2015 + i % 10, 1 + i % 12, 1),
                announced_on_precision="month",
                amount=Decimal(1_000_000 + i),
                currency="CNY",
            )
            for i in range(have, rounds)
        )
        Participation.objects.bulk_create(
            Participation(funding_round=r, investor=investors[(r.pk + k) % len(investors)], role=role)
            for r in new
            for k, role in enumerate(("lead", "participant"))
        )


def export(client: Client, export_format: str) -> int:
    """One export, consumed chunk by chunk as a client would; returns its size in bytes."""
    response = client.get("/api/v1/rounds/", {"format": export_format})
    assert response.status_code == 200, response.status_code
    return sum(len(chunk) for chunk in response.streaming_content)


def measure(client: Client, export_format: str) -> tuple[float, float, int]:
    """Peak traced memory (MiB) of one export, and seconds and bytes of another run untraced."""
    started = time.perf_counter()
    size = export(client, export_format)
    elapsed = time.perf_counter() - started
    tracemalloc.start()
    export(client, export_format)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20, elapsed, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 50000])
    args = parser.parse_args()
    setup_test_environment()
    call_command("migrate", verbosity=0)
    user, _ = get_user_model().objects.get_or_create(username="bench", defaults={"is_superuser": True})
    _, token = ApiToken.issue(user=user, name="bench")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")

    fill(min(args.sizes))
    for export_format in ("csv", "xlsx", "json"):
        export(client, export_format)  # warm up: imports and caches are not what is measured

    columns = ("rows", "format", "peak MiB", "x mem", "seconds", "x time", "MiB out")
    print(" ".join(f"{name:>9}" for name in columns))
    first: dict[str, tuple[float, float]] = {}
    for size in sorted(args.sizes):
        if FundingRound.objects.count() > size:
            FundingRound.objects.filter(pk__gt=size).delete()
        fill(size)
        for export_format in ("csv", "xlsx", "json"):
            peak, seconds, out = measure(client, export_format)
            base_peak, base_seconds = first.setdefault(export_format, (peak, seconds))
            print(
                f"{size:>9} {export_format:>9} {peak:>9.1f} {peak / base_peak:>9.2f} "
                f"{seconds:>9.2f} {seconds / base_seconds:>9.2f} {out / 2**20:>9.1f}"
            )


if __name__ == "__main__":
    main()
