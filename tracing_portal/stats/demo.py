"""Demo install figures: a year of Bluezone's daily figures from the sandbox.

`make run` seeds before the web server starts, so the sandbox is called in-process (its
WSGI handler, no HTTP server), inside seed_demo's transaction.
"""

import datetime as dt
import logging
import time
from contextlib import contextmanager

from django.conf import settings

from .models import InstallSnapshot
from .services import snapshots_backfill

DEMO_FROM = dt.date(2020, 7, 1)
DEMO_TO = dt.date(2021, 6, 30)


def _demo_client():
    from tracing_portal.bluezone.client import _in_process_transport, get_client

    if settings.BLUEZONE_API_URL:
        return get_client()  # a real Bluezone: its own figures
    return get_client(transport=_in_process_transport())


@contextmanager
def _quiet_http_log():
    """A year of calls would log a line each (httpx logs every request at INFO)."""
    logger = logging.getLogger("httpx")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def _tracing_hint(stdout) -> None:
    """The investigation's records are dated August 2020; the tracing figures show the
    last 30 days unless given a range."""
    from tracing_portal.cases.demo import DEMO_PERIOD

    date_from, date_to = DEMO_PERIOD
    stdout.write(
        "Tracing figures of the demo investigation: "
        f"/stats/?date_from={date_from.isoformat()}&date_to={date_to.isoformat()}"
    )


def seed(*, stdout) -> None:
    _tracing_hint(stdout)
    days = (DEMO_TO - DEMO_FROM).days + 1
    present = (
        InstallSnapshot.objects.filter(date__range=(DEMO_FROM, DEMO_TO))
        .values("date")
        .distinct()
        .count()
    )
    if present == days:
        stdout.write(f"Install figures {DEMO_FROM:%d/%m/%Y}–{DEMO_TO:%d/%m/%Y}: already loaded.")
        return
    started = time.monotonic()
    with _quiet_http_log(), _demo_client() as client:
        result = snapshots_backfill(date_from=DEMO_FROM, date_to=DEMO_TO, client=client)
    stdout.write(
        f"Install figures {DEMO_FROM:%d/%m/%Y}–{DEMO_TO:%d/%m/%Y}: {result.rows_saved} rows "
        f"for {result.days_saved} days from the Bluezone sandbox "
        f"({time.monotonic() - started:.1f} s)."
    )
