"""The whole API against its own OpenAPI schema, with every schemathesis check.

A real server (gunicorn) runs on a database of its own, on the same kind of database as
the suite (a PostgreSQL database beside the test database, or an SQLite file), holding the
article fixture. schemathesis runs every check against it, with a token of a user who may
do everything, and the test fails on any failure it reports. The run is bounded
(`SCHEMATHESIS_MAX_EXAMPLES`, default 8) and seeded (`SCHEMATHESIS_SEED`) so that it is quick
and repeatable; tests/schemathesis_hooks.py explains what the hooks tell the generator.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import dj_database_url
import psycopg
import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

SETUP = """
import django
django.setup()
from django.core.management import call_command
from django.contrib.auth import get_user_model
from portfolio.models import ApiToken
from tests.schemathesis_hooks import create_referenced_records
call_command("migrate", verbosity=0)
call_command("loaddata", "article", verbosity=0)
create_referenced_records()
user = get_user_model().objects.create_superuser("schemathesis", password="unused-password-123")
print(ApiToken.issue(user=user, name="schemathesis")[1])
"""


def server_database_url(tmp_path: Path) -> str:
    """A fresh database for the server: PostgreSQL when the suite runs on it, else an SQLite file."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return f"sqlite:///{tmp_path / 'schemathesis.sqlite3'}"
    config = dj_database_url.parse(url)
    name = f"{config['NAME']}_schemathesis"
    admin = {"host": config["HOST"], "port": config["PORT"] or 5432, "user": config["USER"]}
    with psycopg.connect(dbname="postgres", password=config["PASSWORD"], autocommit=True, **admin) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return url.rsplit("/", 1)[0] + f"/{name}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, server: subprocess.Popen, log: Path) -> None:
    for _ in range(100):
        if server.poll() is not None:
            pytest.fail(f"the server exited: {log.read_text()}")
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except OSError:
            time.sleep(0.1)
    pytest.fail("the server did not start")


def test_api_conforms_to_its_schema(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": server_database_url(tmp_path),
        "DJANGO_SETTINGS_MODULE": "portfolio.settings",
        "DJANGO_DEBUG": "false",
        "PYTHONPATH": str(ROOT),
        "SCHEMATHESIS_HOOKS": "tests.schemathesis_hooks",
        # The run sends far more requests a minute than any client should; throttling has its own test.
        "API_THROTTLE_RATE": "1000000/minute",
    }
    setup = subprocess.run([sys.executable, "-c", SETUP], cwd=ROOT, env=env, capture_output=True, text=True)
    assert setup.returncode == 0, setup.stderr
    token = setup.stdout.strip().splitlines()[-1]

    port = free_port()
    log = tmp_path / "server.log"
    with log.open("w") as log_file:
        server = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "portfolio.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--timeout",
                "120",
            ],
            cwd=ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_up(f"http://127.0.0.1:{port}/health/", server, log)
        command = [
            str(BIN / "schemathesis"),
            "--config-file",
            str(ROOT / "tests" / "schemathesis.toml"),
            "run",
            f"http://127.0.0.1:{port}/api/schema/",
            "--header",
            f"Authorization: Bearer {token}",
            "--checks",
            "all",
            "--max-examples",
            os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "8"),
            "--seed",
            os.environ.get("SCHEMATHESIS_SEED", "7"),
            "--workers",
            "1",
            "--generation-allow-x00",
            "false",
            "--generation-database",
            "none",
            "--no-color",
        ]
        result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=1200)
    finally:
        server.terminate()
        server.wait(timeout=30)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-30000:]
    assert "generated" in output and " passed" in output
