"""Fault tolerance: 50 trace requests and their text messages reach a correct final state
while Bluezone fails 30% of its calls (some with 429), loses every webhook, and the SMS
operator refuses half of the sends.

The SMS gateway is the real HTTP one, posting to the SMS operator sandbox served by
pytest-django's live server; Bluezone's sandbox is reached in-process. Celery tasks run
eagerly; "beat" is driven by hand in bounded rounds (the Bluezone poll, the SMS stale sweep
and the delivery task run again for anything still queued).
"""

import datetime
import os
import re
import signal
import subprocess
import sys
import time

import pytest
from django.db import connection
from django.db.models import Count, F
from django.utils import timezone

from tests.workers import (
    ROOT,
    needs_real_worker,
    purge_queue,
    start_worker,
    stop_worker,
    worker_env,
)
from tracing_portal.bluezone import services
from tracing_portal.bluezone.models import (
    IngestState,
    Lookup,
    LookupStatus,
    Review,
    Sighting,
    TracedContact,
    TraceRequest,
    TraceState,
)
from tracing_portal.bluezone.sandbox import scenario
from tracing_portal.bluezone.sandbox.models import SandboxTraceRequest
from tracing_portal.cases.models import Case
from tracing_portal.cases.services import case_create, case_verify
from tracing_portal.notifications.models import SmsMessage, SmsStatus
from tracing_portal.notifications.sandbox.models import SandboxSms
from tracing_portal.notifications.sandbox.views import reset_fault_counters
from tracing_portal.notifications.services import sms_requeue_stale
from tracing_portal.notifications.tasks import sms_deliver

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

TRACES = 50
MAX_ROUNDS = 25


@pytest.fixture
def faulty_world(live_server, settings):
    settings.SITE_URL = live_server.url
    # Bluezone: 30% 5xx, 10% 429 (Retry-After 0), every webhook lost.
    settings.BLUEZONE_SANDBOX_FAULTS = {
        "error_rate": 0.3,
        "rate_limit_rate": 0.1,
        "retry_after": 0,
        "lose_webhook_rate": 1.0,
        "seed": 11,
    }
    settings.BLUEZONE_MAX_ATTEMPTS = 2
    settings.BLUEZONE_BACKOFF_SECONDS = 0.01
    # Fewer candidates per F0 (about 40 in all, and so fewer notices): a quicker test.
    settings.BLUEZONE_CANDIDATE_THRESHOLD_MINUTES = 120
    # SMS: the HTTP gateway against the operator sandbox, which fails half its sends.
    settings.SMS_BACKEND = "http"
    settings.SMS_HTTP_URL = ""
    settings.SMS_HTTP_TIMEOUT_SECONDS = 10
    settings.SMS_BACKOFF_SECONDS = 0.01
    settings.SMS_MAX_ATTEMPTS = 60
    settings.SMS_DAILY_CAP_PER_NUMBER = 50
    settings.SMS_DAILY_CAP_PER_OPERATOR = 10_000
    settings.SMS_SANDBOX_FAULTS = {"error_rate": 0.5, "receipt_delay_seconds": 0}
    reset_fault_counters()
    return settings


def beat_round():
    """One tick of beat, with a minute passing before it (stale lookups are retried after
    a minute; stale SMS after ten)."""
    earlier = F("created_at") - datetime.timedelta(minutes=2)
    Lookup.objects.filter(status=LookupStatus.PENDING).update(created_at=earlier)
    services.poll_open_traces()
    SmsMessage.objects.filter(status=SmsStatus.QUEUED).update(
        next_attempt_at=timezone.now() - datetime.timedelta(minutes=11)
    )
    sms_requeue_stale()
    for message_id in SmsMessage.objects.filter(status=SmsStatus.QUEUED).values_list(
        "pk", flat=True
    ):
        sms_deliver.delay(message_id)


def code_from_the_handset(trace: TraceRequest) -> str | None:
    """The code as the F0 reads it in the text the operator received, if it arrived."""
    message = SmsMessage.objects.filter(case=trace.case, purpose=f"trace:{trace.pk}").first()
    if message is None:
        return None
    received = SandboxSms.objects.filter(client_ref=message.idempotency_key).first()
    if received is None:
        return None
    found = re.search(r"\b(\d{6})\b", received.text)
    return found.group(1) if found else None


