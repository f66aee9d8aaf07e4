"""The API's speed against the practical limit of its stack: `make bench`.

Seeds a PostgreSQL database with 100,000 synthetic rounds (`manage.py seed_synthetic`), serves it
with the app under gunicorn and with the reference of `bench/reference.py` (psycopg 3 and orjson,
one SQL statement a request) under gunicorn with the same settings (2 sync workers each), checks
that both answer every benchmarked URL with the same bytes, then drives both with wrk, interleaved
and repeated, and prints for each case the throughput and latency of each, their ratio and the
target, and the app's SQL queries per request. Then the exports: CSV of every round through the
app against `psql \\copy` of the same rows and columns, the worker's memory while it streams, XLSX,
and the CSV's memory at 1,000,000 rounds on a second database. Writes bench/results/api.json (every
figure) and bench/results/api.png (the ratios against their targets), and states the machine's load.

    .venv/bin/python bench/api.py [--duration 10] [--repeat 3] [--no-million] [--fresh]

The PostgreSQL server is the one of BENCH_DATABASE_URL (default
postgres://portfolio:portfolio@127.0.0.1:5432/portfolio_bench_api), which must be running; the
databases (that one and the same name with `_1m`) are created when missing and kept between runs,
so a second run only measures.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime
import http.client
import io
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path

import psycopg

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

DEFAULT_DATABASE = "postgres://portfolio:portfolio@127.0.0.1:5432/portfolio_bench_api"
RESULTS = ROOT / "bench" / "results"
# The Host header both servers get, so that the absolute URLs in their answers are the same.
HOST = "bench.test"
ROUNDS, MILLION, SEED = 100_000, 1_000_000, 0
SYNC_WORKERS = 2
DEEP_STEPS = 999
FILTER_SINCE = "2020-01-01"
# What each case must reach: the app's throughput as a share of the reference's.
TARGETS = {"list-50": 0.5, "list-1000": 0.5, "history": 0.5, "filtered": 0.5, "one-round": 0.25}
CURSOR_TARGET = 1.2  # the deep cursor page's time per request over the first one's, at most
CSV_TARGET, CSV_GROWTH_LIMIT_MB, XLSX_TARGET = 0.5, 50.0, 20_000


# The database


def server_check(url: str) -> None:
    """Exit with a clear message when the PostgreSQL server of `url` does not answer."""
    base = url.rsplit("/", 1)[0]
    try:
        psycopg.connect(f"{base}/postgres", connect_timeout=5).close()
    except psycopg.OperationalError as error:
        sys.exit(
            f"The PostgreSQL server of BENCH_DATABASE_URL ({base.split('@')[-1]}) does not answer; "
            f"start it first (or set BENCH_DATABASE_URL).\n  {str(error).strip()}"
        )


def manage(env: dict[str, str], *arguments: str) -> str:
    """A management command on the database of `env`, its statement timeout off; its output."""
    command = [sys.executable, "manage.py", *arguments]
    done = subprocess.run(
        command,
        cwd=ROOT,
        env={**env, "DATABASE_STATEMENT_TIMEOUT": "0"},
        capture_output=True,
        text=True,
    )
    if done.returncode:
        sys.exit(f"manage.py {' '.join(arguments)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


SEEDED_MARK = "bench_seeded"  # a table of this bench's own: the data finished seeding

ISSUE_TOKEN = """
from django.contrib.auth import get_user_model
from portfolio.models import ApiToken
user, _ = get_user_model().objects.update_or_create(
    username="bench", defaults={"is_superuser": True, "is_staff": True, "is_active": True}
)
ApiToken.objects.filter(user=user, name="api bench").delete()
print(ApiToken.issue(user=user, name="api bench")[1])
"""


def seeded(url: str, rounds: int) -> bool:
    with psycopg.connect(url) as conn:
        if not conn.execute("SELECT to_regclass(%s)", [SEEDED_MARK]).fetchone()[0]:
            return False
        return conn.execute(f"SELECT rounds, seed FROM {SEEDED_MARK}").fetchone() == (rounds, SEED)


def prepare(url: str, rounds: int, *, fresh: bool) -> tuple[str, dict[str, int]]:
    """The database of `url` at the current migrations, seeded with `rounds` synthetic rounds (reused
    when a previous run finished seeding it), analysed; an API token of a superuser and the row counts."""
    env = app_environment(url)
    name = url.rsplit("/", 1)[1]
    create_database(url)
    if fresh or not seeded(url, rounds):
        print(f"Seeding {name} with {rounds:,} rounds (migrate, setup_roles, bootstrap, seed_synthetic) …")
        started = time.monotonic()
        create_database(url, fresh=True)
        manage(env, "migrate", "--noinput")
        manage(env, "setup_roles")
        manage(env, "bootstrap")
        manage(env, "seed_synthetic", "--rounds", str(rounds), "--seed", str(SEED))
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f"CREATE TABLE {SEEDED_MARK} (rounds integer, seed integer)")
            conn.execute(f"INSERT INTO {SEEDED_MARK} VALUES (%s, %s)", [rounds, SEED])
        print(f"  seeded in {time.monotonic() - started:.0f} s", flush=True)
    else:
        manage(env, "migrate", "--noinput")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
        counts = {
            table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in (
                "rounds_fundinground",
                "rounds_participation",
                "companies_company",
                "rounds_investor",
                "fx_exchangerate",
            )
        }
    token = manage(env, "shell", "-c", ISSUE_TOKEN).strip().splitlines()[-1]
    return token, counts


# The cases


@dataclass
class Case:
    """One benchmarked URL, with what the two servers did on it."""

    key: str
    title: str
    path: str
    target: float | None = None
    status: str = "ok"  # ok, MISMATCH, ERROR
    detail: str = ""
    measured: bool = True  # not when a server answers it with an error
    queries: int | None = None
    app_runs: list[dict] = field(default_factory=list)
    reference_runs: list[dict] = field(default_factory=list)

    def median(self, side: str, figure: str) -> float | None:
        runs = [run[figure] for run in getattr(self, f"{side}_runs") if run.get(figure) is not None]
        return statistics.median(runs) if runs else None

    @property
    def ratio(self) -> float | None:
        app, reference = self.median("app", "rps"), self.median("reference", "rps")
        if self.status != "ok" or not app or not reference:
            return None
        return app / reference


def picks(url: str) -> dict[str, str | int]:
    """The concrete records the cases use, the same for the same data: the company with the most
    rounds, the investor in the most rounds since FILTER_SINCE, and the round in the middle by id."""
    with psycopg.connect(url) as conn:
        company, company_rounds = conn.execute(
            "SELECT c.slug, count(*) FROM rounds_fundinground r"
            " JOIN companies_company c ON c.id = r.company_id"
            " GROUP BY c.slug ORDER BY count(*) DESC, c.slug LIMIT 1"
        ).fetchone()
        investor, investor_rounds = conn.execute(
            "SELECT i.slug, count(DISTINCT p.funding_round_id) FROM rounds_participation p"
            " JOIN rounds_investor i ON i.id = p.investor_id"
            " JOIN rounds_fundinground r ON r.id = p.funding_round_id"
            " WHERE r.announced_on >= %s GROUP BY i.slug ORDER BY 2 DESC, i.slug LIMIT 1",
            [FILTER_SINCE],
        ).fetchone()
        (round_id,) = conn.execute(
            "SELECT id FROM rounds_fundinground ORDER BY id"
            " OFFSET (SELECT count(*) / 2 FROM rounds_fundinground) LIMIT 1"
        ).fetchone()
    return {
        "company": company,
        "company_rounds": company_rounds,
        "investor": investor,
        "investor_rounds": investor_rounds,
        "round": round_id,
    }


def make_cases(chosen: dict) -> list[Case]:
    return [
        Case("list-50", "list, 50 a page", "/api/v1/rounds/?page_size=50", TARGETS["list-50"]),
        Case("list-1000", "list, 1000 a page", "/api/v1/rounds/?page_size=1000", TARGETS["list-1000"]),
        Case("page-1000", "page 1000 of 50 (offset 49,950)", "/api/v1/rounds/?page=1000&page_size=50"),
        Case("cursor-first", "cursor, first page of 50", "/api/v1/rounds/?cursor=&page_size=50"),
        Case("cursor-deep", f"cursor, {DEEP_STEPS + 1}th page of 50", ""),
        Case(
            "one-round",
            f"one round (id {chosen['round']})",
            f"/api/v1/rounds/{chosen['round']}/",
            TARGETS["one-round"],
        ),
        Case(
            "history",
            f"company history ({chosen['company_rounds']} rounds)",
            f"/api/v1/companies/{chosen['company']}/rounds/",
            TARGETS["history"],
        ),
        Case(
            "filtered",
            f"investor's rounds since {FILTER_SINCE[:4]}, 1000 of {chosen['investor_rounds']:,}",
            f"/api/v1/rounds/?investor={chosen['investor']}&announced_on_after={FILTER_SINCE}&page_size=1000",
            TARGETS["filtered"],
        ),
    ]


# HTTP


def get(base: str, path: str, token: str, timeout: float = 120) -> tuple[int, bytes]:
    request = urllib.request.Request(base + path, headers={"Authorization": f"Bearer {token}", "Host": HOST})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def relative(url: str) -> str:
    """The path and query of an absolute URL an answer gave."""
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def deep_cursor_path(reference: str, token: str) -> str:
    """The URL of the page DEEP_STEPS `next` links after the first cursor page, followed on the
    reference (the cursor tokens are the same on both servers when their answers are)."""
    path = "/api/v1/rounds/?cursor=&page_size=50"
    for _ in range(DEEP_STEPS):
        status, body = get(reference, path, token)
        if status != 200:
            raise RuntimeError(f"the reference answered {status} on {path}: {body[:200]!r}")
        path = relative(json.loads(body)["next"])
    return path


def first_difference(app: object, reference: object, where: str = "$") -> str:
    """Where two JSON documents first differ, as a path and both values."""
    if type(app) is not type(reference):
        return f"{where}: app {app!r:.120} / reference {reference!r:.120}"
    if isinstance(app, dict):
        if list(app) != list(reference):
            return f"{where}: keys app {list(app)} / reference {list(reference)}"
        for key in app:
            if app[key] != reference[key]:
                return first_difference(app[key], reference[key], f"{where}.{key}")
    elif isinstance(app, list):
        if len(app) != len(reference):
            return f"{where}: {len(app)} items in the app's / {len(reference)} in the reference's"
        for index, (one, other) in enumerate(zip(app, reference, strict=True)):
            if one != other:
                return first_difference(one, other, f"{where}[{index}]")
    elif app != reference:
        return f"{where}: app {app!r:.120} / reference {reference!r:.120}"
    return f"{where}: equal as JSON, different bytes (spacing, escaping or number forms)"


def compare(case: Case, app: str, reference: str, token: str) -> None:
    """Mark the case MISMATCH (or ERROR) unless both servers answer it 200 with the same bytes."""
    app_status, app_body = get(app, case.path, token)
    reference_status, reference_body = get(reference, case.path, token)
    if reference_status != 200:
        case.status, case.detail = "ERROR", f"reference answered {reference_status}: {reference_body[:200]!r}"
        case.measured = False
    elif app_status != 200:
        case.status, case.detail = "MISMATCH", f"app answered {app_status}: {app_body[:200]!r}"
        case.measured = False
    elif app_body != reference_body:
        case.status = "MISMATCH"
        at = next(
            (i for i, (a, b) in enumerate(zip(app_body, reference_body, strict=False)) if a != b),
            min(len(app_body), len(reference_body)),
        )
        try:
            where = first_difference(json.loads(app_body), json.loads(reference_body))
        except ValueError:
            where = "not JSON"
        context = slice(max(0, at - 60), at + 60)
        case.detail = (
            f"{len(app_body):,} bytes from the app, {len(reference_body):,} from the reference; first "
            f"difference at byte {at:,}: {where}\n      app:       {app_body[context]!r}\n"
            f"      reference: {reference_body[context]!r}"
        )
    else:
        case.detail = f"{len(app_body):,} identical bytes"


# wrk

WRK_TIME = re.compile(r"([\d.]+)(us|ms|s|m|h)$")
WRK_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def milliseconds(text: str) -> float:
    number, unit = WRK_TIME.match(text).groups()
    return float(number) * WRK_UNITS[unit]


def wrk(base: str, path: str, token: str, duration: float) -> dict:
    """Throughput and latency of one URL under `wrk -t2 -c8 --latency`, with errors and non-2xx answers."""
    command = ["wrk", "-t2", "-c8", f"-d{duration:g}s", "--latency", "--timeout", "60s"]
    command += ["-H", f"Authorization: Bearer {token}", "-H", f"Host: {HOST}", base + path]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    result: dict = {"rps": None, "p50_ms": None, "p99_ms": None, "requests": 0, "non_2xx": 0, "errors": 0}
    for line in output.splitlines():
        words = line.split()
        if line.startswith("Requests/sec:"):
            result["rps"] = float(words[1])
        elif len(words) == 2 and words[0] in ("50%", "99%"):
            result[f"p{words[0][:-1]}_ms"] = milliseconds(words[1])
        elif "requests in" in line:
            result["requests"] = int(words[0])
        elif line.strip().startswith("Non-2xx or 3xx responses:"):
            result["non_2xx"] = int(words[-1])
        elif line.strip().startswith("Socket errors:"):
            result["errors"] = sum(int(n) for n in re.findall(r"\d+", line))
    return result


# Queries per request, counted in this process


def count_queries(env: dict[str, str], token: str, cases: list[Case]) -> dict[str, int]:
    """The SQL statements the app runs for each case's URL (after one request to warm its caches),
    with django.test's client and CaptureQueriesContext on the bench database."""
    warnings.filterwarnings("ignore", message="No directory at")  # no collected static files here
    django_setup(env)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_HOST=HOST)
    counts: dict[str, int] = {}
    extra = {"list-1-of-5": "/api/v1/rounds/?page_size=5"}
    for key, path in [*((case.key, case.path) for case in cases), *extra.items()]:
        client.get(path)
        with CaptureQueriesContext(connection) as queries:
            status = client.get(path).status_code
        counts[key] = len(queries) if status == 200 else None
    connection.close()
    return counts


