"""The sandbox's /v1/ JSON API: the same contract as Bluezone's (docs: BLUEZONE_API.md)."""

import base64
import binascii
import hashlib
import hmac
import json
import re
import time
from datetime import date, timedelta
from functools import wraps

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from . import faults
from .installs import install_rows
from .models import SandboxIdempotencyKey, SandboxTraceRequest, SandboxTraceStatus
from .population import current_seed, find_subscriber, is_msisdn
from .services import (
    SandboxError,
    contacts_for,
    trace_request_cancel,
    trace_request_create,
    trace_request_get,
)
from .timefmt import ICT, iso

MAX_PAGE = 500
IDEMPOTENCY_TTL = timedelta(hours=24)
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
URL_RE = re.compile(r"^https?://[^\s/]+(/\S*)?$")


def error_response(status: int, code: str, message: str, **headers) -> JsonResponse:
    response = JsonResponse({"error": {"code": code, "message": message}}, status=status)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def api(*methods: str):
    """An API view: method check, faults, bearer auth; the view returns (status, body)."""

    def decorator(view):
        @csrf_exempt
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            call = faults.call_log.start(request.method, request.path)
            try:
                response = _answer(request, view, methods, call, args, kwargs)
                call.status = response.status_code
                return response
            finally:
                call.finished.set()

        return wrapper

    return decorator


def _answer(request, view, methods, call, args, kwargs) -> JsonResponse:
    fault = faults.api_fault()
    if fault is not None:
        call.fault = fault.kind
        if fault.kind == "rate_limit":
            return error_response(
                429, "rate_limited", "Too many requests.", Retry_After=str(fault.retry_after)
            )
        if fault.kind == "error":
            code = "bad_gateway" if fault.status == 502 else "unavailable"
            return error_response(fault.status, code, "Bluezone is temporarily unavailable.")
        time.sleep(fault.sleep)  # a timeout: answer so late that the caller has gone
    if request.method not in methods:
        response = error_response(405, "method_not_allowed", "Method not allowed.")
        response["Allow"] = ", ".join(methods)
        return response
    scheme, _, key = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not key:
        return error_response(401, "unauthorized", "Missing bearer key.", WWW_Authenticate="Bearer")
    if not hmac.compare_digest(key.strip().encode(), settings.BLUEZONE_API_KEY.encode()):
        return error_response(401, "unauthorized", "Invalid API key.", WWW_Authenticate="Bearer")
    status, body = _run(lambda: view(request, *args, **kwargs))
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def _run(handler) -> tuple[int, dict]:
    try:
        return handler()
    except SandboxError as exc:
        return exc.status, {"error": {"code": exc.code, "message": exc.message}}


def _idempotent(request, handler) -> tuple[int, dict]:
    """Run a POST once per Idempotency-Key; a repeat gets the first answer again."""
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return _run(handler)
    if not 1 <= len(key) <= 255:
        return 400, {
            "error": {"code": "invalid_idempotency_key", "message": "Use 1 to 255 characters."}
        }
    fingerprint = _fingerprint(request)
    found = SandboxIdempotencyKey.objects.filter(key=key).first()
    if found is not None:
        return _replay(found, fingerprint)
    try:
        with transaction.atomic():
            status, body = _run(handler)
            if status < 500:
                SandboxIdempotencyKey.objects.filter(
                    created_at__lt=timezone.now() - IDEMPOTENCY_TTL
                ).delete()
                SandboxIdempotencyKey.objects.create(
                    key=key, fingerprint=fingerprint, response_status=status, response_body=body
                )
    except IntegrityError:
        found = SandboxIdempotencyKey.objects.filter(key=key).first()
        if found is None:
            raise
        return _replay(found, fingerprint)
    return status, body


def _fingerprint(request) -> str:
    try:
        canonical = json.dumps(json.loads(request.body or b"{}"), sort_keys=True).encode()
    except ValueError:
        canonical = request.body
    return hashlib.sha256(f"{request.method} {request.path}\n".encode() + canonical).hexdigest()


def _replay(found: SandboxIdempotencyKey, fingerprint: str) -> tuple[int, dict]:
    if not hmac.compare_digest(found.fingerprint, fingerprint):
        raise SandboxError(
            409, "idempotency_conflict", "This Idempotency-Key was used with a different request."
        )
    return found.response_status, found.response_body


def _json_object(request) -> dict:
    try:
        data = json.loads(request.body or b"{}")
    except ValueError as exc:
        raise SandboxError(400, "invalid_json", "The body is not valid JSON.") from exc
    if not isinstance(data, dict):
        raise SandboxError(400, "invalid_request", "The body must be a JSON object.")
    return data


def _check_msisdn(msisdn) -> str:
    if not is_msisdn(msisdn):
        raise SandboxError(
            400, "invalid_msisdn", "Give the number as 84 followed by 9 digits, e.g. 84912345678."
        )
    return msisdn


