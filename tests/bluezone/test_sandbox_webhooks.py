"""The sandbox's webhooks, received by a real HTTP server and checked with the client's helper.

The sandbox sends webhooks after commit. The in-process tests run the commit callbacks
with django_capture_on_commit_callbacks; the timer test runs on the live server.
"""

import queue
import time

import pytest
from django.conf import settings as django_settings

from tracing_portal.bluezone.client import (
    TraceStatus,
    get_client,
    parse_webhook,
    verify_webhook_signature,
)
from tracing_portal.bluezone.sandbox import scenario
from tracing_portal.bluezone.sandbox.models import SandboxWebhookDelivery

from .conftest import F0


def open_trace(client, callback_url, key="case-1"):
    return client.create_trace_request(
        msisdn=F0, case_ref="HD-1", callback_url=callback_url, idempotency_key=key
    )


def verified_events(deliveries):
    events = []
    for received in deliveries:
        assert verify_webhook_signature(
            body=received.body,
            timestamp=received.headers["X-Bluezone-Timestamp"],
            signature=received.headers["X-Bluezone-Signature"],
            secret=django_settings.BLUEZONE_WEBHOOK_SECRET,
        )
        assert abs(int(received.headers["X-Bluezone-Timestamp"]) - time.time()) < 60
        events.append(parse_webhook(received.body))
    return events


def test_nothing_is_sent_before_the_transaction_commits(
    bluezone_inprocess, registered_f0, webhook_receiver
):
    trace = open_trace(bluezone_inprocess, webhook_receiver.url)

    scenario.enter_code(F0, trace.verification_code)  # inside the test's transaction

    with pytest.raises(queue.Empty):
        webhook_receiver.received.get(timeout=0.3)
    assert not SandboxWebhookDelivery.objects.exists()


def test_upload_sends_signed_uploaded_matching_completed_in_order(
    bluezone_inprocess, registered_f0, webhook_receiver, django_capture_on_commit_callbacks
):
    trace = open_trace(bluezone_inprocess, webhook_receiver.url)

    with django_capture_on_commit_callbacks(execute=True):
        scenario.enter_code(F0, trace.verification_code)

    events = verified_events(webhook_receiver.take(3))
    assert [e.status for e in events] == ["uploaded", "matching", "completed"]
    assert {e.id for e in events} == {trace.id}
    assert {e.event for e in events} == {"trace_request.updated"}
    done = bluezone_inprocess.get_trace_request(trace.id)
    assert events[-1].occurred_at == done.completed_at
    assert webhook_receiver.received.empty()
    assert list(
        SandboxWebhookDelivery.objects.filter(trace_request_id=trace.id).values_list(
            "status", "outcome", "response_status"
        )
    ) == [
        ("uploaded", "delivered", 204),
        ("matching", "delivered", 204),
        ("completed", "delivered", 204),
    ]