# Exports


def count_csv_rows(response) -> int:
    """Rows of a streamed CSV (its header aside), read in chunks and parsed as a client would."""
    reader = csv.reader(io.TextIOWrapper(response, encoding="utf-8-sig", newline=""))
    return sum(1 for _ in reader) - 1


def stream_export(server: Gunicorn, token: str, export_format: str, expected_rows: int) -> dict:
    """One export of every round through the app, with the worker's memory sampled meanwhile."""
    (worker,) = server.workers()
    idle = resident_mib(worker)
    sampler = MemorySampler(worker)
    sampler.start()
    started = time.monotonic()
    request = urllib.request.Request(
        f"{server.url}/api/v1/rounds/?format={export_format}",
        headers={"Authorization": f"Bearer {token}", "Host": HOST},
    )
    try:
        with urllib.request.urlopen(request, timeout=3600) as response:
            if export_format == "csv":
                rows = count_csv_rows(response)
            else:  # every round, in a workbook a client would have to unpack to count
                while response.read(1 << 16):
                    pass
                rows = expected_rows
            status = response.status
    except (urllib.error.HTTPError, http.client.HTTPException, OSError) as error:
        sampler.stop()
        return {"error": repr(error)}
    seconds = time.monotonic() - started
    peak = sampler.stop()
    return {
        "status": status,
        "rows": rows,
        "expected_rows": expected_rows,
        "seconds": seconds,
        "idle_mib": idle,
        "peak_mib": peak,
        "growth_mib": peak - idle,
        "killed": server.killed(worker),
    }


