"""Long work on the database: an export of a million rows, the import of a large file.

A request's statements are cut after `DATABASE_STATEMENT_TIMEOUT` seconds, and a server that
does not answer is given up after `DATABASE_ANSWER_TIMEOUT` (`portfolio.postgresql`). Long work
is legitimately slower: the first fetch of an export sorts every row it will send, and the
commit of a large import checks all its references at once. Inside `long_work()` both limits
are `DATABASE_LONG_STATEMENT_TIMEOUT` (one more second for the answer) until the transaction
ends and the request is over; a hung database is still given up, only later.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import connections, transaction


@contextmanager
def long_work(using: str = "default") -> Iterator[None]:
    """A transaction (or a savepoint in the request's) whose statements, and whose commit, may be long."""
    connection = connections[using]
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql":
            seconds = settings.DATABASE_LONG_STATEMENT_TIMEOUT
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('statement_timeout', %s, true)", [f"{int(seconds * 1000)}"])
            connection.connection.answer_timeout = seconds + 1 if seconds else None
        yield


def read_in_long_work(rows: Iterable, using: str = "default") -> Iterator:
    """The rows of a streamed export, read in one transaction under `long_work`: one consistent
    snapshot, fetched in chunks by a cursor that lives as long as the transaction (never copied
    whole, as a cursor held past its transaction would be)."""
    with long_work(using):
        yield from rows
