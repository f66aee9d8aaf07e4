"""A hung database: a real PostgreSQL cluster that the test owns, its processes stopped with SIGSTOP.

The app runs under gunicorn on that cluster. While the cluster is stopped, `/health/` and an API
list answer 503 with Retry-After within 5 s, and no worker is killed; once the cluster runs
again, both answer 200 within 2 s. The cluster is created with `initdb` in a temporary folder,
so stopping it disturbs nothing else; it needs PostgreSQL's programs and root (to run them as
the `postgres` user), which the PostgreSQL leg of CI has.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import psycopg
import pytest

from tests.live_server import free_port, gunicorn, on_postgresql, run_setup, server_environment

PG_BIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)), None)

pytestmark = pytest.mark.skipif(
    not on_postgresql() or PG_BIN is None or os.geteuid() != 0,
    reason="runs in the PostgreSQL leg, as root, with PostgreSQL's programs installed",
)

SETUP = """
from django.contrib.auth import get_user_model
from django.core.management import call_command
from portfolio.models import ApiToken
call_command("migrate", verbosity=0)
call_command("loaddata", "article", verbosity=0)
user = get_user_model().objects.create_superuser("root", password="fault-test-password-5521")
print(ApiToken.issue(user=user, name="fault test")[1])
"""


# PostgreSQL refuses to run as root. Its programs are started as `postgres` directly, not through
# su or runuser, which would stop themselves when the test stops the server.
AS_POSTGRES = {"user": "postgres", "group": "postgres", "cwd": "/tmp"}


class Cluster:
    """A PostgreSQL cluster of its own in a temporary folder, run as the `postgres` user."""

    def __init__(self):
        self.folder = Path(tempfile.mkdtemp(prefix="portfolio-hung-db-"))
        self.data = self.folder / "data"
        self.port = free_port()
        shutil.chown(self.folder, "postgres", "postgres")
        self.process: subprocess.Popen | None = None

    def start(self) -> Cluster:
        subprocess.run(
            [str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres"],
            check=True,
            capture_output=True,
            **AS_POSTGRES,
        )
        self.process = subprocess.Popen(
            [
                str(PG_BIN / "postgres"),
                "-D",
                str(self.data),
                "-p",
                str(self.port),
                "-k",
                str(self.folder),
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                "fsync=off",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            **AS_POSTGRES,
        )
        for _ in range(100):
            try:
                with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
                    conn.execute("CREATE DATABASE portfolio")
                return self
            except psycopg.OperationalError:
                time.sleep(0.1)
        raise AssertionError("the test's PostgreSQL cluster did not start")

    def url(self, database: str = "portfolio") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def pids(self) -> list[int]:
        """The postmaster and every process it started (backends, checkpointer, writers)."""
        postmaster = int((self.data / "postmaster.pid").read_text().split()[0])
        children = subprocess.run(["pgrep", "-P", str(postmaster)], capture_output=True, text=True).stdout
        return [postmaster, *map(int, children.split())]

    def signal(self, number: int) -> None:
        for pid in self.pids():
            os.kill(pid, number)

    def stop(self) -> None:
        if self.process is not None:
            self.signal(signal.SIGCONT)
            os.kill(self.pids()[0], signal.SIGQUIT)  # PostgreSQL's immediate shutdown
            self.process.wait(timeout=30)
        shutil.rmtree(self.folder, ignore_errors=True)


def get(url: str, token: str | None = None) -> tuple[int, dict, float]:
    """Status, headers and seconds taken of one GET."""
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
            return response.status, dict(response.headers), time.monotonic() - started
    except urllib.error.HTTPError as error:
        error.read()
        return error.code, dict(error.headers), time.monotonic() - started


def worker_pids(server) -> set[int]:
    out = subprocess.run(["pgrep", "-P", str(server.process.pid)], capture_output=True, text=True).stdout
    return set(map(int, out.split()))


@pytest.fixture
def cluster():
    owned = Cluster().start()
    yield owned
    owned.stop()


def test_a_hung_database_answers_503_quickly_and_recovers_at_once(cluster, tmp_path):
    env = server_environment(cluster.url())
    token = run_setup(SETUP, env).strip().splitlines()[-1]
    server = gunicorn(env, tmp_path / "server.log", workers=2).start()
    health, rounds = f"{server.url}/health/", f"{server.url}/api/v1/rounds/"
    try:
        for url in (health, rounds, health, rounds):  # each worker holds a connection
            assert get(url, token)[0] == 200
        workers = worker_pids(server)

        cluster.signal(signal.SIGSTOP)
        hung = [get(url, token) for url in (health, rounds, health, rounds, health, rounds)]
        workers_after = worker_pids(server)
        cluster.signal(signal.SIGCONT)

        resumed = time.monotonic()
        recovered = {}
        while len(recovered) < 2 and time.monotonic() - resumed < 10:
            for url in (health, rounds):
                if url not in recovered and get(url, token)[0] == 200:
                    recovered[url] = time.monotonic() - resumed
        log = (tmp_path / "server.log").read_text()
    finally:
        server.stop()

    report = json.dumps([(status, round(seconds, 2)) for status, _headers, seconds in hung])
    assert [status for status, _headers, _seconds in hung] == [503] * 6, report
    assert all(headers.get("Retry-After") for _status, headers, _seconds in hung), report
    assert max(seconds for _status, _headers, seconds in hung) < 5, report
    assert workers_after == workers and "WORKER TIMEOUT" not in log, "no worker was killed"
    assert workers and len(recovered) == 2, recovered
    assert max(recovered.values()) < 2, recovered
    print(f"hung: {report}; recovered after: {recovered}")


def test_a_query_to_a_server_that_hangs_mid_session_gives_up_at_the_deadline(cluster):
    from portfolio.postgresql.base import DeadlineConnection

    connection = DeadlineConnection.connect(cluster.url(), autocommit=True)
    connection.answer_timeout = 1.5
    assert connection.execute("SELECT 1").fetchone() == (1,)

    cluster.signal(signal.SIGSTOP)
    started = time.monotonic()
    try:
        with pytest.raises(psycopg.OperationalError, match=r"did not answer within 1\.5 s"):
            connection.execute("SELECT 1")
        waited = time.monotonic() - started
    finally:
        cluster.signal(signal.SIGCONT)

    assert 1.5 <= waited < 2.5
    assert connection.closed, "a connection left mid-exchange is given up, never reused"
