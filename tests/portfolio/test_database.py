"""`portfolio.database.long_work`: long exports and imports are not cut by a request's timeouts."""

import pytest
from django.db import OperationalError, connection, transaction

from portfolio.database import long_work
from tests.live_server import on_postgresql

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not on_postgresql(), reason="statement timeouts are PostgreSQL's"),
]


def statement_timeout() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        return cursor.fetchone()[0]


def test_long_work_may_wait_longer_than_a_request_until_the_request_ends(settings):
    settings.DATABASE_LONG_STATEMENT_TIMEOUT = 60
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL statement_timeout = 100")
            with pytest.raises(OperationalError, match="statement timeout"), transaction.atomic():
                cursor.execute("SELECT pg_sleep(0.3)")
        with long_work(), connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(0.3)")  # three times the request's limit
            assert statement_timeout() == "1min"
            assert connection.connection.answer_timeout == 61
    # The next request (Django's check of its connections) starts with the usual deadline again.
    connection.close_if_unusable_or_obsolete()
    assert connection.connection.answer_timeout == settings.DATABASE_ANSWER_TIMEOUT
