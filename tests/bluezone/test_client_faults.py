"""The client survives the sandbox's faults, over real HTTP; attempts are counted server-side.
Each fault: latency, 5xx, 429 with Retry-After, timeouts, and lost webhooks."""

import time

import pytest

from tracing_portal.bluezone import services
from tracing_portal.bluezone.client import BluezoneUnavailable, get_client
from tracing_portal.bluezone.models import IngestState, TraceRequest, WebhookReceipt
from tracing_portal.bluezone.sandbox import scenario
from tracing_portal.bluezone.sandbox.faults import call_log
from tracing_portal.bluezone.sandbox.models import (
    SandboxIdempotencyKey,
    SandboxTraceRequest,
    SandboxWebhookDelivery,
)
from tracing_portal.cases.services import case_create, case_verify

from .conftest import F0

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

CALLBACK = "http://127.0.0.1:9/bluezone/webhook"
LOOKUPS = "/v1/subscribers/"


def test_5xx_every_time_ends_in_unavailable_after_max_attempts(bluezone_live, settings):
    settings.BLUEZONE_SANDBOX_FAULTS = {"error_rate": 1.0}

    with pytest.raises(BluezoneUnavailable) as error:
        bluezone_live.get_subscriber(F0)

    calls = call_log.calls(LOOKUPS)
    assert len(calls) == settings.BLUEZONE_MAX_ATTEMPTS == error.value.attempts
    assert {c.status for c in calls} <= {502, 503}
    assert all(c.fault == "error" for c in calls)

    settings.BLUEZONE_MAX_ATTEMPTS = 2
    call_log.clear()
    with get_client() as client, pytest.raises(BluezoneUnavailable):
        client.get_subscriber(F0)
    assert len(call_log.calls(LOOKUPS)) == 2


def test_flaky_sandbox_still_answers_every_call_through_retries(bluezone_live, settings):
    scenario.register(F0, province_code="30")
    settings.BLUEZONE_SANDBOX_FAULTS = {"error_rate": 0.3, "seed": 11}

    answers = [bluezone_live.get_subscriber(F0) for _ in range(10)]

    assert all(a is not None and a.msisdn == F0 for a in answers)
    calls = call_log.calls(LOOKUPS)
    failed = [c for c in calls if c.fault == "error"]
    assert len(failed) >= 2  # the seed makes some calls fail, so retries did the work
    assert len(calls) == 10 + len(failed)


def test_rate_limit_waits_at_least_retry_after_between_attempts(bluezone_live, settings):
    settings.BLUEZONE_SANDBOX_FAULTS = {"rate_limit_rate": 1.0, "retry_after": 1}
    settings.BLUEZONE_MAX_ATTEMPTS = 2
    settings.BLUEZONE_BACKOFF_SECONDS = 0.001

    started = time.monotonic()
    with get_client() as client, pytest.raises(BluezoneUnavailable) as error:
        client.get_subscriber(F0)

    first, second = call_log.calls(LOOKUPS)
    assert first.status == second.status == 429
    assert second.at - first.at >= 1.0
    assert time.monotonic() - started >= 1.0
    assert error.value.retry_after == 1

    # A Retry-After beyond BLUEZONE_BACKOFF_MAX_SECONDS is left to the caller (a task retry).
    settings.BLUEZONE_SANDBOX_FAULTS = {"rate_limit_rate": 1.0, "retry_after": 120}
    call_log.clear()
    started = time.monotonic()
    with get_client() as client, pytest.raises(BluezoneUnavailable) as error:
        client.get_subscriber(F0)
    assert time.monotonic() - started < 1.0
    assert error.value.retry_after == 120
    assert len(call_log.calls(LOOKUPS)) == 1


