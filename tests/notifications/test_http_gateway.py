"""The HTTP gateway over real HTTP against the SMS operator sandbox (pytest-django's
live_server): sending, idempotent retries, faults, and signed delivery receipts."""

import time

import pytest
from django.utils import timezone

from tracing_portal.notifications.gateways import (
    GatewayError,
    HttpGateway,
    OutgoingSms,
    TransientGatewayError,
)
from tracing_portal.notifications.models import SmsMessage, SmsStatus
from tracing_portal.notifications.sandbox.models import SandboxSms
from tracing_portal.notifications.sandbox.tasks import send_receipt
from tracing_portal.notifications.services import sms_message_deliver, sms_send
from tracing_portal.notifications.tasks import sms_deliver

from .factories import PersonFactory, SmsMessageFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def http_gateway(live_server, settings):
    settings.SMS_BACKEND = "http"
    settings.SITE_URL = live_server.url
    settings.SMS_HTTP_URL = ""  # the in-site sandbox, under SITE_URL
    settings.SMS_HTTP_TIMEOUT_SECONDS = 10
    settings.SMS_BACKOFF_SECONDS = 0.01


def install_request(actor, case):
    return sms_send(actor=actor, case=case, template_kind="install_request", purpose="install")


def queued(person):
    """A queued message whose delivery task has not run yet."""
    return SmsMessageFactory(
        case=person, status=SmsStatus.QUEUED, template_kind="install_request", purpose="install"
    )


def outgoing(**kwargs):
    fields = {
        "to": "+84912345678",
        "sender": "8058",
        "text": "[SYT Hai Duong] Thu nghiem.",
        "encoding": "gsm7",
        "client_ref": "test:1",
    }
    return OutgoingSms(**{**fields, **kwargs})


def test_message_reaches_the_operator_and_comes_back_delivered(dic_user, person):
    message = install_request(dic_user, person)
    message.refresh_from_db()
    received = SandboxSms.objects.get()
    assert (received.msisdn, received.sender, received.encoding) == ("84912345678", "8058", "gsm7")
    assert received.text == message.body
    assert received.client_ref == message.idempotency_key
    # The sandbox's signed receipt was accepted by the portal's callback.
    assert received.receipt_response == 200
    assert message.status == SmsStatus.DELIVERED
    assert message.provider_id == received.message_id
    assert message.receipts.get().status == "delivered"


def test_running_the_task_again_does_not_call_the_operator(dic_user, person):
    message = install_request(dic_user, person)
    sms_deliver.delay(message.pk)
    sms_deliver.delay(message.pk)
    received = SandboxSms.objects.get()
    assert received.submissions == 1
    message.refresh_from_db()
    assert message.attempts == 1


class WorkerDied(Exception):
    pass


class DiesAfterSending:
    """The real gateway, then the worker is killed before it records the answer."""

    name = "http"

    def __init__(self, gateway):
        self.gateway = gateway

    def send(self, sms):
        self.gateway.send(sms)
        raise WorkerDied


def test_worker_dying_between_send_and_status_update_does_not_deliver_twice(person, settings):
    settings.SMS_SANDBOX_FAULTS = {"receipts": False}  # the receipt is late
    message = queued(person)
    with pytest.raises(WorkerDied):
        sms_message_deliver(
            message_id=message.pk, gateway=DiesAfterSending(HttpGateway.from_settings())
        )
    message.refresh_from_db()
    assert (message.status, message.provider_id, message.attempts) == (SmsStatus.QUEUED, "", 1)

    sms_deliver.delay(message.pk)  # the re-run (acks_late redelivery or the stale sweep)

    received = SandboxSms.objects.get()
    assert received.submissions == 2  # the same client_ref twice: one message
    message.refresh_from_db()
    assert (message.status, message.provider_id) == (SmsStatus.SENT, received.message_id)
    # The operator delivers it once, and says so once.
    send_receipt.delay(received.pk)
    send_receipt.delay(received.pk)
    received.refresh_from_db()
    assert received.receipt_attempts == 1
    message.refresh_from_db()
    assert message.status == SmsStatus.DELIVERED
    assert message.receipts.count() == 1


def test_repeated_client_ref_returns_the_same_message_id(db):
    gateway = HttpGateway.from_settings()
    first = gateway.send(outgoing())
    second = gateway.send(outgoing())
    assert second.provider_id == first.provider_id
    assert (first.duplicate, second.duplicate) == (False, True)
    assert SandboxSms.objects.count() == 1


