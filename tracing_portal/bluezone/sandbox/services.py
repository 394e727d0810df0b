"""The life of a trace request in the sandbox.

code_issued → (the phone enters the code) uploaded → matching → completed;
code_issued → expired once the code's 24 hours pass; any open state → cancelled.

Later transitions are computed when a request is read, and persisted then, with a
conditional UPDATE so that only one reader (or the dev timer) moves it and sends the
webhook. Webhooks go out after commit, never while a write transaction is open.
"""

import hmac
import logging
import secrets
import threading
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, connections, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import webhooks
from .contacts import GeneratedContact, MeetingSpec, generate
from .models import (
    MAX_CODE_ATTEMPTS,
    OPEN_STATUSES,
    SandboxMeeting,
    SandboxTraceRequest,
    SandboxTraceStatus,
)
from .population import current_seed, find_subscriber, synthetic_traits
from .timefmt import now

logger = logging.getLogger(__name__)

Status = SandboxTraceStatus
CODE_VALID_FOR = timedelta(hours=24)


class SandboxError(Exception):
    """An API error: HTTP status, machine code, message for developers."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


class PhoneError(Exception):
    """The phone refused the code; the message is shown to the F0."""

    def __init__(self, code: str, message, *, status: int = 400, attempts_left: int | None = None):
        super().__init__(str(message))
        self.code = code
        self.message = message
        self.status = status
        self.attempts_left = attempts_left


def matching_seconds() -> float:
    return max(0.0, float(getattr(settings, "BLUEZONE_SANDBOX_MATCHING_SECONDS", 3)))


def _new_id() -> str:
    return "tr_" + secrets.token_hex(12)


def trace_request_create(
    *, msisdn: str, case_ref: str, window_days: int, callback_url: str
) -> SandboxTraceRequest:
    if find_subscriber(msisdn) is None:
        raise SandboxError(404, "not_registered", "No Bluezone user has this number.")
    for open_request in SandboxTraceRequest.objects.filter(msisdn=msisdn, status__in=OPEN_STATUSES):
        trace_request_refresh(open_request)
    if SandboxTraceRequest.objects.filter(msisdn=msisdn, status__in=OPEN_STATUSES).exists():
        raise SandboxError(
            409, "open_request_exists", "This number already has an open trace request."
        )
    created = now()
    trace_request = SandboxTraceRequest(
        id=_new_id(),
        msisdn=msisdn,
        case_ref=case_ref,
        window_days=window_days,
        callback_url=callback_url,
        verification_code=f"{secrets.randbelow(10**6):06d}",
        code_expires_at=created + CODE_VALID_FOR,
        created_at=created,
    )
    try:
        with transaction.atomic():
            trace_request.save(force_insert=True)
    except IntegrityError as exc:
        raise SandboxError(
            409, "open_request_exists", "This number already has an open trace request."
        ) from exc
    return trace_request


def trace_request_get(request_id: str) -> SandboxTraceRequest:
    trace_request = SandboxTraceRequest.objects.filter(pk=request_id).first()
    if trace_request is None:
        raise SandboxError(404, "not_found", "There is no trace request with this id.")
    return trace_request_refresh(trace_request)


def trace_request_refresh(trace_request: SandboxTraceRequest) -> SandboxTraceRequest:
    """Apply the transitions that time has brought: expiry, and completion of matching."""
    current = timezone.now()
    rows = SandboxTraceRequest.objects.filter(pk=trace_request.pk)
    if trace_request.status == Status.CODE_ISSUED and current >= trace_request.code_expires_at:
        expired_at = trace_request.code_expires_at
        if rows.filter(status=Status.CODE_ISSUED).update(
            status=Status.EXPIRED, expired_at=expired_at
        ):
            webhooks.notify(trace_request, Status.EXPIRED, expired_at)
        trace_request.refresh_from_db()
    elif trace_request.status in (Status.UPLOADED, Status.MATCHING):
        completed_at = trace_request.uploaded_at + timedelta(seconds=matching_seconds())
        if current >= completed_at:
            contacts = contacts_for(trace_request)
            if rows.filter(status__in=(Status.UPLOADED, Status.MATCHING)).update(
                status=Status.COMPLETED,
                completed_at=completed_at,
                contacts_count=len(contacts),
                sightings_count=sum(len(c.sightings) for c in contacts),
            ):
                webhooks.notify(trace_request, Status.COMPLETED, completed_at)
            trace_request.refresh_from_db()
    return trace_request


def trace_request_cancel(request_id: str) -> SandboxTraceRequest:
    trace_request = trace_request_get(request_id)
    if trace_request.status == Status.CANCELLED:
        return trace_request
    if trace_request.status not in OPEN_STATUSES:
        raise SandboxError(
            409, "not_cancellable", f"A {trace_request.status} trace request cannot be cancelled."
        )
    cancelled_at = now()
    if (
        SandboxTraceRequest.objects.filter(pk=trace_request.pk, status__in=OPEN_STATUSES).update(
            status=Status.CANCELLED, cancelled_at=cancelled_at
        )
        == 0
    ):
        return trace_request_cancel(request_id)  # it moved on meanwhile: answer from there
    webhooks.notify(trace_request, Status.CANCELLED, cancelled_at)
    trace_request.refresh_from_db()
    return trace_request


def contacts_for(trace_request: SandboxTraceRequest) -> tuple[GeneratedContact, ...]:
    """The request's contacts, generated; meetings count if recorded before the upload."""
    seed = current_seed()
    f0 = trace_request.msisdn
    subscriber = find_subscriber(f0, seed=seed)
    province = subscriber.province_code if subscriber else synthetic_traits(seed, f0)[2]
    meetings = []
    rows = SandboxMeeting.objects.filter(
        Q(msisdn_a=f0) | Q(msisdn_b=f0), created_at__lte=trace_request.uploaded_at
    ).order_by("pk")
    for meeting in rows:
        other = meeting.msisdn_b if meeting.msisdn_a == f0 else meeting.msisdn_a
        other_subscriber = find_subscriber(other, seed=seed)
        if other_subscriber is None:
            continue
        meetings.append(
            MeetingSpec(
                key=str(meeting.pk),
                other_msisdn=other,
                other_verified=other_subscriber.phone_verified,
                other_province=other_subscriber.province_code,
                minutes=meeting.minutes,
                rssi=meeting.rssi,
                days_ago=meeting.days_ago,
            )
        )
    return generate(seed, f0, province, trace_request.window_days, tuple(meetings))


