"""Bluezone in the demo: the first F0's history was uploaded and matched, and CDC accepted
the nearest contacts; the second F0 waits for its code; the third has no Bluezone.

DIC opened each trace hours after CDC verified the F0 (OPEN_AFTER). The services stamp
"now"; each step is then dated when it happened in the August 2020 story, as the cases
demo does for the people."""

import datetime
from datetime import timedelta

from django.db.models import F
from django.utils import timezone

from tracing_portal.accounts.models import User
from tracing_portal.cases.demo import restamp_people
from tracing_portal.cases.models import Case, CaseHistory, HistoryKind
from tracing_portal.notifications.models import SmsMessage

from . import services
from .models import (
    Lookup,
    LookupStatus,
    Sighting,
    TracedContact,
    TraceEvent,
    TraceRequest,
    TraceState,
)
from .sandbox import scenario

PROVINCE = "30"
# From CDC's verification of each of the first three F0s to DIC opening its trace: the
# first took a day, the cell then settled into hours.
OPEN_AFTER = [
    timedelta(hours=26),
    timedelta(hours=6, minutes=40),
    timedelta(hours=3, minutes=10),
]
# The first F0 typed in the code this long after the trace was opened.
UPLOADED_AFTER = timedelta(minutes=40)
# The portal fetched the matched contacts a minute after Bluezone finished.
INGESTED_AFTER = timedelta(minutes=1)
# CDC went through the candidates this long after the contacts came in, a few minutes each.
REVIEWED_AFTER = timedelta(hours=1, minutes=30)
# A new phone is checked against Bluezone as the person is entered.
ENTRY_CHECK_AFTER = timedelta(minutes=12)
# DIC texted the F0 its code a few minutes after opening the trace, and the accepted
# contacts their notice once CDC had accepted them.
CODE_SMS_AFTER = timedelta(minutes=4)
NOTICE_AFTER = timedelta(minutes=30)

_OPENING_EVENTS = [TraceState.OPENING, TraceState.CODE_ISSUED, TraceState.FAILED]


def backdate_entry_checks(*, province: str = PROVINCE, reasons=("phone_changed",)) -> int:
    """Date each person's first Bluezone check (run after commit when a phone is entered or
    imported, so at load time) minutes after the person's entry in the story. Returns how
    many moved; a second call moves nothing."""
    moved = 0
    lookups = Lookup.objects.filter(
        province_id=province, reason__in=reasons, status=LookupStatus.DONE
    ).select_related("case")
    for lookup in lookups:
        at = lookup.case.created_at + ENTRY_CHECK_AFTER
        if lookup.checked_at - lookup.case.created_at < timedelta(days=1):
            continue
        checked = lookup.checked_at
        Lookup.objects.filter(pk=lookup.pk).update(created_at=at, updated_at=at, checked_at=at)
        Case.objects.filter(pk=lookup.case_id, bluezone_checked_at=checked).update(
            bluezone_checked_at=at
        )
        CaseHistory.objects.filter(
            case_id=lookup.case_id,
            kind=HistoryKind.BLUEZONE_CHECKED,
            at__gte=checked,
            at__lt=checked + timedelta(minutes=1),
        ).update(at=at)
        moved += 1
    return moved


def _shift_windows(windows: list[dict], delta: timedelta) -> list[dict]:
    return [
        {
            **window,
            "start": (datetime.datetime.fromisoformat(window["start"]) + delta).isoformat(),
            "end": (datetime.datetime.fromisoformat(window["end"]) + delta).isoformat(),
        }
        for window in windows
    ]


def _date_trace(trace: TraceRequest, *, opened_at: datetime.datetime) -> TraceRequest:
    """Move the trace to `opened_at`; what came with the upload (Bluezone's times, the
    contacts and their sightings) to UPLOADED_AFTER later, the intervals between kept."""
    trace.refresh_from_db()
    opening = opened_at - trace.created_at
    TraceRequest.objects.filter(pk=trace.pk).update(
        created_at=F("created_at") + opening,
        updated_at=F("updated_at") + opening,
        code_expires_at=F("code_expires_at") + opening,
        last_polled_at=F("last_polled_at") + opening,
    )
    TraceEvent.objects.filter(trace=trace, status__in=_OPENING_EVENTS).update(
        occurred_at=F("occurred_at") + opening
    )
    if trace.uploaded_at is not None:
        upload = opened_at + UPLOADED_AFTER - trace.uploaded_at
        # Already moved by `opening` above.
        touched_later = upload - opening
        TraceRequest.objects.filter(pk=trace.pk).update(
            updated_at=F("updated_at") + touched_later,
            uploaded_at=F("uploaded_at") + upload,
            completed_at=F("completed_at") + upload,
            ingested_at=F("completed_at") + upload + INGESTED_AFTER,
            last_polled_at=F("last_polled_at") + touched_later,
        )
        TraceEvent.objects.filter(trace=trace).exclude(status__in=_OPENING_EVENTS).update(
            occurred_at=F("occurred_at") + upload
        )
        Sighting.objects.filter(contact__trace=trace).update(seen_at=F("seen_at") + upload)
        for contact in TracedContact.objects.filter(trace=trace).only("pk", "windows"):
            TracedContact.objects.filter(pk=contact.pk).update(
                first_seen=F("first_seen") + upload,
                last_seen=F("last_seen") + upload,
                windows=_shift_windows(contact.windows, upload),
            )
    trace.refresh_from_db()
    return trace