def everything_final() -> bool:
    return (
        not TraceRequest.objects.exclude(
            status=TraceState.COMPLETED, ingest_state=IngestState.DONE
        ).exists()
        and not Lookup.objects.filter(status=LookupStatus.PENDING).exists()
        and not SmsMessage.objects.exclude(status=SmsStatus.DELIVERED).exists()
    )


def test_fifty_traces_and_their_texts_reach_a_correct_final_state_under_faults(
    faulty_world, cdc_user, dic_user
):
    people = []
    for i in range(TRACES):
        msisdn = f"849130{i:05d}"
        scenario.register(msisdn, province_code="30")
        person = case_create(actor=cdc_user, full_name=f"F0 số {i}", phone="0" + msisdn[2:]).case
        case_verify(actor=cdc_user, case=person)
        people.append(person)
    for person in people:
        services.trace_request_open(actor=dic_user, case=person)

    notified = set()
    for _round in range(MAX_ROUNDS):
        beat_round()
        for trace in TraceRequest.objects.filter(status=TraceState.CODE_ISSUED):
            if not SmsMessage.objects.filter(purpose=f"trace:{trace.pk}").exists():
                services.trace_send_code_sms(actor=dic_user, trace=trace)
            code = code_from_the_handset(trace)
            remote = SandboxTraceRequest.objects.filter(pk=trace.bluezone_id).first()
            if code and remote and remote.status == "code_issued":
                scenario.enter_code(trace.msisdn, code)
        for trace in TraceRequest.objects.filter(
            status=TraceState.COMPLETED, ingest_state=IngestState.DONE
        ).exclude(pk__in=notified):
            services.candidates_accept_all(actor=cdc_user, trace=trace)
            if trace.contacts.filter(review=Review.ACCEPTED).exists():
                services.trace_notify_accepted(actor=dic_user, trace=trace)
            notified.add(trace.pk)
        if len(notified) == TRACES and everything_final():
            break
    else:
        pytest.fail(f"no final state after {MAX_ROUNDS} beat rounds")

    # Every trace completed and ingested, each contact and sighting stored once.
    traces = list(TraceRequest.objects.all())
    assert len(traces) == TRACES
    assert {(t.status, t.ingest_state) for t in traces} == {("completed", "done")}
    for trace in traces:
        assert trace.contacts.count() == trace.contacts_count
        assert Sighting.objects.filter(contact__trace=trace).count() == trace.sightings_count, (
            trace.pk
        )
    assert not (
        TracedContact.objects.values("trace", "contact_id")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .exists()
    )
    # No lookup lost: each person with a phone has a finished lookup.
    assert not Lookup.objects.filter(status=LookupStatus.PENDING).exists()
    for case in Case.objects.exclude(phone=""):
        assert Lookup.objects.filter(case=case, status=LookupStatus.DONE).exists(), case.code
    # No candidate duplicated: one person per accepted phone.
    accepted = TracedContact.objects.filter(review=Review.ACCEPTED)
    assert accepted.exists()
    accepted_phones = set(accepted.values_list("phone", flat=True))
    created = Case.objects.filter(relation="bluezone")
    assert created.count() == len(accepted_phones)
    assert set(created.values_list("phone", flat=True)) == accepted_phones
    assert not (
        Case.objects.exclude(phone="").values("phone").annotate(n=Count("pk")).filter(n__gt=1)
    ).exists()
    # Every notice delivered exactly once: one code per trace, one notice per accepted
    # person and trace, each received once by the operator and final at the portal.
    messages = SmsMessage.objects.all()
    expected_notices = accepted.values("trace", "resulting_case").distinct().count()
    assert messages.filter(template_kind="verification_code").count() == TRACES
    assert messages.filter(template_kind="exposure_notice").count() == expected_notices
    assert set(messages.values_list("status", flat=True)) == {SmsStatus.DELIVERED}
    keys = set(messages.values_list("idempotency_key", flat=True))
    received = SandboxSms.objects.all()
    assert received.count() == len(keys) == messages.count()
    assert set(received.values_list("client_ref", flat=True)) == keys
    assert set(received.values_list("receipt_response", flat=True)) == {200}
    # The faults really happened: some sends needed more than one attempt.
    assert messages.filter(attempts__gt=1).exists()


