"""Writes for SMS: render, queue, deliver through the gateway, ingest delivery receipts.

Other apps call `sms_send` and `sms_send_bulk`; the trace requests send the verification
code with `template_kind="verification_code"` and the exposure notice to accepted contacts
with `template_kind="exposure_notice"`, both with `purpose=f"trace:{trace_id}"`.
"""

import datetime
import logging
import random
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from tracing_portal.accounts.scoping import actor_can_see_province
from tracing_portal.audit.models import AuditAction
from tracing_portal.audit.services import audit_record
from tracing_portal.cases.models import BluezoneStatus, Case, CaseStatus
from tracing_portal.core.exceptions import ApplicationError

from .gateways import GatewayError, OutgoingSms, SmsGateway, get_gateway
from .models import (
    SmsDeliveryReceipt,
    SmsMessage,
    SmsStatus,
    SmsTemplate,
    TemplateKind,
    idempotency_key,
)
from .selectors import sms_sent_today, sms_template_get
from .text import MissingValuesError, SmsCount, fill_template, sms_count, strip_diacritics
from .variables import VARIABLES, case_values

logger = logging.getLogger(__name__)

# A deliberate resend within this time of the last one is taken for a double click.
RESEND_COOLDOWN = datetime.timedelta(minutes=2)
BACKOFF_MAX_SECONDS = 3600.0
# A queued message whose next try is this far overdue lost its worker.
STALE_AFTER = datetime.timedelta(minutes=10)


class AlreadySentError(ApplicationError):
    def __init__(self, message: SmsMessage):
        when = formats.date_format(timezone.localtime(message.queued_at), "d/m/Y H:i")
        super().__init__(
            _(
                "This message was already sent to this person (%(when)s). Nothing was sent "
                "again; use “Send again” if it must go once more."
            )
            % {"when": when},
            extra={"message_id": message.pk},
        )
        self.sms = message


class CapReachedError(ApplicationError):
    pass


class NoPhoneError(ApplicationError):
    pass


class UnknownMessageError(ApplicationError):
    pass


class ReceiptReplayedError(ApplicationError):
    pass


SEND_PERMISSION = "notifications.send_sms"


def _check_sender(actor) -> None:
    if not actor.has_perm(SEND_PERMISSION):
        raise ApplicationError(_("You may not send text messages."))


@dataclass(frozen=True)
class RenderedSms:
    text: str
    encoding: str
    length: int  # septets (GSM-7) or UTF-16 units (UCS-2)
    segments: int

    @property
    def limit(self) -> int:
        return SmsCount(self.encoding, self.length, self.segments, len(self.text)).limit


@dataclass(frozen=True)
class BulkResult:
    created: int = 0
    skipped_already_sent: int = 0
    skipped_no_phone: int = 0
    refused_cap: int = 0
    skipped_other: int = 0


def default_purpose(template_kind: str, *, on: datetime.date | None = None) -> str:
    """The purpose of a message sent from the portal's own pages: one install request and
    one exposure notice per person, one reminder per person a day."""
    if template_kind == TemplateKind.REMINDER:
        return f"reminder:{(on or timezone.localdate()).isoformat()}"
    return {
        TemplateKind.INSTALL_REQUEST: "install",
        TemplateKind.EXPOSURE_NOTICE: "exposure",
    }.get(template_kind, template_kind)


def sms_render(
    *,
    template: SmsTemplate,
    case: Case | None,
    extra_context: dict | None = None,
    with_diacritics: bool = False,
) -> RenderedSms:
    """The text a person would receive, and how the network counts it."""
    try:
        text = fill_template(template.body, case_values(case, extra_context), known=VARIABLES)
    except MissingValuesError as exc:
        raise ApplicationError(
            _("The message needs %(names)s, which is not known for this person.")
            % {"names": ", ".join(f"{{{n}}}" for n in exc.names)}
        ) from exc
    text = text.strip()
    if not with_diacritics:
        text = strip_diacritics(text)
    count = sms_count(text)
    return RenderedSms(
        text=text, encoding=count.encoding, length=count.length, segments=count.segments
    )


def _check_extra(extra_context: dict | None) -> None:
    unknown = set(extra_context or {}) - set(VARIABLES)
    if unknown:
        raise ValueError(f"Unknown SMS template variables: {sorted(unknown)}")


def _check_recipient(*, actor, case: Case) -> None:
    if not actor_can_see_province(actor, case.province_id):
        raise ApplicationError(_("This person is not in your province."))
    if not case.phone:
        raise NoPhoneError(_("%(code)s has no phone number.") % {"code": case.code})
    if case.merged_into_id or case.anonymised_at or case.status == CaseStatus.DECEASED:
        raise ApplicationError(
            _("%(code)s is closed or merged; no message is sent.") % {"code": case.code}
        )


