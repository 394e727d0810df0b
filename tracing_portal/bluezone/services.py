"""Bluezone tracing: install lookups, trace requests and their review.

Calls to Bluezone happen outside database transactions (in tasks); the writes that follow
lock the row and check its status first, so a task that runs twice changes nothing twice.
"""

import logging
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tracing_portal.audit.models import AuditAction
from tracing_portal.audit.services import audit_record
from tracing_portal.cases.models import Case, Relation, Verification
from tracing_portal.cases.phones import mask
from tracing_portal.cases.services import (
    case_add_contact,
    case_link_source,
    case_set_bluezone_status,
    case_update,
)
from tracing_portal.core.exceptions import ApplicationError

from . import exposure
from .client import (
    BluezoneConflict,
    BluezoneError,
    BluezoneNotRegistered,
    BluezoneUnavailable,
    ContactsPage,
    get_client,
)
from .client import (
    TraceRequest as RemoteTrace,
)
from .models import (
    OPEN_STATES,
    STATE_ORDER,
    IngestState,
    Lookup,
    LookupStatus,
    Review,
    Sighting,
    TracedContact,
    TraceEvent,
    TraceRequest,
    TraceState,
    WebhookReceipt,
)

logger = logging.getLogger(__name__)


def _enqueue(task, *args):
    transaction.on_commit(lambda: task.delay(*args))


# Lookups


@transaction.atomic
def lookup_request(*, actor, case: Case, reason: str = "on_demand") -> Lookup:
    """Ask Bluezone whether the person's phone has the app; the answer arrives by task."""
    if actor is not None and not actor.has_perm("bluezone.request_lookup"):
        raise ApplicationError(_("You may not check numbers against Bluezone."))
    if not case.phone:
        raise ApplicationError(_("This person has no phone number to check."))
    lookup = Lookup.objects.create(
        case=case, province_id=case.province_id, phone=case.phone, requested_by=actor, reason=reason
    )
    from .tasks import run_lookup

    _enqueue(run_lookup, lookup.pk)
    return lookup


LOOKUP_BATCH = 200


def lookups_request_many(*, case_ids, actor=None, reason: str = "import") -> int:
    """Queue a Bluezone check for each of these people who has a phone, in batches of
    LOOKUP_BATCH per task (an import of 100,000 people must not start 100,000 tasks)."""
    from .tasks import run_lookups

    people = Case.objects.filter(pk__in=list(case_ids)).exclude(phone="")
    created = Lookup.objects.bulk_create(
        [
            Lookup(
                case_id=case_id,
                province_id=province_id,
                phone=phone,
                requested_by=actor,
                reason=reason,
            )
            for case_id, province_id, phone in people.values_list("pk", "province_id", "phone")
        ],
        batch_size=1000,
    )
    ids = [lookup.pk for lookup in created]
    for start in range(0, len(ids), LOOKUP_BATCH):
        batch = ids[start : start + LOOKUP_BATCH]
        transaction.on_commit(lambda batch=batch: run_lookups.delay(batch))
    return len(ids)


def lookup_run(*, lookup_id: int) -> Lookup | None:
    lookup = Lookup.objects.select_related("case").get(pk=lookup_id)
    if lookup.status != LookupStatus.PENDING:
        return lookup
    Lookup.objects.filter(pk=lookup.pk).update(attempts=lookup.attempts + 1)
    try:
        with get_client() as bluezone:
            subscriber = bluezone.get_subscriber(lookup.phone.lstrip("+"))
    except BluezoneUnavailable:
        raise  # transient: the task (or the poll) tries again
    except BluezoneError as exc:
        # Final (a refused key, a wrong address): trying again would not help.
        logger.error("Bluezone lookup %s refused: HTTP %s %s", lookup_id, exc.status, exc.code)
        lookup_fail(lookup_id=lookup_id, error=_refused(exc))
        return Lookup.objects.get(pk=lookup_id)
    with transaction.atomic():
        lookup = Lookup.objects.select_for_update().select_related("case").get(pk=lookup_id)
        if lookup.status != LookupStatus.PENDING:
            return lookup
        lookup.status = LookupStatus.DONE
        lookup.installed = bool(subscriber and subscriber.installed)
        lookup.phone_verified = subscriber.phone_verified if subscriber else None
        lookup.checked_at = timezone.now()
        lookup.error = ""
        lookup.save()
        if lookup.case.phone == lookup.phone:
            case_set_bluezone_status(
                case=lookup.case, installed=lookup.installed, checked_at=lookup.checked_at
            )
        audit_record(
            actor=lookup.requested_by,
            action=AuditAction.LOOKUP,
            obj=lookup.case,
            details={"phone": mask(lookup.phone), "installed": lookup.installed},
        )
    return lookup


