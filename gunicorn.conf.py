"""gunicorn settings for production: `gunicorn portfolio.wsgi` reads this file from the working directory."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
# The longest request line gunicorn allows short of no limit; a longer URL gets 414, as documented.
limit_request_line = 8190
accesslog = "-"