def _check_caps(*, actor, recipient: str) -> None:
    if sms_sent_today(actor=actor) >= settings.SMS_DAILY_CAP_PER_OPERATOR:
        raise CapReachedError(
            _(
                "You have sent %(cap)s messages today, the most one operator may send in a "
                "day. Nothing was sent."
            )
            % {"cap": settings.SMS_DAILY_CAP_PER_OPERATOR}
        )
    if sms_sent_today(recipient=recipient) >= settings.SMS_DAILY_CAP_PER_NUMBER:
        raise CapReachedError(
            _(
                "This number has already had %(cap)s messages today, the most one number "
                "may get in a day. Nothing was sent."
            )
            % {"cap": settings.SMS_DAILY_CAP_PER_NUMBER}
        )


def _resend_slot(original: SmsMessage) -> tuple[str, int]:
    last = (
        SmsMessage.objects.filter(resend_of=original).order_by("-resend_number").first() or original
    )
    if timezone.now() - last.queued_at < RESEND_COOLDOWN:
        raise AlreadySentError(last)
    number = last.resend_number + 1
    return f"{original.idempotency_key}:r{number}", number


def sms_send(
    *,
    actor,
    case: Case,
    template_kind: str,
    purpose: str,
    extra_context: dict | None = None,
    with_diacritics: bool = False,
    resend: bool = False,
) -> SmsMessage:
    """Queue one SMS to the person and send it after commit.

    One message per (person, kind, purpose): a second call raises AlreadySentError and
    creates nothing, unless `resend` is set, which sends it again under the key
    "...:r1", "...:r2" with the actor recorded. Raises NoPhoneError, CapReachedError or
    ApplicationError with a message for the user. Only a user with the send permission
    (DIC) sends, and only to a person of their province.

    The "please install Bluezone" message, however it is sent (the person's page, a
    selection, the API), is also logged on the person's record as an ask to install
    (channel "sms"), in the same transaction.
    """
    _check_sender(actor)
    _check_extra(extra_context)
    if not purpose or len(purpose) > 64:
        raise ValueError("purpose must be 1 to 64 characters")
    with transaction.atomic():
        # The person's row lock makes a double click wait, then find the first message.
        current = (
            Case.objects.select_for_update(of=("self",)).select_related("province").get(pk=case.pk)
        )
        _check_recipient(actor=actor, case=current)
        if (
            template_kind == TemplateKind.INSTALL_REQUEST
            and current.bluezone_status == BluezoneStatus.INSTALLED
        ):
            raise ApplicationError(_("Bluezone is already installed for this person."))
        template = sms_template_get(kind=template_kind, province_id=current.province_id)
        rendered = sms_render(
            template=template,
            case=current,
            extra_context=extra_context,
            with_diacritics=with_diacritics,
        )
        key = idempotency_key(case_id=current.pk, template_kind=template_kind, purpose=purpose)
        original = SmsMessage.objects.filter(idempotency_key=key).first()
        resend_number = 0
        if original is not None:
            if not resend:
                raise AlreadySentError(original)
            key, resend_number = _resend_slot(original)
        _check_caps(actor=actor, recipient=current.phone)
        now = timezone.now()
        message = SmsMessage(
            recipient=current.phone,
            body=rendered.text,
            encoding=rendered.encoding,
            segments=rendered.segments,
            sender=settings.SMS_SHORT_CODE,
            case=current,
            template=template,
            template_kind=template_kind,
            purpose=purpose,
            idempotency_key=key,
            resend_of=original if resend_number else None,
            resend_number=resend_number,
            with_diacritics=with_diacritics,
            created_by=actor,
            province_id=current.province_id,
            queued_at=now,
            next_attempt_at=now,
        )
        # Foreign keys come from locked rows; the database enforces the unique key.
        message.full_clean(
            exclude=["case", "template", "created_by", "province", "resend_of"],
            validate_unique=False,
            validate_constraints=False,
        )
        try:
            with transaction.atomic():
                message.save()
        except IntegrityError as exc:
            existing = SmsMessage.objects.filter(idempotency_key=key).first()
            if existing is None:
                raise
            raise AlreadySentError(existing) from exc
        audit_record(
            actor=actor,
            action=AuditAction.SMS_SENT,
            obj=message,
            details={
                "recipient": message.recipient_masked,
                "case": current.code,
                "template": template_kind,
                "purpose": purpose,
                "segments": message.segments,
                "resend": resend_number,
            },
        )
        if template_kind == TemplateKind.INSTALL_REQUEST:
            from tracing_portal.cases.services import case_mark_asked_to_install

            case_mark_asked_to_install(actor=actor, case=current, channel="sms")
        transaction.on_commit(lambda: _enqueue(message.pk))
    return message