def _refused(exc) -> str:
    """What a user reads when Bluezone refused a call for good."""
    return _(
        "Bluezone refused the request (HTTP %(status)s). Tell the administrator if it "
        "happens again."
    ) % {"status": exc.status or "?"}


def lookup_fail(*, lookup_id: int, error: str) -> None:
    Lookup.objects.filter(pk=lookup_id, status=LookupStatus.PENDING).update(
        status=LookupStatus.FAILED, error=error[:300]
    )


# Trace requests


def _event(trace: TraceRequest, status: str, at: datetime | None, source: str) -> None:
    TraceEvent.objects.get_or_create(
        trace=trace, status=status, defaults={"occurred_at": at or timezone.now(), "source": source}
    )


@transaction.atomic
def trace_request_open(*, actor, case: Case) -> TraceRequest:
    """DIC opens a trace for a verified F0 (or an F1 that CDC flagged). Bluezone issues the
    6-digit code in a task that follows."""
    if not actor.has_perm("bluezone.open_trace"):
        raise ApplicationError(_("Only DIC operators open trace requests."))
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.verification != Verification.VERIFIED:
        raise ApplicationError(_("Only verified people can be traced."))
    if case.level != 0 and not case.flagged_for_tracing:
        raise ApplicationError(_("Only an F0, or a contact CDC flagged for tracing, is traced."))
    if not case.phone:
        raise ApplicationError(_("This person has no phone number."))
    if TraceRequest.objects.filter(case=case, status__in=OPEN_STATES).exists():
        raise ApplicationError(_("A trace request for this person is already open."))
    try:
        with transaction.atomic():
            trace = TraceRequest.objects.create(
                case=case,
                province_id=case.province_id,
                opened_by=actor,
                msisdn=case.phone.lstrip("+"),
            )
    except IntegrityError as exc:
        raise ApplicationError(_("A trace request for this person is already open.")) from exc
    _event(trace, TraceState.OPENING, trace.created_at, "portal")
    audit_record(
        actor=actor, action=AuditAction.TRACE_OPENED, obj=case, details={"trace": trace.pk}
    )
    from .tasks import submit_trace

    _enqueue(submit_trace, trace.pk)
    return trace


def _fail(trace_id: int, message: str) -> None:
    with transaction.atomic():
        trace = TraceRequest.objects.select_for_update().get(pk=trace_id)
        if trace.status != TraceState.OPENING:
            return
        trace.status = TraceState.FAILED
        trace.error = message
        trace.save(update_fields=["status", "error", "updated_at"])
        _event(trace, TraceState.FAILED, None, "portal")


def trace_submit(*, trace_id: int) -> TraceRequest:
    """Create the request at Bluezone (idempotent: the same key returns the same request)."""
    trace = TraceRequest.objects.select_related("case").get(pk=trace_id)
    if trace.status != TraceState.OPENING:
        return trace
    callback = settings.SITE_URL.rstrip("/") + reverse("bluezone:webhook")
    try:
        with get_client() as bluezone:
            remote = bluezone.create_trace_request(
                msisdn=trace.msisdn,
                case_ref=trace.case.code,
                callback_url=callback,
                idempotency_key=str(trace.idempotency_key),
            )
    except BluezoneNotRegistered:
        _fail(trace_id, _("Bluezone has no user with this number; ask the person to install it."))
        return TraceRequest.objects.get(pk=trace_id)
    except BluezoneConflict as exc:
        _fail(trace_id, str(exc))
        return TraceRequest.objects.get(pk=trace_id)
    except BluezoneUnavailable:
        raise  # transient: the task (or the poll) tries again
    except BluezoneError as exc:
        logger.error("Bluezone trace %s refused: HTTP %s %s", trace_id, exc.status, exc.code)
        _fail(trace_id, _refused(exc))
        return TraceRequest.objects.get(pk=trace_id)
    with transaction.atomic():
        trace = TraceRequest.objects.select_for_update().get(pk=trace_id)
        if trace.status != TraceState.OPENING:
            return trace
        trace.bluezone_id = remote.id
        trace.verification_code = remote.verification_code or ""
        trace.code_expires_at = remote.code_expires_at
        trace.save(
            update_fields=["bluezone_id", "verification_code", "code_expires_at", "updated_at"]
        )
        _apply_remote(trace, remote, source="portal")
    return trace


