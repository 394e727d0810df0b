"""An SMS through a real Celery worker process on Redis: the back-off retries of the task
(not the in-place ones of eager mode) and the sandbox's receipt sent from the worker.

Runs when CELERY_BROKER_URL is set and the database is PostgreSQL (CI's second run).
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
from tracing_portal.notifications.models import SmsMessage, SmsStatus
from tracing_portal.notifications.sandbox.models import SandboxSms
from tracing_portal.notifications.services import sms_send

from .factories import PersonFactory

pytestmark = [
    *REAL_WORKER_MARKS,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def worker(live_server, settings):
    settings.SITE_URL = live_server.url
    settings.SMS_BACKEND = "http"
    purge_queue()
    process = start_worker(
        worker_env(
            site_url=live_server.url,
            SMS_BACKEND="http",
            SMS_HTTP_URL="",
            SMS_BACKOFF_SECONDS="0.05",
        )
    )
    try:
        yield process
    finally:
        stop_worker(process)


def test_sms_is_retried_by_the_worker_and_its_receipt_arrives(worker, dic_user, settings):
    settings.SMS_SANDBOX_FAULTS = {"fail_first": 2, "receipt_delay_seconds": 0.2}
    person = PersonFactory(phone="+84912345678")
    message = sms_send(
        actor=dic_user, case=person, template_kind="install_request", purpose="install"
    )
    assert wait_for(lambda: SmsMessage.objects.get(pk=message.pk).status == SmsStatus.DELIVERED), (
        "the worker did not send the message, or its receipt did not arrive"
    )
    message.refresh_from_db()
    assert message.attempts == 3
    received = SandboxSms.objects.get()
    assert (received.submissions, received.message_id) == (1, message.provider_id)