def _enqueue(message_id: int) -> None:
    from .tasks import sms_deliver

    sms_deliver.delay(message_id)


def sms_send_bulk(
    *,
    actor,
    cases: Iterable[Case],
    template_kind: str,
    purpose: str,
    extra_context: dict | None = None,
    with_diacritics: bool = False,
) -> BulkResult:
    """Send the same kind of message to many people, each in its own transaction: a second
    run after a crash sends only what is missing. At most SMS_BULK_MAX people a call."""
    _check_sender(actor)
    cases = list(cases)
    if len(cases) > settings.SMS_BULK_MAX:
        raise ApplicationError(
            _("At most %(max)s people at once; narrow the selection.")
            % {"max": settings.SMS_BULK_MAX}
        )
    sent_keys = set(
        SmsMessage.objects.filter(
            idempotency_key__in=[
                idempotency_key(case_id=c.pk, template_kind=template_kind, purpose=purpose)
                for c in cases
            ]
        ).values_list("idempotency_key", flat=True)
    )
    counts = dict.fromkeys(
        ["created", "skipped_already_sent", "skipped_no_phone", "refused_cap", "skipped_other"], 0
    )
    operator_full = False
    for case in cases:
        key = idempotency_key(case_id=case.pk, template_kind=template_kind, purpose=purpose)
        if key in sent_keys:
            counts["skipped_already_sent"] += 1
            continue
        if not case.phone:
            counts["skipped_no_phone"] += 1
            continue
        if operator_full:
            counts["refused_cap"] += 1
            continue
        try:
            sms_send(
                actor=actor,
                case=case,
                template_kind=template_kind,
                purpose=purpose,
                extra_context=extra_context,
                with_diacritics=with_diacritics,
            )
        except AlreadySentError:
            counts["skipped_already_sent"] += 1
        except NoPhoneError:
            counts["skipped_no_phone"] += 1
        except CapReachedError:
            counts["refused_cap"] += 1
            operator_full = sms_sent_today(actor=actor) >= settings.SMS_DAILY_CAP_PER_OPERATOR
        except ApplicationError as exc:
            logger.info("Bulk SMS skipped %s: %s", case.code, exc.message)
            counts["skipped_other"] += 1
        else:
            counts["created"] += 1
    return BulkResult(**counts)


def sms_ask_install(*, actor, case: Case, resend: bool = False) -> SmsMessage:
    """Text the person the "please install Bluezone" message; `sms_send` logs the ask on
    the person's record (channel "sms") with it, together or not at all."""
    return sms_send(
        actor=actor,
        case=case,
        template_kind=TemplateKind.INSTALL_REQUEST,
        purpose=default_purpose(TemplateKind.INSTALL_REQUEST),
        resend=resend,
    )


# --- delivery (the task's side) ---


@dataclass(frozen=True)
class DeliveryOutcome:
    status: str  # the message's status afterwards
    gateway_called: bool = False
    retry_in: float | None = None  # seconds, when a transient failure is worth another try


def _backoff(attempts: int, retry_after: float | None) -> float:
    delay = min(BACKOFF_MAX_SECONDS, settings.SMS_BACKOFF_SECONDS * 2 ** max(0, attempts - 1))
    delay *= random.uniform(0.8, 1.2)  # jitter: retries of a burst do not arrive together
    return max(delay, retry_after or 0.0)


def _callback_url() -> str:
    return settings.SITE_URL.rstrip("/") + reverse("notifications:receipt")