def seed(*, stdout) -> None:
    if TraceRequest.objects.filter(province_id=PROVINCE).exists():
        stdout.write("Bluezone: the demo traces are already there.")
        return
    from tracing_portal.cases.demo import F0S
    from tracing_portal.notifications.demo import deliver_at

    backdate_entry_checks()
    dic = User.objects.get(username="hd.dic")
    cdc = User.objects.get(username="hd.cdc")
    names = [row[0] for row in F0S[:3]]
    f0s = {c.full_name: c for c in Case.objects.filter(province_id=PROVINCE, full_name__in=names)}
    if len(f0s) < 3:
        stdout.write("Bluezone: the cases demo is missing; nothing to trace.")
        return
    first, second, third = (f0s[name] for name in names)
    for person in (first, second):
        scenario.register(person.phone.lstrip("+"), province_code=PROVINCE)
    scenario.unregister(third.phone.lstrip("+"))
    # People already on file when the first F0 was traced, whom the F0 met: a Bluezone
    # trace finds them again. (None with contacts of their own: those are entered later
    # in the story, so could not have moved up a level then.)
    met = list(
        Case.objects.filter(
            province_id=PROVINCE,
            level__gte=1,
            created_at__lt=first.verified_at + OPEN_AFTER[0],
            contacts__isnull=True,
        )
        .exclude(phone="")
        .exclude(source=first)
        .order_by("code")[:3]
    )
    for minutes, person in zip((55, 35, 20), met, strict=False):
        scenario.meet(first.phone.lstrip("+"), person.phone.lstrip("+"), minutes=minutes, rssi=-58)

    def open_trace(person: Case, after: timedelta) -> TraceRequest:
        trace = services.trace_request_open(actor=dic, case=person)
        trace = services.trace_submit(trace_id=trace.pk)
        if trace.status == TraceState.CODE_ISSUED and person is first:
            scenario.enter_code(trace.msisdn, trace.verification_code)
            services.trace_refresh(trace_id=trace.pk, source="poll")
            services.trace_ingest(trace_id=trace.pk)
        return _date_trace(trace, opened_at=person.verified_at + after)

    # The first F0 typed in the code; the history was matched and CDC reviewed it.
    done = open_trace(first, OPEN_AFTER[0])
    people = Case.objects.filter(province_id=PROVINCE)
    reviewed_at = done.ingested_at + REVIEWED_AFTER
    accepted = 0
    for contact in (
        done.contacts.filter(is_candidate=True).exclude(phone="").order_by("-weighted_minutes")[:6]
    ):
        at = reviewed_at + timedelta(minutes=4 * accepted)
        since = timezone.now()
        services.candidate_accept(actor=cdc, contact=contact)
        TracedContact.objects.filter(pk=contact.pk).update(reviewed_at=at)
        # The F1 it made, or the person on file it linked (and anyone that moved below).
        restamp_people(people, since=since, at=at)
        accepted += 1
    # DIC texted the accepted contacts their notice.
    services.trace_notify_accepted(actor=dic, trace=done)
    notified_at = reviewed_at + timedelta(minutes=4 * accepted) + NOTICE_AFTER
    notices = SmsMessage.objects.filter(purpose=f"trace:{done.pk}").order_by("pk")
    for n, message in enumerate(notices):
        deliver_at(message, queued_at=notified_at + timedelta(seconds=20 * n))

    # The second F0 has the code, texted by DIC, and has not typed it in yet.
    waiting = open_trace(second, OPEN_AFTER[1])
    message = services.trace_send_code_sms(actor=dic, trace=waiting)
    deliver_at(message, queued_at=waiting.created_at + CODE_SMS_AFTER)

    # The third F0 has no Bluezone: the trace could not be opened.
    failed = open_trace(third, OPEN_AFTER[2])
    stdout.write(
        f"Bluezone: 3 trace requests; {first.code} matched "
        f"{done.contacts.count()} contacts, {accepted} accepted as F1; "
        f"{second.code} waits for its code; {third.code}: {failed.get_status_display()}."
    )
    assert TraceRequest.objects.get(pk=done.pk).status == TraceState.COMPLETED
