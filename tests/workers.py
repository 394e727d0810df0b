"""A real Celery worker process on Redis, for the tests that need one (CI's PostgreSQL run).

The worker uses the test database of the process that starts it, and calls the live
server (for the Bluezone and SMS sandboxes) over HTTP.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]

# The marks of a test that needs the real worker: tasks queued rather than run eagerly
# (tests/conftest.py), every such test in one test process (there is one Redis queue), and
# skipped without Redis and PostgreSQL (the worker shares the test database).
REAL_WORKER_MARKS = [
    pytest.mark.celery_worker,
    pytest.mark.xdist_group("celery"),
    pytest.mark.skipif(
        not settings.CELERY_BROKER_URL or connection.vendor != "postgresql",
        reason="needs a real Celery worker: CELERY_BROKER_URL (Redis) and DATABASE_URL on "
        "PostgreSQL",
    ),
]


def needs_real_worker(test):
    """A test decorated with REAL_WORKER_MARKS."""
    for mark in reversed(REAL_WORKER_MARKS):
        test = mark(test)
    return test


def worker_env(*, site_url: str, **extra: str) -> dict[str, str]:
    db = connection.settings_dict
    return {
        **os.environ,
        "DEBUG": "true",
        "DATABASE_URL": (
            f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        ),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "SITE_URL": site_url,
        **extra,
    }


def start_worker(env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 - the test's own worker command
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "tracing_portal",
            "worker",
            "-l",
            "warning",
            "--pool",
            "solo",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
        ],
        cwd=ROOT,
        env=env,
    )


def stop_worker(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def purge_queue() -> None:
    """Start from an empty broker: no waiting task, and no unacknowledged one (a killed
    worker's) that Redis would hand to the next worker."""
    import redis

    from tracing_portal.celery import app

    app.control.purge()
    redis.Redis.from_url(settings.CELERY_BROKER_URL).delete(
        "unacked", "unacked_index", "unacked_mutex"
    )


def wait_for(predicate, timeout=60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.25)
    return False
