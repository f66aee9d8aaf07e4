"""The whole API against its own OpenAPI schema, with every schemathesis check.

Runs the schemathesis command against a live server holding the article fixture, with a
token of a user who may do everything, and fails on any failure it reports. The run is
bounded (`SCHEMATHESIS_MAX_EXAMPLES`, default 10) to keep the suite quick.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from portfolio.models import ApiToken
from tests.companies.factories import CompanyFactory, KPIFactory, MetricFactory, SourceFactory
from tests.rounds.factories import FundingRoundFactory, InvestorFactory, ParticipationFactory

ROOT = Path(__file__).resolve().parent.parent


def protected_records() -> None:
    """The records the hooks point references at; facts cite them, so none of them can be deleted."""
    source = SourceFactory(pk=424242, title="Schemathesis source")
    company = CompanyFactory(slug="st-company")
    funding_round = FundingRoundFactory(pk=424242, company=company, source=source)
    ParticipationFactory(
        funding_round=funding_round, investor=InvestorFactory(slug="st-investor"), source=source
    )
    KPIFactory(company=company, metric=MetricFactory(code="st_metric", unit="count"), source=source)


@pytest.mark.django_db(transaction=True)
def test_api_conforms_to_its_schema(live_server, django_user_model, tmp_path):
    call_command("loaddata", "article", verbosity=0)
    protected_records()
    user = django_user_model.objects.create_superuser("schemathesis", password="unused-password-123")
    _, token = ApiToken.issue(user=user, name="schemathesis")
    command = [
        str(Path(sys.executable).parent / "schemathesis"),
        "run",
        f"{live_server.url}/api/schema/",
        "--header",
        f"Authorization: Bearer {token}",
        "--checks",
        "all",
        "--max-examples",
        os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "10"),
        "--workers",
        "1",
        "--seed",
        os.environ.get("SCHEMATHESIS_SEED", "20260108"),
        "--generation-allow-x00",
        "false",
        "--no-color",
        "--report",
        "junit",
        "--report-dir",
        str(tmp_path),
    ]
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "tests.schemathesis_hooks", "PYTHONPATH": str(ROOT)}
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-20000:]