# The same rows and columns as the app's CSV export of rounds (rounds.resources.FundingRoundResource).
COPY_QUERY = """
SELECT r.id, c.slug AS company, c.name_en AS company_name_en, c.name_zh AS company_name_zh, r.stage, r.label,
    CASE r.announced_on_precision WHEN 'year' THEN to_char(r.announced_on, 'YYYY')
        WHEN 'month' THEN to_char(r.announced_on, 'YYYY-MM') ELSE r.announced_on::text END AS announced_on,
    r.amount, r.currency, r.pre_money, r.post_money, r.valuation_currency,
    x.lead_investors, x.co_lead_investors, x.participants, x.follow_on_investors,
    r.notes, r.source_id AS source, r.source_quote
FROM rounds_fundinground r
JOIN companies_company c ON c.id = r.company_id
LEFT JOIN LATERAL (
    SELECT string_agg(i.slug, '; ' ORDER BY p.id) FILTER (WHERE p.role = 'lead') AS lead_investors,
        string_agg(i.slug, '; ' ORDER BY p.id) FILTER (WHERE p.role = 'co_lead') AS co_lead_investors,
        string_agg(i.slug, '; ' ORDER BY p.id) FILTER (WHERE p.role = 'participant') AS participants,
        string_agg(i.slug, '; ' ORDER BY p.id) FILTER (WHERE p.is_follow_on) AS follow_on_investors
    FROM rounds_participation p JOIN rounds_investor i ON i.id = p.investor_id
    WHERE p.funding_round_id = r.id
) x ON TRUE
ORDER BY r.id
"""