def sms_message_deliver(*, message_id: int, gateway: SmsGateway | None = None) -> DeliveryOutcome:
    """Hand one queued message to the gateway.

    No database transaction is held during the network call: the row is claimed (attempts
    counted) and released, the gateway is called with client_ref = the idempotency key,
    and the result is written in a second transaction. A worker that dies in between
    leaves the message queued; the next run sends the same client_ref, which the operator
    treats as the same message, so the person gets it once.
    """
    with transaction.atomic():
        message = SmsMessage.objects.select_for_update().filter(pk=message_id).first()
        if message is None or message.status != SmsStatus.QUEUED:
            return DeliveryOutcome(status=message.status if message else "missing")
        message.attempts += 1
        message.last_attempt_at = timezone.now()
        message.save(update_fields=["attempts", "last_attempt_at"])
    gateway = gateway or get_gateway()
    outgoing = OutgoingSms(
        to=message.recipient,
        sender=message.sender,
        text=message.body,
        encoding=message.encoding,
        client_ref=message.idempotency_key,
        callback_url=_callback_url(),
    )
    try:
        result = gateway.send(outgoing)
    except GatewayError as exc:
        return _record_failure(message_id, exc)
    with transaction.atomic():
        message = SmsMessage.objects.select_for_update().get(pk=message_id)
        message.provider_id = message.provider_id or result.provider_id
        message.sent_at = message.sent_at or timezone.now()
        message.next_attempt_at = None
        # A delivery receipt may have overtaken the operator's answer: never go back.
        if message.status == SmsStatus.QUEUED:
            message.status = SmsStatus.SENT
            message.error = ""
        message.save(update_fields=["provider_id", "sent_at", "error", "next_attempt_at", "status"])
    logger.info("SMS %s handed to %s as %s", message_id, gateway.name, result.provider_id)
    return DeliveryOutcome(status=message.status, gateway_called=True)


def _record_failure(message_id: int, exc: GatewayError) -> DeliveryOutcome:
    with transaction.atomic():
        message = SmsMessage.objects.select_for_update().get(pk=message_id)
        if message.status != SmsStatus.QUEUED:
            return DeliveryOutcome(status=message.status, gateway_called=True)
        message.error = str(exc)[:300]
        retry_in = None
        if exc.transient and message.attempts < settings.SMS_MAX_ATTEMPTS:
            retry_in = _backoff(message.attempts, exc.retry_after)
            message.next_attempt_at = timezone.now() + datetime.timedelta(seconds=retry_in)
        else:
            if exc.transient:
                message.error = f"gave up after {message.attempts} attempts: {exc}"[:300]
            message.status = SmsStatus.FAILED
            message.failed_at = timezone.now()
            message.next_attempt_at = None
        message.save(update_fields=["error", "next_attempt_at", "status", "failed_at"])
    logger.warning("SMS %s not sent (attempt %s): %s", message_id, message.attempts, exc)
    return DeliveryOutcome(status=message.status, gateway_called=True, retry_in=retry_in)


def sms_requeue_stale() -> int:
    """Queue again the messages whose worker died (acks_late covers most; this covers a
    lost broker message). Safe: the gateway call carries the same client_ref."""
    due = timezone.now() - STALE_AFTER
    ids = list(
        SmsMessage.objects.filter(status=SmsStatus.QUEUED, next_attempt_at__lt=due).values_list(
            "pk", flat=True
        )[:1000]
    )
    for message_id in ids:
        _enqueue(message_id)
    return len(ids)


def sms_receipt_ingest(
    *,
    provider_id: str,
    client_ref: str,
    status: str,
    occurred_at: datetime.datetime,
    error_code: str = "",
    payload: dict | None = None,
) -> SmsDeliveryReceipt:
    """Record one delivery receipt and move the message on. A replayed receipt (same
    provider id, status and time) raises ReceiptReplayedError and changes nothing; an
    unknown message raises UnknownMessageError."""
    with transaction.atomic():
        message = (
            SmsMessage.objects.select_for_update().filter(provider_id=provider_id).first()
            if provider_id
            else None
        )
        if message is None and client_ref:
            message = (
                SmsMessage.objects.select_for_update().filter(idempotency_key=client_ref).first()
            )
        if message is None:
            raise UnknownMessageError(_("No message has this id."))
        receipt = SmsDeliveryReceipt(
            message=message,
            provider_id=provider_id,
            status=status,
            occurred_at=occurred_at,
            error_code=(error_code or "")[:64],
            received_at=timezone.now(),
            payload=payload or {},
        )
        receipt.full_clean(exclude=["message"], validate_unique=False, validate_constraints=False)
        try:
            with transaction.atomic():
                receipt.save()
        except IntegrityError as exc:
            raise ReceiptReplayedError(_("This receipt was already received.")) from exc
        message.provider_id = message.provider_id or provider_id
        if status == SmsStatus.DELIVERED and message.status != SmsStatus.DELIVERED:
            message.status = SmsStatus.DELIVERED
            message.delivered_at = occurred_at
            message.error = ""
        elif status == SmsStatus.FAILED and message.status in (SmsStatus.QUEUED, SmsStatus.SENT):
            message.status = SmsStatus.FAILED
            message.failed_at = occurred_at
            message.error = error_code or "undelivered"
        message.next_attempt_at = None
        message.save(
            update_fields=[
                "provider_id",
                "status",
                "delivered_at",
                "failed_at",
                "error",
                "next_attempt_at",
            ]
        )
    return receipt