def _apply_remote(trace: TraceRequest, remote: RemoteTrace, *, source: str) -> bool:
    """Move a (locked) trace to Bluezone's status; never backwards. True if it moved."""
    status = TraceState(remote.status)
    changed = False
    if remote.uploaded_at and not trace.uploaded_at:
        trace.uploaded_at = remote.uploaded_at
        _event(trace, TraceState.UPLOADED, remote.uploaded_at, source)
        changed = True
    if remote.completed_at and not trace.completed_at:
        trace.completed_at = remote.completed_at
        changed = True
    for name in ("sightings_count", "contacts_count"):
        value = getattr(remote, name)
        if value is not None and getattr(trace, name) != value:
            setattr(trace, name, value)
            changed = True
    if STATE_ORDER[status] > STATE_ORDER[TraceState(trace.status)]:
        if status == TraceState.COMPLETED and trace.uploaded_at:
            # A completed history went through matching, seen or not (it starts on upload).
            _event(trace, TraceState.MATCHING, trace.uploaded_at, source)
        trace.status = status
        when = remote.completed_at if status == TraceState.COMPLETED else None
        _event(trace, status, when, source)
        changed = True
    if trace.status == TraceState.COMPLETED and trace.ingest_state == IngestState.NOT_READY:
        trace.ingest_state = IngestState.PENDING
        changed = True
        from .tasks import ingest_trace

        _enqueue(ingest_trace, trace.pk)
    trace.last_polled_at = timezone.now()
    trace.save()
    return changed


def trace_refresh(*, trace_id: int, source: str = "poll") -> TraceRequest:
    """Read the request's state from Bluezone and follow it (the poll and the webhook both
    end here, so either alone reaches the same state)."""
    trace = TraceRequest.objects.get(pk=trace_id)
    if trace.status == TraceState.OPENING:
        return trace_submit(trace_id=trace_id)
    if not trace.bluezone_id or trace.status in (
        TraceState.FAILED,
        TraceState.EXPIRED,
        TraceState.CANCELLED,
    ):
        return trace
    if trace.status == TraceState.COMPLETED:
        if trace.ingest_state == IngestState.PENDING:
            from .tasks import ingest_trace

            ingest_trace.delay(trace.pk)
        return trace
    with get_client() as bluezone:
        remote = bluezone.get_trace_request(trace.bluezone_id)
    with transaction.atomic():
        trace = TraceRequest.objects.select_for_update().get(pk=trace_id)
        _apply_remote(trace, remote, source=source)
    return trace


def trace_refresh_if_due(*, trace: TraceRequest, every_seconds: int = 10) -> TraceRequest:
    """Refresh an unfinished trace unless it was read from Bluezone in the last seconds."""
    due = (
        trace.last_polled_at is None
        or (timezone.now() - trace.last_polled_at).total_seconds() >= every_seconds
    )
    unfinished = trace.is_open or trace.ingest_state == IngestState.PENDING
    if not (due and unfinished):
        return trace
    return trace_refresh(trace_id=trace.pk, source="poll")