def psql_copy(url: str) -> dict:
    """`psql \\copy (the rounds' export rows) TO '/dev/null' CSV HEADER`: its rows and wall time."""
    query = " ".join(COPY_QUERY.split())
    started = time.monotonic()
    done = subprocess.run(
        ["psql", url, "-X", "-c", f"\\copy ({query}) TO '/dev/null' WITH (FORMAT csv, HEADER)"],
        capture_output=True,
        text=True,
    )
    seconds = time.monotonic() - started
    if done.returncode:
        return {"error": done.stderr.strip()}
    match = re.search(r"COPY (\d+)", done.stdout + done.stderr)
    rows = int(match[1]) if match else None
    return {"rows": rows, "seconds": seconds}


def export_figures(url: str, token: str, formats: tuple[str, ...], rounds: int, log: Path) -> dict:
    """The app's exports of every round of `url` through one threaded gunicorn worker, as production runs."""
    figures = {}
    with Gunicorn(app_environment_for(url), log, timeout=60) as server:
        server.wait(lambda: get(server.url, "/api/v1/rounds/?page_size=5", token))
        for export_format in formats:
            figures[export_format] = stream_export(server, token, export_format, rounds)
    return figures


def app_environment_for(url: str) -> dict[str, str]:
    return {**app_environment(url), "DJANGO_ALLOWED_HOSTS": f"{HOST},127.0.0.1,localhost"}


