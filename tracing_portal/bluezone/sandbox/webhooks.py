"""Webhooks from the sandbox to the request's callback URL, signed as Bluezone signs them.

The HMAC is written out here on purpose: the sandbox shares no code with the portal.
"""

import hashlib
import hmac
import json
import logging
import time
from datetime import datetime

import httpx
from django.conf import settings
from django.db import transaction

from . import faults
from .models import SandboxTraceRequest, SandboxWebhookDelivery
from .timefmt import iso

logger = logging.getLogger(__name__)

EVENT = "trace_request.updated"
TIMEOUT_SECONDS = 2.0


def signature(body: bytes, timestamp: str) -> str:
    secret = settings.BLUEZONE_WEBHOOK_SECRET.encode()
    mac = hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def notify(trace_request: SandboxTraceRequest, status: str, occurred_at: datetime) -> None:
    """Send the status change once the surrounding transaction (if any) has committed."""
    request_id, url = trace_request.pk, trace_request.callback_url
    transaction.on_commit(lambda: deliver(request_id, url, status, occurred_at))


def deliver(request_id: str, url: str, status: str, occurred_at: datetime) -> None:
    """POST one event and record the outcome. Never raises for a network failure."""
    payload = {"event": EVENT, "id": request_id, "status": status, "occurred_at": iso(occurred_at)}
    body = json.dumps(payload, separators=(",", ":")).encode()
    timestamp = str(int(time.time()))
    record = SandboxWebhookDelivery(
        trace_request_id=request_id,
        status=status,
        url=url,
        body=body.decode(),
        timestamp=timestamp,
        signature=signature(body, timestamp),
    )
    if faults.lose_webhook():
        record.outcome = SandboxWebhookDelivery.Outcome.LOST
    else:
        try:
            response = httpx.post(
                url,
                content=body,
                headers={
                    "Content-Type": "application/json",
                    "X-Bluezone-Timestamp": timestamp,
                    "X-Bluezone-Signature": record.signature,
                    "User-Agent": "bluezone-sandbox",
                },
                timeout=TIMEOUT_SECONDS,
            )
        except httpx.HTTPError as exc:
            logger.warning("Sandbox webhook %s %s to %s failed: %r", request_id, status, url, exc)
            record.outcome = SandboxWebhookDelivery.Outcome.FAILED
            record.error = repr(exc)[:300]
        else:
            record.response_status = response.status_code
            record.outcome = (
                SandboxWebhookDelivery.Outcome.DELIVERED
                if response.is_success
                else SandboxWebhookDelivery.Outcome.REJECTED
            )
    try:
        record.save()
    except Exception:
        # The request may be gone (a test's database flushed under a late timer).
        logger.warning("Sandbox webhook %s %s could not be recorded", request_id, status)