# A worker killed in the middle of ingestion


INGEST_SCRIPT = """
import django, sys
django.setup()
from tracing_portal.bluezone.services import trace_ingest
trace_ingest(trace_id=int(sys.argv[1]))
"""


def _wait_for(predicate, timeout=60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@needs_real_worker  # tasks are queued, not run: only the killed process ingests
def test_ingestion_killed_midway_leaves_nothing_half_done_after_the_rerun(
    live_server, settings, cdc_user, dic_user
):

    settings.SITE_URL = live_server.url
    settings.BLUEZONE_SANDBOX_FAULTS = {"lose_webhook_rate": 1.0}  # nothing queued behind
    f0_msisdn = "84912345678"
    scenario.register(f0_msisdn, province_code="30")
    # More than one page of contacts (500 a page), so the kill lands between pages.
    for i in range(620):
        scenario.meet(f0_msisdn, f"8498{i:07d}", minutes=20 + i % 30, rssi=-60)
    f0 = case_create(actor=cdc_user, full_name="F0 nhiều tiếp xúc", phone="0912 345 678").case
    case_verify(actor=cdc_user, case=f0)
    trace = services.trace_request_open(actor=dic_user, case=f0)
    services.trace_submit(trace_id=trace.pk)
    trace.refresh_from_db()
    scenario.enter_code(trace.msisdn, trace.verification_code)
    services.trace_refresh(trace_id=trace.pk)
    purge_queue()  # the ingestion task the refresh queued: this test runs it itself
    trace.refresh_from_db()
    assert (trace.status, trace.ingest_state) == (TraceState.COMPLETED, IngestState.PENDING)
    assert trace.contacts_count > 500

    # Bluezone answers slowly (over HTTP, from the live server): 2 s a call.
    settings.BLUEZONE_SANDBOX_FAULTS = {"latency_ms": 2000}
    db = connection.settings_dict
    env = {
        **os.environ,
        "DEBUG": "true",
        "DATABASE_URL": (
            f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        ),
        "SITE_URL": live_server.url,
        "BLUEZONE_SANDBOX_TRANSPORT": "http",
        "CELERY_BROKER_URL": "",
    }
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-c", INGEST_SCRIPT, str(trace.pk)], cwd=ROOT, env=env
    )
    try:
        stored_some = _wait_for(lambda: TracedContact.objects.filter(trace=trace).exists())
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=20)
    assert stored_some, "the ingestion did not store the first page"
    assert process.returncode == -signal.SIGKILL
    trace.refresh_from_db()
    half = TracedContact.objects.filter(trace=trace).count()
    assert trace.ingest_state == IngestState.PENDING
    assert 0 < half < trace.contacts_count

    # The retry (acks_late redelivery, or the poll) runs the same task again.
    settings.BLUEZONE_SANDBOX_FAULTS = {}
    services.trace_ingest(trace_id=trace.pk)
    trace.refresh_from_db()
    assert trace.ingest_state == IngestState.DONE
    assert TracedContact.objects.filter(trace=trace).count() == trace.contacts_count
    assert (
        TracedContact.objects.filter(trace=trace).values("contact_id").distinct().count()
        == trace.contacts_count
    )
    sightings = Sighting.objects.filter(contact__trace=trace)
    assert sightings.count() == trace.sightings_count
    assert sightings.values("contact", "seen_at").distinct().count() == trace.sightings_count


