"""A real server for the tests that need one: its own database, set up by a script, served by gunicorn.

The database is of the suite's kind: a PostgreSQL database beside the test database when the
suite runs on PostgreSQL, else an SQLite file. Tests that prove behaviour under concurrency,
or check the API against its schema, talk to it over HTTP from real threads.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import dj_database_url
import psycopg
import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def on_postgresql() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


def server_database_url(tmp_path: Path, name: str) -> str:
    """A fresh database for a server: PostgreSQL when the suite runs on it, else an SQLite file."""
    url = os.environ.get("DATABASE_URL", "")
    if not on_postgresql():
        return f"sqlite:///{tmp_path / f'{name}.sqlite3'}"
    config = dj_database_url.parse(url)
    database = f"{config['NAME']}_{name}"
    admin = {"host": config["HOST"], "port": config["PORT"] or 5432, "user": config["USER"]}
    with psycopg.connect(dbname="postgres", password=config["PASSWORD"], autocommit=True, **admin) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{database}"')
    return url.rsplit("/", 1)[0] + f"/{database}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_environment(database_url: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "portfolio.settings",
        "DJANGO_DEBUG": "false",
        "PYTHONPATH": str(ROOT),
        # Tests send far more requests a minute than any client should (the schema test sends
        # hundreds with bad credentials on purpose); rate limits have tests of their own.
        "API_THROTTLE_RATE": "1000000/minute",
        "API_ANON_THROTTLE_RATE": "1000000/minute",
        "API_BAD_TOKEN_THROTTLE_RATE": "1000000/minute",
        **extra,
    }


def run_setup(script: str, env: dict[str, str]) -> str:
    """Run a Python script with Django set up on the server's database; its output."""
    preamble = "import django\ndjango.setup()\n"
    result = subprocess.run(
        [sys.executable, "-c", preamble + script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@dataclass
class Server:
    """A server process and where it listens."""

    command: list[str]
    env: dict[str, str]
    log: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Server:
        command = [part.replace("{port}", str(self.port)) for part in self.command]
        with self.log.open("w") as log_file:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=log_file, stderr=subprocess.STDOUT
            )
        for _ in range(200):
            if self.process.poll() is not None:
                pytest.fail(f"the server exited: {self.log.read_text()}")
            try:
                urllib.request.urlopen(f"{self.url}/health/", timeout=1)
                return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        pytest.fail(f"the server did not start: {self.log.read_text()}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


def gunicorn(env: dict[str, str], log: Path, *, workers: int = 4, timeout: int = 120) -> Server:
    """The app under gunicorn, as production serves it (`gunicorn.conf.py`), with several worker processes."""
    command = [
        str(BIN / "gunicorn"),
        "portfolio.wsgi",
        "--bind",
        "127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--timeout",
        str(timeout),
    ]
    return Server(command, env, log)


def runserver(env: dict[str, str], log: Path) -> Server:
    """The app as `make run` serves it: Django's threaded development server."""
    command = [sys.executable, "manage.py", "runserver", "--noreload", "127.0.0.1:{port}"]
    return Server(command, env, log)