def test_rate_limited_calls_succeed_once_the_limit_lifts(bluezone_live, settings):
    scenario.register(F0, province_code="30")
    settings.BLUEZONE_SANDBOX_FAULTS = {"rate_limit_rate": 0.5, "retry_after": 1, "seed": 4}

    answers = [bluezone_live.get_subscriber(F0) for _ in range(2)]

    assert all(a.msisdn == F0 for a in answers)
    calls = call_log.calls(LOOKUPS)
    limited = [i for i, c in enumerate(calls) if c.status == 429]
    assert limited  # the seed rate-limits at least one call
    for i in limited:
        assert calls[i + 1].at - calls[i].at >= 1.0


def test_timeouts_are_retried_then_unavailable(bluezone_live, settings):
    settings.BLUEZONE_TIMEOUT_SECONDS = 0.5
    settings.BLUEZONE_MAX_ATTEMPTS = 2
    settings.BLUEZONE_SANDBOX_FAULTS = {"timeout_rate": 1.0, "timeout_seconds": 1}

    started = time.monotonic()
    with get_client() as client, pytest.raises(BluezoneUnavailable) as error:
        client.get_subscriber(F0)

    assert 1.0 <= time.monotonic() - started < 2.0
    assert "Timeout" in error.value.detail
    assert call_log.wait_idle(5)
    assert [c.fault for c in call_log.calls(LOOKUPS)] == ["timeout", "timeout"]


def test_post_retried_after_a_timeout_opens_one_trace(bluezone_live, settings):
    scenario.register(F0, province_code="30")
    settings.BLUEZONE_TIMEOUT_SECONDS = 0.5
    settings.BLUEZONE_SANDBOX_FAULTS = {"timeout_rate": 0.5, "timeout_seconds": 1, "seed": 1}

    with get_client() as client:
        trace = client.create_trace_request(
            msisdn=F0, case_ref="HD-1", callback_url=CALLBACK, idempotency_key="case-1-open"
        )
    assert call_log.wait_idle(5)  # the timed-out attempt has now run too

    calls = call_log.calls("/v1/trace-requests")
    assert calls[0].fault == "timeout"  # the seed times the first attempt out
    assert len(calls) >= 2
    assert list(SandboxTraceRequest.objects.values_list("id", flat=True)) == [trace.id]
    assert SandboxIdempotencyKey.objects.filter(key="case-1-open").count() == 1


def test_latency_is_added_to_every_call(bluezone_live, settings):
    scenario.register(F0, province_code="30")
    settings.BLUEZONE_SANDBOX_FAULTS = {"latency_ms": 300}

    started = time.monotonic()
    subscriber = bluezone_live.get_subscriber(F0)

    assert subscriber.msisdn == F0
    assert time.monotonic() - started >= 0.3
    assert len(call_log.calls(LOOKUPS)) == 1


def test_with_every_webhook_lost_the_poll_alone_brings_the_trace_home(
    bluezone_live, settings, cdc_user, dic_user
):
    scenario.register(F0, province_code="30")
    settings.BLUEZONE_SANDBOX_FAULTS = {"lose_webhook_rate": 1.0}
    f0 = case_create(actor=cdc_user, full_name="Nguyễn Văn Thành", phone="0912 345 678").case
    case_verify(actor=cdc_user, case=f0)
    trace = services.trace_request_open(actor=dic_user, case=f0)
    trace.refresh_from_db()
    assert trace.status == "code_issued"  # created over HTTP, callback at the live server
    assert trace.bluezone_id and trace.verification_code

    scenario.enter_code(F0, trace.verification_code)

    lost = SandboxWebhookDelivery.objects.filter(trace_request_id=trace.bluezone_id)
    assert set(lost.values_list("outcome", flat=True)) == {"lost"}
    assert set(lost.values_list("status", flat=True)) == {"uploaded", "matching", "completed"}
    assert not WebhookReceipt.objects.exists()
    assert TraceRequest.objects.get(pk=trace.pk).status == "code_issued"  # nobody told it

    services.poll_open_traces()  # beat

    trace.refresh_from_db()
    assert (trace.status, trace.ingest_state) == ("completed", IngestState.DONE)
    assert trace.contacts.count() == trace.contacts_count > 0
    assert call_log.calls(f"/v1/trace-requests/{trace.bluezone_id}/contacts")
