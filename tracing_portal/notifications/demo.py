"""Demo SMS for the Hải Dương people loaded by the cases demo: install requests (each also
an ask to install on the person's record), exposure notices, verification codes and
reminders, delivered, failed or awaiting their receipt. Sent through the console
gateway whatever SMS_BACKEND says; running it twice changes nothing.

Each message is dated hours after the person was entered (in August 2020 for the cases
demo's people; never later than now). Days after the install requests, a Bluezone check
of some of the people asked finds the app installed: the dashboard's "asked to install →
installed" figure."""

import datetime

from django.utils import timezone

from tracing_portal.accounts.models import User
from tracing_portal.cases.demo import restamp_people
from tracing_portal.cases.models import BluezoneStatus, Case, InstallAsk
from tracing_portal.core.exceptions import ApplicationError

from .gateways import ConsoleGateway
from .models import SmsDeliveryReceipt, SmsMessage, SmsStatus, TemplateKind
from .services import default_purpose, sms_message_deliver, sms_receipt_ingest, sms_send

PROVINCE = "30"
# What the operator reports for the n-th demo message: most delivered, some failed, some
# still waiting for their receipt.
OUTCOMES = ["delivered", "delivered", "delivered", "failed", "delivered", None, "delivered"]
# When each kind of message went out, after the person was entered (verified, for a code).
SENT_AFTER = {
    TemplateKind.VERIFICATION_CODE: datetime.timedelta(hours=3),
    TemplateKind.EXPOSURE_NOTICE: datetime.timedelta(hours=1, minutes=30),
    TemplateKind.INSTALL_REQUEST: datetime.timedelta(hours=2, minutes=15),
    TemplateKind.REMINDER: datetime.timedelta(days=2, hours=1),
}
# One in RECHECK_EVERY of the people asked to install did; Bluezone found it this long
# after the request.
RECHECK_EVERY = 3
RECHECK_AFTER = datetime.timedelta(days=3, hours=2)


def _not_after_now(at: datetime.datetime) -> datetime.datetime:
    return min(at, timezone.now())


def deliver_at(
    message: SmsMessage, *, queued_at: datetime.datetime, outcome: str | None = "delivered"
) -> SmsMessage:
    """Hand a demo message to the console gateway, date it `queued_at` (sent two seconds
    later) and record the operator's report (`outcome`: delivered, failed or None for no
    report yet) nine seconds after."""
    queued_at = _not_after_now(queued_at)
    sms_message_deliver(message_id=message.pk, gateway=ConsoleGateway())
    SmsMessage.objects.filter(pk=message.pk).update(
        queued_at=queued_at,
        last_attempt_at=queued_at,
        sent_at=queued_at + datetime.timedelta(seconds=2),
    )
    message.refresh_from_db()
    if outcome is not None:
        receipt = sms_receipt_ingest(
            provider_id=message.provider_id,
            client_ref=message.idempotency_key,
            status=outcome,
            occurred_at=queued_at + datetime.timedelta(seconds=9),
            error_code="absent_subscriber" if outcome == SmsStatus.FAILED else "",
        )
        SmsDeliveryReceipt.objects.filter(pk=receipt.pk).update(
            received_at=queued_at + datetime.timedelta(seconds=10)
        )
        message.refresh_from_db()
    return message


def _plan(people: list[Case]) -> list[tuple[Case, str, str, dict, datetime.datetime]]:
    plan = []
    # Someone texted an install request is planned as not installed, as they were then:
    # the demo loaded again plans the same messages after some of them installed it.
    asked = set(
        InstallAsk.objects.filter(case__in=people, channel="sms").values_list("case", flat=True)
    )

    def add(person, kind, purpose, extra, since):
        at = since + SENT_AFTER[kind] + datetime.timedelta(minutes=3 * len(plan))
        if kind == TemplateKind.VERIFICATION_CODE:
            extra = {**extra, "het_han": at + datetime.timedelta(hours=24)}
        plan.append((person, kind, purpose, extra, at))

    for person in people:
        installed = person.bluezone_status == BluezoneStatus.INSTALLED and person.pk not in asked
        if person.level == 0 and installed:
            code = f"{(person.pk * 7919) % 1_000_000:06d}"
            since = person.verified_at or person.created_at
            add(person, TemplateKind.VERIFICATION_CODE, "demo-trace", {"ma_xac_thuc": code}, since)
        elif person.level >= 1:
            extra = {"ngay_tiep_xuc": person.exposure_date or timezone.localdate()}
            add(person, TemplateKind.EXPOSURE_NOTICE, "exposure", extra, person.created_at)
            if installed:
                # A fixed purpose, not the day's: the demo loaded again sends nothing more.
                add(person, TemplateKind.REMINDER, "reminder:demo", {}, person.created_at)
        if person.bluezone_status == BluezoneStatus.NOT_INSTALLED or person.pk in asked:
            purpose = default_purpose(TemplateKind.INSTALL_REQUEST)
            add(person, TemplateKind.INSTALL_REQUEST, purpose, {}, person.created_at)
    return plan


def _send(operator, plan) -> int:
    created = 0
    for index, (person, kind, purpose, extra, at) in enumerate(plan):
        since = timezone.now()
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
        # The ask to install that came with an install request, at the same time.
        restamp_people(Case.objects.filter(pk=person.pk), since=since, at=_not_after_now(at))
        deliver_at(message, queued_at=at, outcome=OUTCOMES[index % len(OUTCOMES)])
        created += 1
    return created


def _recheck_asked(operator) -> int:
    """Check again, through Bluezone, one in RECHECK_EVERY of the people texted an install
    request: they installed the app since. Returns how many of the people asked have it."""
    from tracing_portal.bluezone.models import Lookup
    from tracing_portal.bluezone.sandbox import scenario
    from tracing_portal.bluezone.services import lookup_request, lookup_run

    asked = (
        Case.objects.filter(
            province_id=PROVINCE, merged_into__isnull=True, install_asks__channel="sms"
        )
        .distinct()
        .order_by("code")
    )
    for person in list(asked)[::RECHECK_EVERY]:
        if person.bluezone_status == BluezoneStatus.INSTALLED:
            continue  # found at an earlier run
        scenario.register(person.phone.lstrip("+"), province_code=PROVINCE)
        since = timezone.now()
        lookup = lookup_run(lookup_id=lookup_request(actor=operator, case=person).pk)
        last_ask = person.install_asks.order_by("-asked_at").values_list("asked_at", flat=True)[0]
        at = _not_after_now(last_ask + RECHECK_AFTER)
        Lookup.objects.filter(pk=lookup.pk).update(created_at=at, updated_at=at, checked_at=at)
        restamp_people(Case.objects.filter(pk=person.pk), since=since, at=at)
    return asked.filter(bluezone_status=BluezoneStatus.INSTALLED).count()


def seed(*, stdout) -> None:
    from tracing_portal.bluezone.demo import backdate_entry_checks

    operator = User.objects.filter(username="hd.dic").first()
    # The F1s accepted from the Bluezone demo's trace had their phones checked at load time.
    backdate_entry_checks(province=PROVINCE)
    people = list(
        Case.objects.filter(province_id=PROVINCE, merged_into__isnull=True)
        .exclude(phone="")
        .select_related("province")
        .order_by("level", "code")[:16]
    )
    if operator is None or not people:
        stdout.write("SMS: no Hải Dương people or DIC operator yet; no demo messages.")
        return
    created = _send(operator, _plan(people))
    installed = _recheck_asked(operator)
    stdout.write(
        f"SMS: {created} demo messages from the short code (console gateway); "
        f"{installed} of the people asked to install Bluezone have it now."
    )
