"""Settings for benchmarks: the project's settings on a throwaway SQLite file (or BENCH_DATABASE_URL)."""

import os

import dj_database_url

from portfolio.settings import *  # noqa: F403
from portfolio.settings import BASE_DIR

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{BASE_DIR / 'bench' / 'bench.sqlite3'}")
    )
}
DEBUG = False
WHITENOISE_AUTOREFRESH = True  # no collected static files here, and none are served
LOGGING = {"version": 1, "disable_existing_loggers": True}
