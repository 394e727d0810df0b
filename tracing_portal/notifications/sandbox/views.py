"""The operator's API as the sandbox serves it.

POST /send, HTTP Basic auth, JSON body
    {"to": "84912345678", "from": "8058", "text": "...", "encoding": "gsm7"|"ucs2",
     "client_ref": "...", "callback_url": "https://portal/sms/receipts/"}
  202 {"message_id", "status": "accepted"}; the same client_ref and body again returns the
      same message_id ("duplicate": true) and is not delivered twice
  400 {"error": {"code": "invalid_request"|"invalid_number"|"number_rejected"|
                          "invalid_sender"|"text_too_long", "message"}}
  401 unauthorized; 409 client_ref_conflict (same client_ref, other body)
  429 rate_limited (Retry-After, seconds); 503 unavailable

Delivery receipts go to callback_url after the message is stored (tasks.py).
"""

import base64
import binascii
import hashlib
import hmac
import json
import random
import threading
import time
import uuid

import phonenumbers
from django.conf import settings
from django.db import transaction
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from .models import SandboxSms
from .tasks import send_receipt

FIELDS = ("to", "from", "text", "encoding", "client_ref")
MAX_UNITS = {"gsm7": 153 * 10, "ucs2": 67 * 10}


def faults() -> dict:
    return getattr(settings, "SMS_SANDBOX_FAULTS", None) or {}


# "fail_first": N answers 503 to the first N requests of each client_ref (per process), so
# that a test can watch a retry succeed.
_failures_seen: dict[str, int] = {}
_failures_lock = threading.Lock()


def reset_fault_counters() -> None:
    with _failures_lock:
        _failures_seen.clear()


def _fail_first(client_ref: str, count: int) -> bool:
    with _failures_lock:
        seen = _failures_seen.get(client_ref, 0)
        if seen >= count:
            return False
        _failures_seen[client_ref] = seen + 1
        return True


def error(status: int, code: str, message: str, **headers) -> JsonResponse:
    response = JsonResponse({"error": {"code": code, "message": message}}, status=status)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def _authorised(request) -> bool:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Basic "):
        return False
    try:
        user, _sep, password = base64.b64decode(header[6:]).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return False
    return hmac.compare_digest(user, settings.SMS_HTTP_USERNAME) and hmac.compare_digest(
        password, settings.SMS_HTTP_PASSWORD
    )


def _mobile(msisdn: str) -> bool:
    if not msisdn.isdigit() or not msisdn.startswith("84"):
        return False
    try:
        number = phonenumbers.parse("+" + msisdn, None)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_valid_number(number) and phonenumbers.number_type(number) in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )


def _units(text: str, encoding: str) -> int:
    if encoding == "ucs2":
        return len(text.encode("utf-16-le")) // 2
    return len(text) + sum(text.count(c) for c in "\f^{}\\[~]|€")


@csrf_exempt
@require_POST
def send(request):
    fault = faults()
    if fault.get("latency_ms"):
        time.sleep(fault["latency_ms"] / 1000)
    if not _authorised(request):
        response = error(401, "unauthorized", "Bad or missing credentials.")
        response["WWW-Authenticate"] = 'Basic realm="sms"'
        return response
    if random.random() < float(fault.get("rate_limit_rate", 0)):
        return error(429, "rate_limited", "Too many requests.", Retry_After="1")
    if random.random() < float(fault.get("error_rate", 0)):
        return error(503, "unavailable", "The SMS centre is not answering.")

    try:
        data = json.loads(request.body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return error(400, "invalid_request", "The body is not JSON.")
    if not isinstance(data, dict) or any(not isinstance(data.get(f), str) for f in FIELDS):
        return error(400, "invalid_request", f"Required: {', '.join(FIELDS)}.")
    if fault.get("fail_first") and _fail_first(data["client_ref"], int(fault["fail_first"])):
        return error(503, "unavailable", "The SMS centre is not answering.")
    if data["encoding"] not in MAX_UNITS or not data["text"] or not data["client_ref"]:
        return error(400, "invalid_request", "encoding is gsm7 or ucs2; text is required.")
    msisdn = data["to"]
    if not _mobile(msisdn):
        return error(400, "invalid_number", f"{msisdn} is not a Vietnamese mobile number.")
    if any(msisdn.startswith(p) for p in fault.get("reject_prefixes", [])):
        return error(400, "number_rejected", f"The network refuses messages to {msisdn}.")
    if data["from"] != settings.SMS_SHORT_CODE:
        return error(400, "invalid_sender", f"{data['from']} is not this account's short code.")
    if _units(data["text"], data["encoding"]) > MAX_UNITS[data["encoding"]]:
        return error(400, "text_too_long", "At most 10 parts.")

    canonical = json.dumps({f: data[f] for f in FIELDS}, sort_keys=True, ensure_ascii=False)
    request_hash = hashlib.sha256(canonical.encode()).hexdigest()
    with transaction.atomic():
        sms = SandboxSms.objects.select_for_update().filter(client_ref=data["client_ref"]).first()
        if sms is not None:
            if sms.request_hash != request_hash:
                return error(409, "client_ref_conflict", "client_ref was used for another text.")
            sms.submissions += 1
            sms.save(update_fields=["submissions"])
            return JsonResponse(
                {"message_id": sms.message_id, "status": sms.status, "duplicate": True},
                status=202,
            )
        undeliverable = any(msisdn.startswith(p) for p in fault.get("undeliverable_prefixes", []))
        sms = SandboxSms.objects.create(
            message_id="SB" + uuid.uuid4().hex[:22].upper(),
            client_ref=data["client_ref"],
            request_hash=request_hash,
            msisdn=msisdn,
            sender=data["from"],
            text=data["text"],
            encoding=data["encoding"],
            callback_url=data.get("callback_url") or "",
            outcome="failed" if undeliverable else "delivered",
            outcome_error="absent_subscriber" if undeliverable else "",
        )
        if sms.callback_url and fault.get("receipts", True):
            # After commit, never inside this write transaction: the receipt is an HTTP
            # call back into the portal.
            delay = float(fault.get("receipt_delay_seconds", 2))
            transaction.on_commit(
                lambda: send_receipt.apply_async((sms.pk,), countdown=delay), robust=True
            )
    return JsonResponse({"message_id": sms.message_id, "status": "accepted"}, status=202)


@require_GET
def messages(request):
    """What the sandbox received, newest first: a stand-in for the handsets' inboxes."""
    if not _authorised(request):
        return error(401, "unauthorized", "Bad or missing credentials.")
    qs = SandboxSms.objects.all()
    if request.GET.get("to"):
        qs = qs.filter(msisdn=request.GET["to"])
    return JsonResponse(
        {
            "messages": [
                {
                    "message_id": m.message_id,
                    "client_ref": m.client_ref,
                    "to": m.msisdn,
                    "text": m.text,
                    "status": m.status,
                    "submissions": m.submissions,
                    "received_at": timezone.localtime(m.received_at).isoformat(),
                }
                for m in qs[:100]
            ]
        }
    )