def trace_request_cancel(*, actor, trace: TraceRequest) -> TraceRequest:
    if not actor.has_perm("bluezone.open_trace"):
        raise ApplicationError(_("Only DIC operators cancel trace requests."))
    if not trace.is_open:
        raise ApplicationError(_("This trace request is no longer open."))
    remote = None
    if trace.bluezone_id:
        with get_client() as bluezone:
            try:
                remote = bluezone.cancel_trace_request(
                    trace.bluezone_id, idempotency_key=f"cancel-{trace.idempotency_key}"
                )
            except BluezoneConflict as exc:
                raise ApplicationError(str(exc)) from exc
    with transaction.atomic():
        trace = TraceRequest.objects.select_for_update().get(pk=trace.pk)
        if remote is not None:
            _apply_remote(trace, remote, source="portal")
        if trace.status == TraceState.OPENING:
            trace.status = TraceState.CANCELLED
            trace.save(update_fields=["status", "updated_at"])
            _event(trace, TraceState.CANCELLED, None, "portal")
        audit_record(
            actor=actor,
            action=AuditAction.TRACE_CANCELLED,
            obj=trace.case,
            details={"trace": trace.pk},
        )
    return trace


@transaction.atomic
def webhook_accept(*, bluezone_id: str, status: str, occurred_at: datetime) -> TraceRequest:
    """Record a verified webhook once; a replay raises ApplicationError. The state itself is
    then read from Bluezone by a task, exactly as the poll does."""
    trace = TraceRequest.objects.filter(bluezone_id=bluezone_id).first()
    if trace is None:
        raise ApplicationError("unknown trace request")
    try:
        with transaction.atomic():
            WebhookReceipt.objects.create(
                bluezone_id=bluezone_id, status=status, occurred_at=occurred_at
            )
    except IntegrityError as exc:
        raise ApplicationError("replayed webhook") from exc
    from .tasks import refresh_trace

    transaction.on_commit(lambda: refresh_trace.delay(trace.pk, "webhook"))
    return trace


def poll_open_traces() -> int:
    """What beat runs: every unfinished trace and pending lookup gets its task again."""
    from .tasks import ingest_trace, refresh_trace, run_lookup

    count = 0
    for trace_id in TraceRequest.objects.filter(status__in=OPEN_STATES).values_list(
        "pk", flat=True
    ):
        refresh_trace.delay(trace_id, "poll")
        count += 1
    for trace_id in TraceRequest.objects.filter(
        status=TraceState.COMPLETED, ingest_state=IngestState.PENDING
    ).values_list("pk", flat=True):
        ingest_trace.delay(trace_id)
        count += 1
    stale = timezone.now() - timezone.timedelta(minutes=1)
    for lookup_id in Lookup.objects.filter(
        status=LookupStatus.PENDING, created_at__lt=stale
    ).values_list("pk", flat=True):
        run_lookup.delay(lookup_id)
        count += 1
    return count


# Ingestion


def _store_page(trace: TraceRequest, page: ContactsPage, threshold: float) -> None:
    phones = {"+" + c.msisdn for c in page.contacts if c.msisdn}
    on_file = {}
    for case_id, phone in (
        Case.objects.filter(
            province_id=trace.province_id, phone__in=phones, merged_into__isnull=True
        )
        .order_by("created_at")
        .values_list("pk", "phone")
    ):
        on_file.setdefault(phone, case_id)
    rows = []
    scored = {}
    for contact in page.contacts:
        sightings = [(s.t, s.rssi) for s in contact.sightings]
        if not sightings:
            continue
        result = exposure.score(sightings)
        scored[contact.contact_id] = sightings
        phone = "+" + contact.msisdn if contact.msisdn else ""
        rows.append(
            TracedContact(
                trace=trace,
                contact_id=contact.contact_id,
                phone=phone,
                province_code=contact.province_code or "",
                sightings_count=result.sightings,
                first_seen=result.windows[0].start,
                last_seen=result.windows[-1].end,
                raw_minutes=result.raw_minutes,
                weighted_minutes=result.weighted_minutes,
                minutes_by_bucket=result.minutes_by_bucket,
                windows=[
                    {
                        "start": w.start.isoformat(),
                        "end": w.end.isoformat(),
                        "minutes": round(w.minutes, 2),
                        "by_bucket": {k: round(v, 2) for k, v in w.minutes_by_bucket.items()},
                    }
                    for w in result.windows
                ],
                is_candidate=result.is_candidate(threshold),
                matched_case_id=on_file.get(phone),
            )
        )
    with transaction.atomic():
        TracedContact.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
        ids = dict(
            TracedContact.objects.filter(trace=trace, contact_id__in=scored).values_list(
                "contact_id", "pk"
            )
        )
        _insert_sightings(
            (ids[contact_id], t, rssi)
            for contact_id, sightings in scored.items()
            for t, rssi in sightings
        )


