"""What the benchmarks that run the app under gunicorn share: its database, its process, its memory."""

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def create_database(url: str, *, fresh: bool = False) -> None:
    """Create the PostgreSQL database named by `url` if it is missing (first dropping it if `fresh`)."""
    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if fresh:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def app_environment(database_url: str) -> dict[str, str]:
    """The environment the app runs in: the database given, production settings short of HTTPS."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "portfolio.settings",
        "DJANGO_DEBUG": "false",
        "API_THROTTLE_RATE": "1000000/minute",
        "PYTHONPATH": str(ROOT),
    }


def django_setup(env: dict[str, str]) -> None:
    """Django set up in this process on the app's database, for seeding and checking. Seeding takes
    statements longer than a request's timeouts, so here they are off; the server keeps them."""
    os.environ.update({**env, "DATABASE_STATEMENT_TIMEOUT": "0"})
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """A WSGI app (the app's by default) under gunicorn with the settings of `gunicorn.conf.py`, as
    production runs it, with one worker process unless told otherwise; `worker_class` replaces the
    configured (threaded) workers, e.g. with "sync"."""

    def __init__(
        self,
        env: dict[str, str],
        log: Path,
        *,
        timeout: int,
        app: str = "portfolio.wsgi",
        workers: int = 1,
        worker_class: str | None = None,
    ):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        command = [BIN / "gunicorn", app, "--bind", f"127.0.0.1:{self.port}", "--workers", str(workers)]
        command += ["--timeout", str(timeout)]
        if worker_class:
            command += ["--worker-class", worker_class]
        if worker_class == "sync":  # gunicorn runs threaded (gthread) workers when given threads
            command += ["--threads", "1"]
        with log.open("w") as log_file:
            self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log_file, stderr=log_file)

    def __enter__(self) -> "Gunicorn":
        return self

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)

    def wait(self, ready) -> None:
        """Wait until `ready()` stops raising OSError (the server is up)."""
        for _ in range(100):
            try:
                ready()
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"the server did not start: {self.log.read_text()}")

    def workers(self) -> list[int]:
        try:
            path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
            return [int(pid) for pid in path.read_text().split()]
        except FileNotFoundError:
            return []

    def killed(self, worker: int) -> bool:
        """Whether the master killed a worker for its timeout, or `worker` is no longer the one."""
        return "WORKER TIMEOUT" in self.log.read_text() or self.workers() != [worker]


def resident_mib(pid: int) -> float:
    """The process's resident memory now (VmRSS), in MiB; 0 once it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except FileNotFoundError:
        pass
    return 0.0


class MemorySampler(threading.Thread):
    """The peak resident memory of a process, sampled every 50 ms until stopped."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak, self.running = pid, 0.0, True

    def run(self) -> None:
        while self.running:
            self.peak = max(self.peak, resident_mib(self.pid))
            time.sleep(0.05)

    def stop(self) -> float:
        self.running = False
        self.join()
        return self.peak
