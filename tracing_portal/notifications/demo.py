"""Demo SMS for the Hải Dương people loaded by the cases demo: install requests (each also
an ask to install on the person's record), exposure notices, verification codes and
reminders, delivered, failed or awaiting their receipt. Sent through the console
gateway whatever SMS_BACKEND says; running it twice changes nothing."""

import datetime

from django.utils import timezone

from tracing_portal.accounts.models import User
from tracing_portal.cases.models import BluezoneStatus, Case
from tracing_portal.core.exceptions import ApplicationError

from .gateways import ConsoleGateway
from .models import SmsMessage, SmsStatus, TemplateKind
from .services import default_purpose, sms_message_deliver, sms_receipt_ingest, sms_send

PROVINCE = "30"
# What the operator reports for the n-th demo message: most delivered, some failed, some
# still waiting for their receipt.
OUTCOMES = ["delivered", "delivered", "delivered", "failed", "delivered", None, "delivered"]


def _plan(people: list[Case]) -> list[tuple[Case, str, str, dict]]:
    plan = []
    for person in people:
        if person.level == 0 and person.bluezone_status == BluezoneStatus.INSTALLED:
            code = f"{(person.pk * 7919) % 1_000_000:06d}"
            expiry = timezone.now() + datetime.timedelta(hours=24)
            extra = {"ma_xac_thuc": code, "het_han": expiry}
            plan.append((person, TemplateKind.VERIFICATION_CODE, "demo-trace", extra))
        elif person.level >= 1:
            extra = {"ngay_tiep_xuc": person.exposure_date or timezone.localdate()}
            plan.append((person, TemplateKind.EXPOSURE_NOTICE, "exposure", extra))
            if person.bluezone_status == BluezoneStatus.INSTALLED:
                # A fixed purpose, not the day's: the demo loaded again sends nothing more.
                plan.append((person, TemplateKind.REMINDER, "reminder:demo", {}))
        if person.bluezone_status == BluezoneStatus.NOT_INSTALLED:
            purpose = default_purpose(TemplateKind.INSTALL_REQUEST)
            plan.append((person, TemplateKind.INSTALL_REQUEST, purpose, {}))
    return plan


def seed(*, stdout) -> None:
    operator = User.objects.filter(username="hd.dic").first()
    people = list(
        Case.objects.filter(province_id=PROVINCE, merged_into__isnull=True)
        .exclude(phone="")
        .select_related("province")
        .order_by("level", "code")[:16]
    )
    if operator is None or not people:
        stdout.write("SMS: no Hải Dương people or DIC operator yet; no demo messages.")
        return
    created = 0
    gateway = ConsoleGateway()
    for index, (person, kind, purpose, extra) in enumerate(_plan(people)):
        try:
            message = sms_send(
                actor=operator,
                case=person,
                template_kind=kind,
                purpose=purpose,
                extra_context=extra,
            )
        except ApplicationError:
            continue  # already there from an earlier run, or over a cap
        sms_message_deliver(message_id=message.pk, gateway=gateway)
        # Spread over the last week, so the figures show days.
        queued_at = timezone.now() - datetime.timedelta(days=index % 7, minutes=7 * index)
        SmsMessage.objects.filter(pk=message.pk).update(
            queued_at=queued_at,
            last_attempt_at=queued_at,
            sent_at=queued_at + datetime.timedelta(seconds=2),
        )
        outcome = OUTCOMES[index % len(OUTCOMES)]
        if outcome is not None:
            message.refresh_from_db()
            sms_receipt_ingest(
                provider_id=message.provider_id,
                client_ref=message.idempotency_key,
                status=outcome,
                occurred_at=queued_at + datetime.timedelta(seconds=9),
                error_code="absent_subscriber" if outcome == SmsStatus.FAILED else "",
            )
        created += 1
    stdout.write(f"SMS: {created} demo messages from the short code (console gateway).")