# The phone: the F0 enters the code and the history uploads.

CODE_EXPIRED = _("This code has expired. Ask the tracing team for a new code.")


def phone_upload(*, msisdn: str, code: str) -> SandboxTraceRequest:
    """Check the code the F0 typed; on success the history uploads and matching starts."""
    error = None
    with transaction.atomic():
        trace_request = (
            SandboxTraceRequest.objects.select_for_update()
            .filter(msisdn=msisdn, status__in=OPEN_STATUSES)
            .first()
        )
        if trace_request is not None:
            trace_request_refresh(trace_request)
        else:
            trace_request = SandboxTraceRequest.objects.filter(msisdn=msisdn).first()
        if trace_request is None or trace_request.status == Status.CANCELLED:
            error = PhoneError(
                "no_request",
                _("No tracing request is waiting for a code on this phone."),
                status=404,
            )
        elif trace_request.status == Status.EXPIRED:
            error = PhoneError("code_expired", CODE_EXPIRED, status=409)
        elif trace_request.status != Status.CODE_ISSUED:
            error = PhoneError(
                "already_uploaded",
                _("This phone's contact history has already been uploaded."),
                status=409,
            )
        elif trace_request.is_locked:
            error = _locked_error()
        elif not hmac.compare_digest(code.encode(), trace_request.verification_code.encode()):
            SandboxTraceRequest.objects.filter(pk=trace_request.pk).update(
                failed_attempts=F("failed_attempts") + 1
            )
            trace_request.refresh_from_db()
            left = MAX_CODE_ATTEMPTS - trace_request.failed_attempts
            if left <= 0:
                error = _locked_error()
            else:
                error = PhoneError(
                    "wrong_code",
                    _("Wrong code. Tries left: %(left)s.") % {"left": left},
                    attempts_left=left,
                )
        else:
            _upload(trace_request)
    if error is not None:
        raise error
    if matching_seconds() > 0:
        transaction.on_commit(lambda: schedule_completion(trace_request.pk, matching_seconds()))
    return trace_request_refresh(trace_request)


def _locked_error() -> PhoneError:
    return PhoneError(
        "locked",
        _(
            "Too many wrong codes: this request is locked. "
            "Ask the tracing team to cancel it and issue a new code."
        ),
        status=423,
        attempts_left=0,
    )


def _upload(trace_request: SandboxTraceRequest) -> None:
    # Kept to the microsecond: meetings recorded before this moment are in the history.
    uploaded_at = timezone.now()
    SandboxTraceRequest.objects.filter(pk=trace_request.pk, status=Status.CODE_ISSUED).update(
        status=Status.MATCHING, uploaded_at=uploaded_at
    )
    webhooks.notify(trace_request, Status.UPLOADED, uploaded_at)
    webhooks.notify(trace_request, Status.MATCHING, uploaded_at)
    trace_request.refresh_from_db()


# In a running site a timer completes the matching on time, so the webhook comes unasked.

_timers: set[threading.Timer] = set()
_timers_lock = threading.Lock()


def schedule_completion(request_id: str, delay: float) -> None:
    timer = threading.Timer(delay + 0.05, _complete_later, args=(request_id,))
    timer.daemon = True
    with _timers_lock:
        _timers.add(timer)
    timer.start()


def _complete_later(request_id: str) -> None:
    try:
        trace_request = SandboxTraceRequest.objects.filter(pk=request_id).first()
        if trace_request is not None:
            trace_request_refresh(trace_request)
    except Exception:
        logger.warning("Sandbox timer could not complete %s", request_id, exc_info=True)
    finally:
        connections.close_all()
        with _timers_lock:
            _timers.discard(threading.current_thread())


def cancel_timers() -> None:
    """Stop pending completion timers (tests call this before their database goes away)."""
    with _timers_lock:
        for timer in _timers:
            timer.cancel()
        _timers.clear()