def test_cancel_and_expiry_each_send_one_webhook(
    bluezone_inprocess, registered_f0, webhook_receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = open_trace(bluezone_inprocess, webhook_receiver.url, key="k-1")
        bluezone_inprocess.cancel_trace_request(first.id, idempotency_key="cancel-1")
        bluezone_inprocess.cancel_trace_request(first.id, idempotency_key="cancel-1")
        second = open_trace(bluezone_inprocess, webhook_receiver.url, key="k-2")
        scenario.expire_code(second.id)
        bluezone_inprocess.get_trace_request(second.id)

    events = verified_events(webhook_receiver.take(2))

    assert [(e.id, e.status) for e in events] == [
        (first.id, TraceStatus.CANCELLED),
        (second.id, TraceStatus.EXPIRED),
    ]
    with pytest.raises(queue.Empty):
        webhook_receiver.received.get(timeout=0.3)


def test_tampered_or_stale_webhook_fails_verification(
    bluezone_inprocess, registered_f0, webhook_receiver, django_capture_on_commit_callbacks
):
    trace = open_trace(bluezone_inprocess, webhook_receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        bluezone_inprocess.cancel_trace_request(trace.id, idempotency_key="cancel")
    (received,) = webhook_receiver.take(1)
    timestamp = received.headers["X-Bluezone-Timestamp"]
    signature = received.headers["X-Bluezone-Signature"]
    secret = django_settings.BLUEZONE_WEBHOOK_SECRET

    assert verify_webhook_signature(
        body=received.body, timestamp=timestamp, signature=signature, secret=secret
    )
    tampered = received.body.replace(b"cancelled", b"completed")
    assert not verify_webhook_signature(
        body=tampered, timestamp=timestamp, signature=signature, secret=secret
    )
    assert not verify_webhook_signature(
        body=received.body, timestamp=timestamp, signature=signature, secret="other"
    )
    assert not verify_webhook_signature(
        body=received.body,
        timestamp=timestamp,
        signature=signature,
        secret=secret,
        now=int(timestamp) + 301,
    )


def test_unreachable_callback_is_recorded_as_failed_and_nothing_breaks(
    bluezone_inprocess, registered_f0, django_capture_on_commit_callbacks
):
    trace = open_trace(bluezone_inprocess, "http://127.0.0.1:9/nobody-listens")

    with django_capture_on_commit_callbacks(execute=True):
        cancelled = bluezone_inprocess.cancel_trace_request(trace.id, idempotency_key="cancel")

    assert cancelled.status == TraceStatus.CANCELLED
    delivery = SandboxWebhookDelivery.objects.get(trace_request_id=trace.id)
    assert delivery.outcome == "failed"
    assert delivery.error


def test_rejecting_receiver_is_recorded_as_rejected(
    bluezone_inprocess, registered_f0, webhook_receiver, django_capture_on_commit_callbacks
):
    webhook_receiver.answer_status = 400
    trace = open_trace(bluezone_inprocess, webhook_receiver.url)

    with django_capture_on_commit_callbacks(execute=True):
        bluezone_inprocess.cancel_trace_request(trace.id, idempotency_key="cancel")

    webhook_receiver.take(1)
    delivery = SandboxWebhookDelivery.objects.get(trace_request_id=trace.id)
    assert (delivery.outcome, delivery.response_status) == ("rejected", 400)


def test_lost_webhooks_are_recorded_and_never_sent(
    bluezone_inprocess,
    registered_f0,
    webhook_receiver,
    settings,
    django_capture_on_commit_callbacks,
):
    settings.BLUEZONE_SANDBOX_FAULTS = {"lose_webhook_rate": 1.0}
    trace = open_trace(bluezone_inprocess, webhook_receiver.url)

    with django_capture_on_commit_callbacks(execute=True):
        scenario.enter_code(F0, trace.verification_code)

    with pytest.raises(queue.Empty):
        webhook_receiver.received.get(timeout=0.5)
    outcomes = SandboxWebhookDelivery.objects.filter(trace_request_id=trace.id)
    assert list(outcomes.values_list("status", "outcome")) == [
        ("uploaded", "lost"),
        ("matching", "lost"),
        ("completed", "lost"),
    ]
    # The webhook is only a hint: polling still reaches the final state.
    assert bluezone_inprocess.get_trace_request(trace.id).status == TraceStatus.COMPLETED


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_with_matching_time_a_timer_completes_the_trace_and_sends_the_webhook(
    bluezone_live, registered_f0, webhook_receiver, settings
):
    settings.BLUEZONE_SANDBOX_MATCHING_SECONDS = 1
    trace = open_trace(bluezone_live, webhook_receiver.url)

    scenario.enter_code(F0, trace.verification_code)

    assert [e.status for e in verified_events(webhook_receiver.take(2))] == [
        "uploaded",
        "matching",
    ]
    assert bluezone_live.get_trace_request(trace.id).status == TraceStatus.MATCHING
    (completed,) = verified_events(webhook_receiver.take(1, timeout=5))
    assert completed.status == TraceStatus.COMPLETED
    with get_client() as client:
        done = client.get_trace_request(trace.id)
    assert done.status == TraceStatus.COMPLETED
    assert done.contacts_count is not None
    assert (done.completed_at - done.uploaded_at).total_seconds() == 1