def _insert_sightings(rows) -> None:
    """Store (contact id, seen at, rssi) rows, each (contact, time) once. On PostgreSQL the
    rows are copied into a temporary table and inserted from there with ON CONFLICT DO
    NOTHING (200,000 rows in well under a second, against ~7 s for bulk_create); elsewhere
    bulk_create with ignore_conflicts. Runs inside the caller's transaction."""
    if connection.vendor != "postgresql":
        Sighting.objects.bulk_create(
            (Sighting(contact_id=c, seen_at=t, rssi=r) for c, t, r in rows),
            ignore_conflicts=True,
            batch_size=5000,
        )
        return
    table = connection.ops.quote_name(Sighting._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE IF NOT EXISTS sighting_load "
            "(contact_id bigint, seen_at timestamptz, rssi smallint) ON COMMIT DELETE ROWS"
        )
        with cursor.cursor.copy(
            "COPY sighting_load (contact_id, seen_at, rssi) FROM STDIN (FORMAT BINARY)"
        ) as copy:
            copy.set_types(["int8", "timestamptz", "int2"])
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            f"INSERT INTO {table} (contact_id, seen_at, rssi) "  # noqa: S608 - model table name
            "SELECT contact_id, seen_at, rssi FROM sighting_load "
            "ON CONFLICT (contact_id, seen_at) DO NOTHING"
        )
        cursor.execute("TRUNCATE sighting_load")


def trace_ingest(*, trace_id: int) -> TraceRequest:
    """Fetch the matched contacts page by page, store them and their sightings once, and
    score their exposure. Safe to run again: unique keys keep every row single."""
    trace = TraceRequest.objects.get(pk=trace_id)
    if trace.status != TraceState.COMPLETED or trace.ingest_state == IngestState.DONE:
        return trace
    threshold = settings.BLUEZONE_CANDIDATE_THRESHOLD_MINUTES
    with get_client() as bluezone:
        for page in bluezone.iter_contacts(trace.bluezone_id):
            _store_page(trace, page, threshold)
    with transaction.atomic():
        trace = TraceRequest.objects.select_for_update().get(pk=trace_id)
        if trace.ingest_state != IngestState.DONE:
            trace.ingest_state = IngestState.DONE
            trace.ingested_at = timezone.now()
            trace.save(update_fields=["ingest_state", "ingested_at", "updated_at"])
    return trace


# Review


def _review_guard(actor):
    if not actor.has_perm("bluezone.review_candidate"):
        raise ApplicationError(_("Only CDC staff review candidates."))


