"""The sandbox operator's delivery receipts, signed like the real operator's."""

import hashlib
import hmac
import json
import logging
import time

import httpx
from celery import shared_task
from django.conf import settings
from django.utils import timezone

from .models import SandboxSms

logger = logging.getLogger(__name__)

MAX_RECEIPT_ATTEMPTS = 5


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


@shared_task(bind=True, max_retries=MAX_RECEIPT_ATTEMPTS - 1)
def send_receipt(self, sms_id: int) -> None:
    """Deliver the message to the 'handset' and post its receipt to the callback URL.
    Runs with no database transaction open: the callback lands in the portal."""
    sms = SandboxSms.objects.filter(pk=sms_id).first()
    if sms is None or sms.receipt_sent_at is not None or not sms.callback_url:
        return
    occurred_at = sms.delivered_at or timezone.now()
    SandboxSms.objects.filter(pk=sms.pk).update(
        status=sms.outcome, delivered_at=occurred_at, receipt_attempts=sms.receipt_attempts + 1
    )
    body = json.dumps(
        {
            "event": "sms.status",
            "message_id": sms.message_id,
            "client_ref": sms.client_ref,
            "status": sms.outcome,
            "error_code": sms.outcome_error or None,
            "occurred_at": timezone.localtime(occurred_at).isoformat(),
        }
    ).encode()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "X-Sms-Timestamp": timestamp,
        "X-Sms-Signature": sign(settings.SMS_CALLBACK_SECRET, timestamp, body),
    }
    try:
        response = httpx.post(sms.callback_url, content=body, headers=headers, timeout=5.0)
    except httpx.HTTPError as exc:
        logger.warning("SMS sandbox: receipt for %s not delivered: %s", sms.message_id, exc)
        _maybe_retry(self, exc)
        return
    if response.status_code >= 500:
        _maybe_retry(self, None)
    SandboxSms.objects.filter(pk=sms.pk).update(
        receipt_sent_at=timezone.now(), receipt_response=response.status_code
    )


def _maybe_retry(task, exc) -> None:
    """Operators retry receipts with back-off; run eagerly (no broker), one try is all."""
    if not task.request.is_eager and task.request.retries < task.max_retries:
        raise task.retry(countdown=2**task.request.retries, exc=exc)
