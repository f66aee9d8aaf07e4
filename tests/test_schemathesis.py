"""The whole API against its own OpenAPI schema, with every schemathesis check.

A real server (gunicorn) runs on a database of its own, on the same kind of database as
the suite (a PostgreSQL database beside the test database, or an SQLite file), holding the
article fixture. schemathesis runs every check against it, with a token of a user who may
do everything, and the test fails on any failure it reports. The run is bounded
(`SCHEMATHESIS_MAX_EXAMPLES`, default 8) and seeded (`SCHEMATHESIS_SEED`) so that it is quick
and repeatable; tests/schemathesis_hooks.py explains what the hooks tell the generator.
"""

import os
import subprocess

from tests.live_server import BIN, ROOT, gunicorn, run_setup, server_database_url, server_environment

SETUP = """
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


def test_api_conforms_to_its_schema(tmp_path):
    env = server_environment(
        server_database_url(tmp_path, "schemathesis"), SCHEMATHESIS_HOOKS="tests.schemathesis_hooks"
    )
    token = run_setup(SETUP, env).strip().splitlines()[-1]
    server = gunicorn(env, tmp_path / "server.log", workers=1).start()
    try:
        command = [
            str(BIN / "schemathesis"),
            "--config-file",
            str(ROOT / "tests" / "schemathesis.toml"),
            "run",
            f"{server.url}/api/schema/",
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
        server.stop()
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-30000:]
    assert "generated" in output and " passed" in output