@needs_real_worker
def test_worker_killed_during_ingestion_the_task_is_redelivered_and_nothing_is_doubled(
    live_server, settings, cdc_user, dic_user
):
    from tracing_portal.bluezone.tasks import ingest_trace

    settings.SITE_URL = live_server.url
    settings.BLUEZONE_SANDBOX_TRANSPORT = "http"
    settings.BLUEZONE_SANDBOX_FAULTS = {"lose_webhook_rate": 1.0}
    f0_msisdn = "84912345679"
    scenario.register(f0_msisdn, province_code="30")
    for i in range(620):
        scenario.meet(f0_msisdn, f"8497{i:07d}", minutes=20 + i % 30, rssi=-60)
    f0 = case_create(actor=cdc_user, full_name="F0 bị ngắt giữa chừng", phone="0912 345 679").case
    case_verify(actor=cdc_user, case=f0)
    trace = services.trace_request_open(actor=dic_user, case=f0)
    services.trace_submit(trace_id=trace.pk)
    trace.refresh_from_db()
    scenario.enter_code(trace.msisdn, trace.verification_code)
    services.trace_refresh(trace_id=trace.pk)
    purge_queue()
    trace.refresh_from_db()
    assert trace.ingest_state == IngestState.PENDING and trace.contacts_count > 500

    settings.BLUEZONE_SANDBOX_FAULTS = {"latency_ms": 2000}
    env = worker_env(
        site_url=live_server.url,
        CELERY_VISIBILITY_TIMEOUT="3",
        BLUEZONE_SANDBOX_TRANSPORT="http",
    )
    first = start_worker(env)
    try:
        ingest_trace.delay(trace.pk)
        stored_some = _wait_for(lambda: TracedContact.objects.filter(trace=trace).exists())
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=20)
    finally:
        stop_worker(first)
    assert stored_some, "the worker did not store the first page"
    half = TracedContact.objects.filter(trace=trace).count()
    trace.refresh_from_db()
    assert trace.ingest_state == IngestState.PENDING
    assert 0 < half < trace.contacts_count

    # A new worker gets the unacknowledged task back once the visibility timeout passed.
    settings.BLUEZONE_SANDBOX_FAULTS = {}
    second = start_worker(env)
    try:
        done = _wait_for(
            lambda: TraceRequest.objects.get(pk=trace.pk).ingest_state == IngestState.DONE,
            timeout=90,
        )
    finally:
        stop_worker(second)
    assert done, "the task was not redelivered"
    trace.refresh_from_db()
    contacts = TracedContact.objects.filter(trace=trace)
    assert contacts.count() == trace.contacts_count
    assert contacts.values("contact_id").distinct().count() == trace.contacts_count
    sightings = Sighting.objects.filter(contact__trace=trace)
    assert sightings.count() == trace.sightings_count


# What the fault tests found


def _traced(cdc_user, dic_user, msisdn: str, *contacts: str) -> TraceRequest:
    scenario.register(msisdn, province_code="30")
    for other in contacts:
        scenario.meet(msisdn, other, minutes=45, rssi=-58)
    f0 = case_create(actor=cdc_user, full_name="F0 thử", phone="0" + msisdn[2:]).case
    case_verify(actor=cdc_user, case=f0)
    trace = services.trace_request_open(actor=dic_user, case=f0)
    trace.refresh_from_db()
    scenario.enter_code(trace.msisdn, trace.verification_code)
    services.trace_refresh(trace_id=trace.pk)
    trace.refresh_from_db()
    assert trace.ingest_state == IngestState.DONE
    return trace


def test_a_number_the_portal_refuses_does_not_stop_accept_all(cdc_user, dic_user):
    trace = _traced(cdc_user, dic_user, "84912345670")
    candidates = list(trace.contacts.filter(is_candidate=True).exclude(phone=""))
    assert len(candidates) >= 2
    # Bluezone reports a number with a prefix that is not allocated.
    TracedContact.objects.filter(pk=candidates[0].pk).update(phone="+84894005143")
    accepted, problems = services.candidates_accept_all(actor=cdc_user, trace=trace)
    assert accepted == len(candidates) - 1
    assert len(problems) == 1
    assert TracedContact.objects.get(pk=candidates[0].pk).review == Review.PENDING


def test_a_contact_on_file_without_a_date_gets_bluezone_s_and_the_notice(cdc_user, dic_user):
    from tracing_portal.cases.services import case_add_contact

    trace = _traced(cdc_user, dic_user, "84912345671", "84987654329")
    f1 = case_add_contact(
        actor=cdc_user,
        source=trace.case,
        full_name="Đã khai báo",
        relation="household",
        phone="0987 654 329",
    ).case
    assert f1.exposure_date is None
    contact = TracedContact.objects.get(trace=trace, phone="+84987654329")
    assert services.candidate_accept(actor=cdc_user, contact=contact) == f1
    f1.refresh_from_db()
    assert f1.exposure_date == timezone.localtime(contact.first_seen).date()
    services.trace_notify_accepted(actor=dic_user, trace=trace)
    assert SmsMessage.objects.filter(case=f1, template_kind="exposure_notice").exists()
