"""A trace from opening to candidates, with a real Celery worker process on Redis.

Runs when CELERY_BROKER_URL is set and the database is PostgreSQL (CI's second run); the
worker is a separate `celery worker` process using the test database.
"""

import pytest

from tests.workers import (
    REAL_WORKER_MARKS,
    purge_queue,
    start_worker,
    stop_worker,
    wait_for,
    worker_env,
)
from tracing_portal.bluezone import services
from tracing_portal.bluezone.models import IngestState, TraceRequest, TraceState
from tracing_portal.bluezone.sandbox import scenario
from tracing_portal.cases.services import case_create, case_verify

pytestmark = [
    *REAL_WORKER_MARKS,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def worker(live_server, settings):
    settings.SITE_URL = live_server.url
    settings.BLUEZONE_SANDBOX_TRANSPORT = "http"
    purge_queue()
    process = start_worker(
        worker_env(
            site_url=live_server.url,
            BLUEZONE_SANDBOX_MATCHING_SECONDS="0",
            BLUEZONE_BACKOFF_SECONDS="0.05",
        )
    )
    try:
        yield process
    finally:
        stop_worker(process)


def test_trace_from_opening_to_candidates_with_a_worker(worker, cdc_user, dic_user):
    f0 = case_create(actor=cdc_user, full_name="Nguyễn Văn Thành", phone="0912 345 678").case
    case_verify(actor=cdc_user, case=f0)
    scenario.register("84912345678", province_code="30")
    scenario.meet("84912345678", "84987654321", minutes=45, rssi=-58)

    trace = services.trace_request_open(actor=dic_user, case=f0)
    assert TraceRequest.objects.get(pk=trace.pk).status == TraceState.OPENING
    assert wait_for(
        lambda: TraceRequest.objects.get(pk=trace.pk).status == TraceState.CODE_ISSUED
    ), "the worker did not submit the trace"
    trace.refresh_from_db()
    scenario.enter_code(trace.msisdn, trace.verification_code)
    # The sandbox's webhook reaches the live server; the worker refreshes and ingests.
    assert wait_for(
        lambda: TraceRequest.objects.get(pk=trace.pk).ingest_state == IngestState.DONE
    ), "the worker did not ingest the contacts"
    trace.refresh_from_db()
    assert trace.status == TraceState.COMPLETED
    assert trace.contacts.count() == trace.contacts_count
    assert trace.contacts.filter(is_candidate=True, phone="+84987654321").exists()