def trace_request_state(trace_request: SandboxTraceRequest) -> dict:
    return {
        "id": trace_request.id,
        "status": trace_request.status,
        "uploaded_at": iso(trace_request.uploaded_at),
        "sightings_count": trace_request.sightings_count,
        "contacts_count": trace_request.contacts_count,
        "completed_at": iso(trace_request.completed_at),
    }


@api("GET")
def subscriber_detail(request, msisdn):
    def handler():
        subscriber = find_subscriber(_check_msisdn(msisdn))
        if subscriber is None:
            raise SandboxError(404, "not_registered", "No Bluezone user has this number.")
        return 200, {
            "msisdn": subscriber.msisdn,
            "installed": True,
            "phone_verified": subscriber.phone_verified,
            "registered_at": iso(subscriber.registered_at),
            "last_active_at": iso(subscriber.last_active_at),
            "os": subscriber.os,
            "province_code": subscriber.province_code,
        }

    return _run(handler)


@api("POST")
def trace_request_list(request):
    def handler():
        data = _json_object(request)
        msisdn = _check_msisdn(data.get("msisdn"))
        case_ref = data.get("case_ref")
        if not isinstance(case_ref, str) or not 1 <= len(case_ref.strip()) <= 100:
            raise SandboxError(400, "invalid_request", "case_ref: 1 to 100 characters.")
        window_days = data.get("window_days", 14)
        if isinstance(window_days, bool) or not isinstance(window_days, int):
            raise SandboxError(400, "invalid_request", "window_days: a whole number of days.")
        if not 1 <= window_days <= 14:
            raise SandboxError(400, "invalid_request", "window_days: from 1 to 14.")
        callback_url = data.get("callback_url")
        if (
            not isinstance(callback_url, str)
            or len(callback_url) > 500
            or not URL_RE.match(callback_url)
        ):
            raise SandboxError(400, "invalid_request", "callback_url: an http(s) URL.")
        trace_request = trace_request_create(
            msisdn=msisdn,
            case_ref=case_ref.strip(),
            window_days=window_days,
            callback_url=callback_url,
        )
        return 201, {
            "id": trace_request.id,
            "status": trace_request.status,
            "verification_code": trace_request.verification_code,
            "code_expires_at": iso(trace_request.code_expires_at),
            "created_at": iso(trace_request.created_at),
        }

    return _idempotent(request, handler)


@api("GET")
def trace_request_detail(request, request_id):
    return _run(lambda: (200, trace_request_state(trace_request_get(request_id))))


@api("POST")
def trace_request_cancel_view(request, request_id):
    return _idempotent(
        request, lambda: (200, trace_request_state(trace_request_cancel(request_id)))
    )


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, _, number = raw.partition(":")
        offset = int(number)
        if prefix != "o" or offset < 0:
            raise ValueError(cursor)
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise SandboxError(400, "invalid_cursor", "This cursor is not valid.") from exc
    return offset


@api("GET")
def trace_request_contacts(request, request_id):
    def handler():
        try:
            limit = int(request.GET.get("limit") or MAX_PAGE)
        except ValueError as exc:
            raise SandboxError(400, "invalid_request", "limit: a whole number.") from exc
        if limit < 1:
            raise SandboxError(400, "invalid_request", "limit: at least 1.")
        limit = min(limit, MAX_PAGE)
        cursor = request.GET.get("cursor") or ""
        offset = decode_cursor(cursor) if cursor else 0
        trace_request = trace_request_get(request_id)
        if trace_request.status != SandboxTraceStatus.COMPLETED:
            raise SandboxError(409, "not_completed", "The trace request has not completed.")
        contacts = contacts_for(trace_request)
        page = contacts[offset : offset + limit]
        end = trace_request.uploaded_at.replace(microsecond=0)  # as written in uploaded_at
        body = {
            "contacts": [
                {
                    "contact_id": c.contact_id,
                    "msisdn": c.msisdn,
                    "province_code": c.province_code,
                    "sightings": [
                        {"t": iso(end - timedelta(seconds=before)), "rssi": rssi}
                        for before, rssi in c.sightings
                    ],
                }
                for c in page
            ],
            "next_cursor": encode_cursor(offset + limit)
            if offset + limit < len(contacts)
            else None,
        }
        return 200, body

    return _run(handler)


@api("GET")
def install_stats(request):
    def handler():
        raw = request.GET.get("date") or ""
        try:
            if not DATE_RE.match(raw):
                raise ValueError(raw)
            on = date.fromisoformat(raw)
        except ValueError as exc:
            raise SandboxError(400, "invalid_date", "date: YYYY-MM-DD.") from exc
        rows = install_rows(on, seed=current_seed())
        if rows is None or on > timezone.now().astimezone(ICT).date():
            raise SandboxError(404, "no_data", "There are no install figures for this date.")
        return 200, {
            "date": on.isoformat(),
            "provinces": [
                {
                    "province_code": r.province_code,
                    "installs": r.installs,
                    "installs_with_phone": r.installs_with_phone,
                    "smartphone_users": r.smartphone_users,
                }
                for r in rows
            ],
        }

    return _run(handler)
