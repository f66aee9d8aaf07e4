"""Rate limits shared by every process and server: fixed windows counted in one shared store.

A client is counted in a bucket (its user, or its address when it sends no valid credentials),
per window of the rate's period. The store is the database (`RateCounter`: one atomic
`INSERT … ON CONFLICT … DO UPDATE … RETURNING`, on PostgreSQL and SQLite alike), or Redis when
`REDIS_URL` is set (an atomic INCR through Django's cache). Either way a request costs one
statement, the same whichever window it falls in. Counting happens before the request's
transaction begins (`portfolio.middleware.RateLimitMiddleware`), so a count is never held back
by, or rolled back with, the request's own writes.
"""

import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.db import connection

from portfolio.models import RateCounter

PERIODS = {"s": 1, "second": 1, "m": 60, "minute": 60, "h": 3600, "hour": 3600, "d": 86400, "day": 86400}


@dataclass(frozen=True)
class Rate:
    limit: int
    period: int

    @classmethod
    def parse(cls, text: str) -> "Rate":
        """`30/minute` (also `30/m`, `/second`, `/hour`, `/day`)."""
        count, _, unit = text.partition("/")
        return cls(limit=int(count), period=PERIODS[unit.strip().lower()])


@dataclass(frozen=True)
class Verdict:
    """The answer for one request: allowed or not, and what the RateLimit headers say."""

    allowed: bool
    limit: int
    remaining: int
    reset: int  # seconds until the window ends

    def headers(self) -> dict[str, str]:
        return {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset),
        }


def hit(bucket: str, rate: Rate, now: float | None = None) -> Verdict:
    """Count one request of `bucket` and say whether it is within `rate`."""
    now = time.time() if now is None else now
    window_start = int(now // rate.period) * rate.period
    hits = increment(bucket, window_start, rate.period)
    reset = max(1, math.ceil(window_start + rate.period - now))
    return Verdict(
        allowed=hits <= rate.limit, limit=rate.limit, remaining=max(0, rate.limit - hits), reset=reset
    )


def increment(bucket: str, window_start: int, period: int) -> int:
    """The bucket's count in this window after adding one, raised atomically in the shared store."""
    if settings.RATELIMIT_CACHE:
        cache = caches[settings.RATELIMIT_CACHE]
        key = f"ratelimit:{bucket}:{window_start}"
        cache.add(key, 0, timeout=period * 2)
        return cache.incr(key)
    table = connection.ops.quote_name(RateCounter._meta.db_table)
    # One statement, the same on PostgreSQL and SQLite: a request in the bucket's current window adds
    # one; the first in a later window starts it at one. A server whose clock lags counts in the
    # window the others have reached.
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (bucket, window_start, hits) VALUES (%s, %s, 1) "
            f"ON CONFLICT (bucket) DO UPDATE SET "
            f"hits = CASE WHEN excluded.window_start > {table}.window_start "
            f"THEN 1 ELSE {table}.hits + 1 END, "
            f"window_start = CASE WHEN excluded.window_start > {table}.window_start "
            f"THEN excluded.window_start ELSE {table}.window_start END "
            f"RETURNING hits",
            [bucket, window_start],
        )
        (hits,) = cursor.fetchone()
    return hits