# The machine


def busy_seconds() -> float:
    """CPU seconds every process of the machine has used since boot (all but idle and iowait)."""
    user, nice, system, _idle, _iowait, irq, softirq, steal = (
        int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]
    )
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def own_seconds() -> float:
    """CPU seconds of this process and of its children that ended (servers, wrk, psql, commands)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def process_seconds(pid: int) -> float:
    """CPU seconds a running process has used (user and system); 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@dataclass
class CpuShare:
    """Who used the CPUs while wrk ran: the whole machine, this bench (both servers' processes, wrk,
    and the PostgreSQL backends connected to the bench database) and, the difference, everyone else."""

    database_url: str
    wall: float = 0.0
    busy: float = 0.0
    bench: float = 0.0

    def backends(self) -> list[int]:
        with psycopg.connect(self.database_url, autocommit=True) as conn:
            rows = conn.execute(
                "SELECT pid FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            ).fetchall()
        return [pid for (pid,) in rows]

    @contextlib.contextmanager
    def window(self, servers: tuple[Gunicorn, ...]):
        pids = [pid for server in servers for pid in (server.process.pid, *server.workers())]
        pids += self.backends()
        before = {pid: process_seconds(pid) for pid in pids}
        busy, children, started = busy_seconds(), children_seconds(), time.monotonic()
        yield
        self.wall += time.monotonic() - started
        self.busy += busy_seconds() - busy
        self.bench += children_seconds() - children
        self.bench += sum(max(0.0, process_seconds(pid) - seconds) for pid, seconds in before.items())

    def figures(self, cpus: int) -> dict:
        others = max(0.0, self.busy - self.bench)
        return {
            "wrk_wall_seconds": self.wall,
            "machine_busy_cpu_seconds": self.busy,
            "bench_cpu_seconds": self.bench,
            "others_cpu_seconds": others,
            "others_share_of_machine": others / (self.wall * cpus) if self.wall else None,
        }


def git_state() -> str:
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
    except OSError:
        return ""
    return commit + (" with uncommitted changes" if dirty else "")


# Report


def fmt(value: float | None, spec: str = ",.0f", unit: str = "") -> str:
    return "—" if value is None else f"{value:{spec}}{unit}"


def case_target(case: Case) -> str:
    if case.key == "cursor-deep":
        return f"≤{CURSOR_TARGET}x first"
    return "—" if case.target is None else f"≥{case.target:g}"


def table(cases: list[Case]) -> str:
    header = ("case", "app req/s", "p50", "p99", "ref req/s", "p50", "p99", "ratio", "target", "queries")
    rows = [header]
    for case in cases:
        ratio = case.ratio
        mark = "" if ratio is None or case.target is None else (" ok" if ratio >= case.target else " LOW")
        rows.append(
            (
                case.title,
                fmt(case.median("app", "rps"), ",.1f"),
                fmt(case.median("app", "p50_ms"), ",.1f", " ms"),
                fmt(case.median("app", "p99_ms"), ",.1f", " ms"),
                fmt(case.median("reference", "rps"), ",.1f"),
                fmt(case.median("reference", "p50_ms"), ",.1f", " ms"),
                fmt(case.median("reference", "p99_ms"), ",.1f", " ms"),
                case.status if case.status != "ok" else fmt(ratio, ".2f") + mark,
                case_target(case),
                fmt(case.queries, "d"),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = []
    for index, row in enumerate(rows):
        cells = [row[0].ljust(widths[0])]
        cells += [cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)]
        lines.append("  ".join(cells))
        if index == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines)


def cursor_cost(cases: dict[str, Case], side: str) -> float | None:
    """Time per request of the deep cursor page over the first one's (the inverse of their throughputs)."""
    first, deep = cases["cursor-first"], cases["cursor-deep"]
    if side == "app" and (first.status != "ok" or deep.status != "ok"):
        return None
    first_rps, deep_rps = first.median(side, "rps"), deep.median(side, "rps")
    return first_rps / deep_rps if first_rps and deep_rps else None


def chart(results: dict, path: Path) -> None:
    """Bars of each ratio against its target: app/reference throughput (at least the target), the deep
    cursor page's time over the first's (at most 1.2), CSV rows/s over psql's, XLSX rows/s over 20,000,
    and the worker's growth while it exports a million rounds over 50 MB (under 1)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    bars = [
        (f"app/reference: {case['title']}", case["ratio"], case["target"], "≥") for case in results["cases"]
    ]
    bars.append(("cursor: deep page / first page (time)", results["cursor_cost"]["app"], CURSOR_TARGET, "≤"))
    exports = results["exports"]
    bars.append(("CSV export / psql \\copy (rows/s)", exports.get("csv_ratio"), CSV_TARGET, "≥"))
    xlsx_rps = exports["app"].get("xlsx", {}).get("rows_per_second")
    bars.append((f"XLSX rows/s / {XLSX_TARGET:,}", xlsx_rps / XLSX_TARGET if xlsx_rps else None, 1.0, "≥"))
    growth = exports.get("million", {}).get("csv", {}).get("growth_mib")
    if "million" in exports:
        megabytes = None if growth is None else growth * 2**20 / 1e6 / CSV_GROWTH_LIMIT_MB
        bars.append((f"CSV at 1M rounds: worker growth / {CSV_GROWTH_LIMIT_MB:g} MB", megabytes, 1.0, "<"))

    figure, axes = plt.subplots(figsize=(11, 0.5 * len(bars) + 1.6))
    for index, (_label, value, target, sense) in enumerate(bars):
        if value is None:
            axes.text(0.01, index, "no figure (mismatch or error)", va="center", fontsize=8, color="grey")
        else:
            if target is None:
                color = "tab:grey"
            else:
                met = value <= target if sense == "≤" else value < target if sense == "<" else value >= target
                color = "tab:green" if met else "tab:red"
            axes.barh(index, value, color=color, height=0.6)
            axes.text(value, index, f" {value:.2f}", va="center", fontsize=8)
        if target is not None:
            axes.plot([target, target], [index - 0.4, index + 0.4], color="black", linewidth=2)
            axes.text(target, index - 0.3, f" {sense}{target:g}", fontsize=7, ha="left")
    axes.set_yticks(range(len(bars)), [label for label, *_ in bars], fontsize=8)
    axes.invert_yaxis()
    axes.set_xlabel("ratio; black line: target (green met, red not, grey no target)")
    load = results["machine"]
    axes.set_title(
        f"{results['counts']['rounds_fundinground']:,} rounds, {results['started_at'][:16]}; load average "
        f"{load['loadavg_before'][0]:.2f} before, {load['loadavg_after'][0]:.2f} after, {load['cpus']} CPUs",
        fontsize=9,
    )
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


# The run


def measure(cases: list[Case], app: Gunicorn, reference: Gunicorn, token: str, args, cpu: CpuShare) -> None:
    """wrk on each case, app then reference, case after case, `args.repeat` times over."""
    for server in (app, reference):
        wrk(server.url, "/api/v1/rounds/?page_size=50", token, min(args.duration, 2))  # warm up
    for repetition in range(args.repeat):
        for case in cases:
            if not case.measured:
                continue
            for side, server in (("app", app), ("reference", reference)):
                with cpu.window((app, reference)):
                    run = wrk(server.url, case.path, token, args.duration)
                getattr(case, f"{side}_runs").append(run)
            app_rps, reference_rps = case.app_runs[-1]["rps"], case.reference_runs[-1]["rps"]
            print(
                f"  run {repetition + 1}/{args.repeat} {case.title}: app {fmt(app_rps, ',.1f')}, "
                f"reference {fmt(reference_rps, ',.1f')} req/s",
                flush=True,
            )


def compare_and_measure(env: dict[str, str], token: str, cases: list[Case], args, cpu: CpuShare) -> None:
    """Serve the app and the reference, compare their answers to every case, then measure them."""
    logs = ROOT / "bench"
    print(
        f"Starting the app and the reference under gunicorn ({SYNC_WORKERS} sync workers each) …", flush=True
    )
    app = Gunicorn(env, logs / "api_app.log", timeout=60, workers=SYNC_WORKERS, worker_class="sync")
    reference = Gunicorn(
        env,
        logs / "api_reference.log",
        timeout=60,
        app="bench.reference:application",
        workers=SYNC_WORKERS,
        worker_class="sync",
    )
    with app, reference:
        for server in (app, reference):
            server.wait(lambda server=server: get(server.url, "/api/v1/rounds/?page_size=1", token))
        deep = next(case for case in cases if case.key == "cursor-deep")
        try:
            deep.path = deep_cursor_path(reference.url, token)
        except RuntimeError as error:
            deep.path = "/api/v1/rounds/?cursor=&page_size=50"
            deep.status, deep.detail, deep.measured = "ERROR", str(error), False
        print("Comparing the answers …", flush=True)
        for case in cases:
            if case.status == "ok":
                compare(case, app.url, reference.url, token)
            print(f"  {case.status:<8} {case.title}: {case.path}\n           {case.detail}", flush=True)
        print(f"Measuring: wrk -t2 -c8 -d{args.duration:g}s, {args.repeat} repetitions …", flush=True)
        measure(cases, app, reference, token, args, cpu)


def export_all(url: str, token: str, counts: dict[str, int], million: tuple | None) -> dict:
    """CSV and XLSX of every round through the app, psql's \\copy of the same rows, and (unless
    `million` is None) the CSV of the million-round database; with rows/s and the CSV/psql ratio."""
    logs = ROOT / "bench"
    rounds = counts["rounds_fundinground"]
    exports: dict = {"app": export_figures(url, token, ("csv", "xlsx"), rounds, logs / "api_export.log")}
    exports["psql_copy"] = psql_copy(url)
    if million:
        million_url, million_token, million_counts = million
        rounds = million_counts["rounds_fundinground"]
        exports["million"] = export_figures(
            million_url, million_token, ("csv",), rounds, logs / "api_export_1m.log"
        )
    for one in (*exports["app"].values(), *exports.get("million", {}).values(), exports["psql_copy"]):
        if one.get("seconds") and one.get("rows") is not None:
            one["rows_per_second"] = one["rows"] / one["seconds"]
    app_csv, copy = exports["app"].get("csv", {}), exports["psql_copy"]
    if app_csv.get("rows_per_second") and copy.get("rows_per_second"):
        exports["csv_ratio"] = app_csv["rows_per_second"] / copy["rows_per_second"]
    return exports


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=10, help="Seconds of each wrk run (10).")
    parser.add_argument("--repeat", type=int, default=3, help="Interleaved repetitions of every case (3).")
    parser.add_argument("--no-million", action="store_true", help="Skip the CSV export at 1,000,000 rounds.")
    parser.add_argument("--fresh", action="store_true", help="Drop and seed the databases again.")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (Debian: apt-get install wrk).")

    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE)
    million_url = f"{url}_1m"
    server_check(url)
    token, counts = prepare(url, ROUNDS, fresh=args.fresh)
    million_token = million_counts = None
    if not args.no_million:
        million_token, million_counts = prepare(million_url, MILLION, fresh=args.fresh)

    machine_before = {"loadavg": os.getloadavg(), "busy": busy_seconds(), "own": own_seconds()}
    started_at = datetime.datetime.now().astimezone()
    chosen = picks(url)
    cases = make_cases(chosen)
    by_key = {case.key: case for case in cases}
    env = app_environment_for(url)

    cpu = CpuShare(url)
    compare_and_measure(env, token, cases, args, cpu)
    print("Counting the app's queries per request …", flush=True)
    queries = count_queries(env, token, cases)
    for case in cases:
        case.queries = queries[case.key]
    print("Exports …", flush=True)
    exports = export_all(
        url, token, counts, None if args.no_million else (million_url, million_token, million_counts)
    )

    machine = {
        "cpus": os.cpu_count(),
        "loadavg_before": machine_before["loadavg"],
        "loadavg_after": os.getloadavg(),
        "busy_cpu_seconds": busy_seconds() - machine_before["busy"],
        "this_run_cpu_seconds": own_seconds() - machine_before["own"],
        "wall_seconds": (datetime.datetime.now().astimezone() - started_at).total_seconds(),
    }
    machine["others_cpu_seconds"] = machine["busy_cpu_seconds"] - machine["this_run_cpu_seconds"]
    machine["during_wrk"] = cpu.figures(machine["cpus"])
    results = {
        "started_at": started_at.isoformat(),
        "commit": git_state(),
        "settings": {
            "duration_s": args.duration,
            "repeat": args.repeat,
            "wrk": "-t2 -c8 --latency --timeout 60s",
            "gunicorn": f"{SYNC_WORKERS} sync workers each; exports: 1 gthread worker (gunicorn.conf.py)",
            "host": HOST,
        },
        "counts": counts,
        "picks": chosen,
        "cases": [{**asdict(case), "ratio": case.ratio, **medians(case)} for case in cases],
        "list_queries": {
            "page_size_5": queries["list-1-of-5"],
            "page_size_50": queries["list-50"],
            "page_size_1000": queries["list-1000"],
        },
        "cursor_cost": {side: cursor_cost(by_key, side) for side in ("app", "reference")},
        "exports": exports,
        "machine": machine,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "api.json").write_text(json.dumps(results, indent=2, default=str) + "\n")
    print()
    print(report(results, cases))
    chart(results, RESULTS / "api.png")
    print(f"\nWrote {RESULTS / 'api.json'} and {RESULTS / 'api.png'}.")
    return 0


def medians(case: Case) -> dict:
    return {
        f"{side}_{figure}": case.median(side, figure)
        for side in ("app", "reference")
        for figure in ("rps", "p50_ms", "p99_ms")
    }


def report(results: dict, cases: list[Case]) -> str:
    lines = [
        f"{results['counts']['rounds_fundinground']:,} rounds, {results['counts']['rounds_participation']:,} "
        f"participations; wrk {results['settings']['wrk']} -d{results['settings']['duration_s']:g}s, "
        f"median of {results['settings']['repeat']}; {results['settings']['gunicorn']}",
        "",
        table(cases),
    ]
    for case in cases:
        if case.status != "ok":
            lines.append(f"  {case.status}: {case.title}: {case.detail.splitlines()[0]}")
    queries = results["list_queries"]
    same = len({queries["page_size_5"], queries["page_size_50"], queries["page_size_1000"]}) == 1
    lines.append(
        f"List queries per request at page_size 5 / 50 / 1000: {queries['page_size_5']} / "
        f"{queries['page_size_50']} / {queries['page_size_1000']} ({'constant' if same else 'NOT constant'})"
    )
    cost = results["cursor_cost"]
    lines.append(
        f"Cursor, deep page over first page (time per request): app {fmt(cost['app'], '.2f')}x "
        f"(target ≤{CURSOR_TARGET}x), reference {fmt(cost['reference'], '.2f')}x"
    )
    lines.append("")
    exports = results["exports"]
    lines.append(export_line("CSV export, all rounds", exports["app"].get("csv", {})))
    copy = exports["psql_copy"]
    if copy.get("rows_per_second"):
        lines.append(
            f"psql \\copy, same rows      {copy['rows']:>10,} rows {copy['seconds']:7.2f} s "
            f"{copy['rows_per_second']:>10,.0f} rows/s"
        )
    else:
        lines.append(f"psql \\copy failed: {copy.get('error')}")
    lines.append(f"CSV / psql \\copy           {fmt(exports.get('csv_ratio'), '.2f')} (target ≥{CSV_TARGET})")
    lines.append(export_line("XLSX export, all rounds", exports["app"].get("xlsx", {}), XLSX_TARGET))
    if "million" in exports:
        one = exports["million"]["csv"]
        lines.append(export_line("CSV export, 1M rounds", one))
        if "growth_mib" in one:
            verdict = "ok" if one["growth_mib"] * 1.048576 < CSV_GROWTH_LIMIT_MB else "OVER"
            lines.append(
                f"  worker growth at 1M rounds: {one['growth_mib'] * 1.048576:.1f} MB "
                f"(target <{CSV_GROWTH_LIMIT_MB:g} MB) {verdict}"
            )
    else:
        lines.append("CSV export at 1,000,000 rounds: skipped (--no-million)")
    machine = results["machine"]
    during = machine["during_wrk"]
    wall, share = during["wrk_wall_seconds"], during["others_share_of_machine"] or 0
    lines += [
        "",
        f"Machine: {machine['cpus']} CPUs; load average {format_load(machine['loadavg_before'])} before, "
        f"{format_load(machine['loadavg_after'])} after ({machine['wall_seconds']:.0f} s).",
        f"While wrk ran ({wall:.0f} s, {wall * machine['cpus']:.0f} CPU-seconds available): the machine used "
        f"{during['machine_busy_cpu_seconds']:.0f}, this bench (servers, wrk, their PostgreSQL backends) "
        f"{during['bench_cpu_seconds']:.0f}, other processes {during['others_cpu_seconds']:.0f} "
        f"({100 * share:.0f}% of the machine).",
        f"Commit {results['commit']}.",
    ]
    return "\n".join(lines)


def format_load(load) -> str:
    return "/".join(f"{value:.2f}" for value in load)


def export_line(title: str, figures: dict, target_rps: float | None = None) -> str:
    if "error" in figures or not figures:
        return f"{title}: failed: {figures.get('error', 'not run')}"
    rows, speed = fmt(figures.get("rows"), ",d"), fmt(figures.get("rows_per_second"))
    memory = (
        f"worker {figures['idle_mib']:.0f} → {figures['peak_mib']:.0f} MiB (+{figures['growth_mib']:.1f})"
    )
    line = f"{title:<26} {rows:>10} rows {figures['seconds']:7.2f} s {speed:>10} rows/s; {memory}"
    if figures.get("rows") != figures.get("expected_rows"):
        line += f"; {figures['expected_rows'] - figures['rows']:,} rows MISSING"
    if figures.get("status") != 200 or figures.get("killed"):
        line += f"; status {figures.get('status')}{', worker killed' if figures.get('killed') else ''}"
    if target_rps:
        line += f" (target ≥{target_rps:,} rows/s)"
    return line


if __name__ == "__main__":
    sys.exit(main())
