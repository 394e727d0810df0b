"""Tasks take ids, reload, and call one service. Transient Bluezone faults retry with
back-off; the periodic poll picks up anything still unfinished, so nothing is lost."""

import logging

from celery import shared_task

from . import services
from .client import BluezoneError, BluezoneUnavailable

logger = logging.getLogger(__name__)

RETRY = {"max_retries": 6, "acks_late": True}


def _retry_later(task, exc):
    if task.request.is_eager:
        # In the web process there is no worker to come back later: the poll will.
        return None
    countdown = min(300, 2 ** (task.request.retries + 1))
    if exc.retry_after:
        countdown = max(countdown, int(exc.retry_after))
    raise task.retry(exc=exc, countdown=countdown)


@shared_task(bind=True, name="bluezone.run_lookup", **RETRY)
def run_lookup(self, lookup_id: int):
    try:
        services.lookup_run(lookup_id=lookup_id)
    except BluezoneUnavailable as exc:
        if self.request.retries >= self.max_retries:
            services.lookup_fail(lookup_id=lookup_id, error=str(exc))
            return
        _retry_later(self, exc)


@shared_task(name="bluezone.run_lookups", acks_late=True)
def run_lookups(lookup_ids: list[int]):
    """A batch of checks (after an import). One that fails stays pending for the poll."""
    for lookup_id in lookup_ids:
        try:
            services.lookup_run(lookup_id=lookup_id)
        except BluezoneUnavailable:
            continue


@shared_task(bind=True, name="bluezone.submit_trace", **RETRY)
def submit_trace(self, trace_id: int):
    try:
        services.trace_submit(trace_id=trace_id)
    except BluezoneUnavailable as exc:
        _retry_later(self, exc)


@shared_task(bind=True, name="bluezone.refresh_trace", **RETRY)
def refresh_trace(self, trace_id: int, source: str = "poll"):
    try:
        services.trace_refresh(trace_id=trace_id, source=source)
    except BluezoneUnavailable as exc:
        _retry_later(self, exc)
    except BluezoneError as exc:
        # Refused for good this time: logged; the trace stays as it was for the poll,
        # and the webhook that queued this task still gets its quick answer.
        logger.error("Bluezone refresh of trace %s refused: %s %s", trace_id, exc.status, exc)


@shared_task(bind=True, name="bluezone.ingest_trace", **RETRY)
def ingest_trace(self, trace_id: int):
    try:
        services.trace_ingest(trace_id=trace_id)
    except BluezoneUnavailable as exc:
        _retry_later(self, exc)
    except BluezoneError as exc:
        logger.error("Bluezone contacts of trace %s refused: %s %s", trace_id, exc.status, exc)


@shared_task(name="bluezone.poll_open_traces")
def poll_open_traces():
    return services.poll_open_traces()
