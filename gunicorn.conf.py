"""gunicorn settings for production: `gunicorn portfolio.wsgi` reads this file from the working directory.

Workers are threaded (`gthread`): each worker process serves `GUNICORN_THREADS` requests at once,
and its main thread keeps telling the master it is alive while a request runs, so a long
streaming export or a large import is never killed by the worker timeout, which only catches a
worker that has stopped altogether. A request waiting on a hung database is ended by the
database timeouts of `portfolio/postgresql/base.py`, not by killing its worker.

The defaults fit the machine: one worker process per core (at least two), four threads each.
Every setting can be changed through the environment variable named beside it.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
workers = int(os.environ.get("GUNICORN_WORKERS", max(2, multiprocessing.cpu_count())))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# Seconds a worker may go without a sign of life before the master replaces it.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
# The longest request line gunicorn allows short of no limit; a longer URL gets 414, as documented.
limit_request_line = 8190
accesslog = "-"

# gunicorn's control socket (`gunicornc`) would be one path shared by every instance on the host;
# it is off unless GUNICORN_CONTROL_SOCKET names a path for this instance alone.
control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", "")
control_socket_disable = not control_socket