@transaction.atomic
def candidate_accept(*, actor, contact: TracedContact, full_name: str = "") -> Case:
    """Make the candidate an F1 of the traced person (relation "Bluezone proximity"), or
    link the person already on file with that phone."""
    _review_guard(actor)
    contact = (
        TracedContact.objects.select_for_update().select_related("trace__case").get(pk=contact.pk)
    )
    if contact.review == Review.ACCEPTED:
        return contact.resulting_case
    if contact.review == Review.REJECTED:
        raise ApplicationError(_("This candidate was rejected."))
    if not contact.phone:
        raise ApplicationError(
            _("This contact has no verified phone number in Bluezone and cannot be identified.")
        )
    source = contact.trace.case
    exposure_date = timezone.localtime(contact.first_seen).date()
    person = (
        Case.objects.filter(
            province_id=source.province_id, phone=contact.phone, merged_into__isnull=True
        )
        .order_by("created_at")
        .first()
    )
    on_file = person is not None
    if on_file:
        person = case_link_source(
            actor=actor,
            case=person,
            source=source,
            relation=Relation.BLUEZONE,
            exposure_date=exposure_date,
        ).case
        if person.source_id == source.pk and person.exposure_date is None:
            # Entered as this F0's contact without a date: Bluezone's first sighting is
            # the exposure date (the exposure notice needs one).
            person = case_update(
                actor=actor, case=person, version=person.version, exposure_date=exposure_date
            ).case
    else:
        try:
            person = case_add_contact(
                actor=actor,
                source=source,
                full_name=full_name.strip() or _("Unknown name (Bluezone contact)"),
                phone=contact.phone,
                relation=Relation.BLUEZONE,
                exposure_date=exposure_date,
                bluezone_status="installed",
                notes=_("Found by Bluezone: %(minutes)s weighted minutes near %(code)s.")
                % {"minutes": contact.weighted_minutes, "code": source.code},
            ).case
        except ValidationError as exc:
            # Bluezone may report a number the portal does not accept (an unallocated
            # prefix): this candidate is refused, the others of a bulk accept go on.
            raise ApplicationError(" ".join(exc.messages)) from exc
    contact.review = Review.ACCEPTED
    contact.reviewed_by = actor
    contact.reviewed_at = timezone.now()
    contact.resulting_case = person
    if on_file:
        # Entered since the ingestion: the person was already on file, as the list says.
        contact.matched_case = contact.matched_case or person
    contact.save()
    audit_record(
        actor=actor,
        action=AuditAction.CANDIDATE_ACCEPTED,
        obj=person,
        details={"trace": contact.trace_id, "contact": contact.contact_id},
    )
    return person


@transaction.atomic
def candidate_reject(*, actor, contact: TracedContact, reason: str) -> TracedContact:
    _review_guard(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("Say why the candidate is rejected."))
    contact = TracedContact.objects.select_for_update().get(pk=contact.pk)
    if contact.review != Review.PENDING:
        raise ApplicationError(_("This candidate was already reviewed."))
    contact.review = Review.REJECTED
    contact.reject_reason = reason
    contact.reviewed_by = actor
    contact.reviewed_at = timezone.now()
    contact.save()
    audit_record(
        actor=actor,
        action=AuditAction.CANDIDATE_REJECTED,
        obj=contact.trace.case,
        details={"trace": contact.trace_id, "contact": contact.contact_id, "reason": reason},
    )
    return contact


def candidates_accept_all(*, actor, trace: TraceRequest) -> tuple[int, list[str]]:
    """Accept every candidate at or above the threshold that has a phone. Returns the number
    accepted and the problems met (each candidate is accepted on its own)."""
    _review_guard(actor)
    accepted, problems = 0, []
    for contact in trace.contacts.filter(is_candidate=True, review=Review.PENDING).exclude(
        phone=""
    ):
        try:
            candidate_accept(actor=actor, contact=contact)
            accepted += 1
        except ApplicationError as exc:
            problems.append(f"{mask(contact.phone)}: {exc.message}")
    return accepted, problems


# Text messages from the short code


def trace_send_code_sms(*, actor, trace: TraceRequest):
    """Text the verification code to the F0 (once per trace unless `resend`)."""
    from tracing_portal.notifications.services import sms_send

    if not actor.has_perm("notifications.send_sms"):
        raise ApplicationError(_("You may not send text messages."))
    if trace.status != TraceState.CODE_ISSUED or not trace.verification_code:
        raise ApplicationError(_("The code can only be sent while it waits to be entered."))
    return sms_send(
        actor=actor,
        case=trace.case,
        template_kind="verification_code",
        purpose=f"trace:{trace.pk}",
        extra_context={"ma_xac_thuc": trace.verification_code, "het_han": trace.code_expires_at},
    )


def trace_notify_accepted(*, actor, trace: TraceRequest):
    """Send the exposure notice to every accepted contact of the trace (each once)."""
    from tracing_portal.notifications.services import sms_send_bulk

    if not actor.has_perm("notifications.send_sms"):
        raise ApplicationError(_("You may not send text messages."))
    people = Case.objects.filter(
        pk__in=trace.contacts.filter(review=Review.ACCEPTED).values("resulting_case")
    ).select_related("province")
    if not people:
        raise ApplicationError(_("No accepted contacts to notify yet."))
    return sms_send_bulk(
        actor=actor,
        cases=people,
        template_kind="exposure_notice",
        purpose=f"trace:{trace.pk}",
    )