def test_client_ref_reused_for_another_text_is_refused(db):
    gateway = HttpGateway.from_settings()
    gateway.send(outgoing())
    with pytest.raises(GatewayError) as exc:
        gateway.send(outgoing(text="Khac"))
    assert (exc.value.code, exc.value.transient) == ("client_ref_conflict", False)


def test_transient_failures_are_retried_until_the_operator_accepts(dic_user, person, settings):
    settings.SMS_SANDBOX_FAULTS = {"fail_first": 2}
    message = install_request(dic_user, person)
    message.refresh_from_db()
    assert message.attempts == 3
    assert message.status == SmsStatus.DELIVERED
    assert message.error == ""
    assert SandboxSms.objects.get().submissions == 1


def test_operator_down_fails_the_message_after_the_last_attempt(dic_user, person, settings):
    settings.SMS_SANDBOX_FAULTS = {"error_rate": 1.0}
    settings.SMS_MAX_ATTEMPTS = 3
    message = install_request(dic_user, person)
    message.refresh_from_db()
    assert (message.status, message.attempts) == (SmsStatus.FAILED, 3)
    assert "unavailable" in message.error
    assert message.failed_at is not None
    assert not SandboxSms.objects.exists()


def test_rate_limit_is_transient_and_carries_retry_after(db, settings):
    settings.SMS_SANDBOX_FAULTS = {"rate_limit_rate": 1.0}
    with pytest.raises(TransientGatewayError) as exc:
        HttpGateway.from_settings().send(outgoing())
    assert (exc.value.code, exc.value.retry_after) == ("rate_limited", 1.0)


def test_timeout_is_transient_though_the_operator_may_have_taken_the_message(db, settings):
    settings.SMS_SANDBOX_FAULTS = {"latency_ms": 500}
    gateway = HttpGateway.from_settings()
    gateway.timeout = 0.2
    with pytest.raises(TransientGatewayError) as exc:
        gateway.send(outgoing())
    assert exc.value.code == "timeout"
    # The slow operator still takes it, which is why a retry must carry the same
    # client_ref. (Waiting also lets the live server finish before the database is reset.)
    time.sleep(1.0)
    assert SandboxSms.objects.filter(client_ref="test:1").count() == 1


def test_bad_credentials_are_final(db, settings):
    gateway = HttpGateway(
        base_url=settings.SITE_URL + "/sms-sandbox",
        username="sandbox",
        password="wrong",
        timeout=5,
    )
    with pytest.raises(GatewayError) as exc:
        gateway.send(outgoing())
    assert (exc.value.code, exc.value.transient) == ("unauthorized", False)


def test_a_landline_is_refused_once_and_not_retried(dic_user):
    person = PersonFactory(phone="+842203838888")  # Hai Duong landline, 0220 3838 888
    message = install_request(dic_user, person)
    message.refresh_from_db()
    assert (message.status, message.attempts) == (SmsStatus.FAILED, 1)
    assert message.error.startswith("invalid_number")
    assert not SandboxSms.objects.exists()


def test_numbers_the_network_refuses(dic_user, person, settings):
    settings.SMS_SANDBOX_FAULTS = {"reject_prefixes": ["8491"]}
    message = install_request(dic_user, person)
    message.refresh_from_db()
    assert message.status == SmsStatus.FAILED
    assert message.error.startswith("number_rejected")


def test_undeliverable_message_comes_back_failed(dic_user, person, settings):
    settings.SMS_SANDBOX_FAULTS = {"undeliverable_prefixes": ["8491"]}
    message = install_request(dic_user, person)
    message.refresh_from_db()
    assert (message.status, message.error) == (SmsStatus.FAILED, "absent_subscriber")
    assert message.provider_id == SandboxSms.objects.get().message_id


def test_sent_message_waits_for_its_receipt(dic_user, person, settings):
    settings.SMS_SANDBOX_FAULTS = {"receipts": False}
    message = install_request(dic_user, person)
    message.refresh_from_db()
    assert message.status == SmsStatus.SENT
    assert message.sent_at <= timezone.now()
    assert SmsMessage.objects.filter(status=SmsStatus.SENT).count() == 1
