"""Django's PostgreSQL backend with a deadline on every answer from the server.

A database that is hung (its processes stopped, a network path that swallows packets) keeps
the TCP connection open: the statement timeout never fires, since the server is not running
to enforce it, and a request would wait for as long as the hang lasts, until the worker is
killed. Here each wait for the server (a query, a fetch of an export's next rows, a commit)
ends after `DATABASE_ANSWER_TIMEOUT` seconds: the connection is closed and the wait raises
`OperationalError`, which the app answers with 503 and `Retry-After`
(`portfolio.middleware`). The deadline is the statement timeout plus a margin, so a slow
statement on a healthy server is cancelled by the server first, with its own error.

Opening a connection has libpq's `connect_timeout`; the check of a kept connection at the
start of a request (`CONN_HEALTH_CHECKS`) has a deadline of one second of its own, so a hung
database costs a request at most that second plus the connect timeout.
"""

import psycopg
from django.conf import settings
from django.db.backends.postgresql import base
from psycopg import errors

# How long the check of a kept connection may wait for the server's answer.
HEALTH_CHECK_TIMEOUT = 1.0


class DeadlineConnection(psycopg.Connection):
    """A psycopg connection whose every wait for the server ends after `answer_timeout` seconds."""

    answer_timeout: float | None = None

    def wait(self, gen, interval=0.1, timeout=None):
        deadline = timeout if timeout is not None else self.answer_timeout
        try:
            return super().wait(gen, interval=interval, timeout=deadline)
        except errors._WaitTimeout:
            # The protocol is mid-exchange and cannot be resumed: the connection is given up.
            self.pgconn.finish()
            raise psycopg.OperationalError(
                f"The database did not answer within {deadline:g} s; the connection was closed."
            ) from None


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        # psycopg opened a plain Connection; it becomes one that keeps the deadline.
        connection.__class__ = DeadlineConnection
        connection.answer_timeout = settings.DATABASE_ANSWER_TIMEOUT or None
        return connection

    def is_usable(self):
        """The check of a kept connection waits one second at most: a hung server fails it quickly."""
        if self.connection is None:
            return False
        kept, self.connection.answer_timeout = self.connection.answer_timeout, HEALTH_CHECK_TIMEOUT
        try:
            return super().is_usable()
        finally:
            self.connection.answer_timeout = kept

    def close_if_unusable_or_obsolete(self):
        """Django's check at the start and end of each request; a deadline raised for long work
        (`portfolio.database.long_work`) also ends here, so every request starts with the usual one."""
        super().close_if_unusable_or_obsolete()
        if self.connection is not None:
            self.connection.answer_timeout = settings.DATABASE_ANSWER_TIMEOUT or None
