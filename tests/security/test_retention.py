"""Retention: Bluezone sightings and unaccepted contacts go 21 days after ingestion; closed
people are anonymised 180 days after closing. Both runs are logged and audited."""

import datetime as dt
import logging

import pytest
from django.utils import timezone

from tests.cases.factories import CaseFactory
from tracing_portal.accounts.roles import Role
from tracing_portal.audit import tasks
from tracing_portal.audit.models import AuditAction, AuditEvent
from tracing_portal.audit.services import audit_record
from tracing_portal.bluezone.models import (
    IngestState,
    Lookup,
    Review,
    Sighting,
    TracedContact,
    TraceRequest,
    TraceState,
)
from tracing_portal.cases.models import Case, CaseHistory, CaseStatus
from tracing_portal.cases.retention import ANONYMOUS_NAME
from tracing_portal.cases.services import case_add_contact, case_create, case_update

NOW = timezone.now()


def make_trace(actor, *, ingested_ago: dt.timedelta, province="30"):
    f0 = CaseFactory(province_id=province, entered_by=actor)
    trace = TraceRequest.objects.create(
        case=f0,
        province_id=province,
        opened_by=actor,
        msisdn=f0.phone.lstrip("+"),
        status=TraceState.COMPLETED,
        ingest_state=IngestState.DONE,
        ingested_at=NOW - ingested_ago,
    )
    contacts = {}
    for review in (Review.ACCEPTED, Review.REJECTED, Review.PENDING):
        contact = TracedContact.objects.create(
            trace=trace,
            contact_id=f"c-{trace.pk}-{review}",
            phone=f"+849{trace.pk:02d}00000{len(contacts)}",
            sightings_count=3,
            first_seen=NOW - dt.timedelta(days=30),
            last_seen=NOW - dt.timedelta(days=30) + dt.timedelta(minutes=20),
            raw_minutes=20,
            weighted_minutes=20,
            windows=[{"start": "2020-08-01T10:00:00+07:00", "end": "2020-08-01T10:20:00+07:00"}],
            is_candidate=True,
            review=review,
        )
        for i in range(3):
            Sighting.objects.create(
                contact=contact,
                seen_at=contact.first_seen + dt.timedelta(minutes=i * 10),
                rssi=-60,
            )
        contacts[review] = contact
    return trace, contacts


@pytest.fixture
def operator(make_user):
    return make_user(Role.DIC)


def test_sightings_go_21_days_after_ingestion_and_not_before(operator, caplog):
    old, old_contacts = make_trace(operator, ingested_ago=dt.timedelta(days=21, minutes=1))
    young, young_contacts = make_trace(operator, ingested_ago=dt.timedelta(days=20, hours=23))
    with caplog.at_level(logging.INFO, logger="tracing_portal.retention"):
        counts = tasks.purge_sightings.delay().get()

    assert not Sighting.objects.filter(contact__trace=old).exists()
    assert Sighting.objects.filter(contact__trace=young).count() == 9
    # The accepted contact stays, as the record of why a person became an F1, without its
    # exposure windows; the others go.
    kept = TracedContact.objects.get(trace=old)
    assert kept.pk == old_contacts[Review.ACCEPTED].pk
    assert kept.windows == [] and kept.weighted_minutes == 20
    assert TracedContact.objects.filter(trace=young).count() == 3
    assert counts["traces"] == 1
    assert counts["sightings_deleted"] == 9
    assert counts["contacts_deleted"] == 2
    assert counts["accepted_windows_cleared"] == 1

    event = AuditEvent.objects.get(action=AuditAction.RETENTION, details__rule="sightings")
    assert event.details["sightings_deleted"] == 9
    assert "sightings_deleted': 9" in caplog.text


def test_a_second_purge_finds_nothing(operator):
    make_trace(operator, ingested_ago=dt.timedelta(days=30))
    tasks.purge_sightings.delay().get()
    again = tasks.purge_sightings.delay().get()
    assert again["traces"] == 0 and again["sightings_deleted"] == 0


def test_a_trace_not_ingested_yet_is_left_alone(operator):
    trace, _contacts = make_trace(operator, ingested_ago=dt.timedelta(days=40))
    TraceRequest.objects.filter(pk=trace.pk).update(ingested_at=None)
    tasks.purge_sightings.delay().get()
    assert Sighting.objects.filter(contact__trace=trace).count() == 9


@pytest.fixture
def closed_person(cdc_user, police_user):
    f0 = case_create(
        actor=cdc_user,
        level=0,
        f0_status="confirmed",
        full_name="Nguyễn Văn Thành",
        year_of_birth=1974,
        phone="0912 345 678",
        national_id="030074001234",
        address="12 Trần Hưng Đạo",
        notes="Làm ở chợ Cẩm Giàng",
    ).case
    contact = case_add_contact(
        actor=police_user, source=f0, full_name="Trần Thị Liên", relation="household"
    ).case
    case_update(
        actor=cdc_user,
        case=f0,
        version=f0.version,
        phone="0987 654 321",
        status=CaseStatus.RECOVERED,
    )
    f0.refresh_from_db()
    assert f0.closed_at is not None
    return f0, contact


def close_ago(case, delta):
    Case.objects.filter(pk=case.pk).update(closed_at=NOW - delta)


def test_closed_people_are_anonymised_after_180_days_and_not_before(
    closed_person, make_user, caplog
):
    f0, contact = closed_person
    recent = CaseFactory(status=CaseStatus.NEGATIVE, full_name="Lê Văn Gần", closed_at=NOW)
    close_ago(f0, dt.timedelta(days=180, minutes=1))
    close_ago(recent, dt.timedelta(days=179, hours=23))
    active = CaseFactory(full_name="Phạm Thị Vẫn", closed_at=None)
    audit_record(actor=make_user(Role.CDC), action=AuditAction.PHONE_VIEWED, obj=f0)
    # Before: the history holds the old number, the audit log the name.
    assert "+84912345678" in str(CaseHistory.objects.filter(case=f0).values_list("changes"))
    assert AuditEvent.objects.filter(object_repr__contains="Thành").exists()

    with caplog.at_level(logging.INFO, logger="tracing_portal.retention"):
        counts = tasks.anonymise_closed_cases.delay().get()

    f0.refresh_from_db()
    assert f0.full_name == ANONYMOUS_NAME
    assert (f0.phone, f0.national_id, f0.address, f0.notes) == ("", "", "", "")
    assert f0.year_of_birth == 1974 and f0.level == 0 and f0.status == CaseStatus.RECOVERED
    assert f0.anonymised_at is not None
    last = f0.history.first()
    assert last.changes == {"anonymised": ["full_name", "phone", "national_id", "address", "notes"]}
    # The old values leave the person's history, and their name leaves their contacts'.
    histories = " ".join(
        str(h.changes) + h.note for h in CaseHistory.objects.filter(case__in=[f0, contact])
    )
    assert "Nguyễn Văn Thành" not in histories and "+84912345678" not in histories
    assert not AuditEvent.objects.filter(object_repr__contains="Thành").exists()
    assert AuditEvent.objects.filter(object_repr=f0.code, action="phone_viewed").exists()

    recent.refresh_from_db()
    active.refresh_from_db()
    assert recent.full_name == "Lê Văn Gần" and recent.anonymised_at is None
    assert active.full_name == "Phạm Thị Vẫn"
    assert counts["cases_anonymised"] == 1 and counts["cases_by_province"] == {"30": 1}
    event = AuditEvent.objects.get(
        action=AuditAction.RETENTION, details__rule="anonymise_closed_cases"
    )
    assert event.details["cases_anonymised"] == 1
    assert "cases_anonymised': 1" in caplog.text


def test_anonymising_clears_the_number_held_by_bluezone_and_sms(closed_person, operator):
    from tracing_portal.notifications.models import SmsMessage

    f0, _contact = closed_person
    close_ago(f0, dt.timedelta(days=200))
    Lookup.objects.create(case=f0, province_id="30", phone=f0.phone)
    SmsMessage.objects.create(
        recipient=f0.phone,
        body="Nguyen Van Thanh: ban la F0",
        encoding="gsm7",
        segments=1,
        sender="8058",
        case=f0,
        purpose="test",
        idempotency_key="t:1",
        created_by=operator,
        province_id="30",
        queued_at=NOW,
    )
    tasks.anonymise_closed_cases.delay().get()
    assert list(Lookup.objects.filter(case=f0).values_list("phone", flat=True)) == [""]
    sms = SmsMessage.objects.get(case=f0)
    assert (sms.recipient, sms.body) == ("", "")


def test_anonymising_twice_changes_nothing(closed_person):
    f0, _contact = closed_person
    close_ago(f0, dt.timedelta(days=365))
    tasks.anonymise_closed_cases.delay().get()
    versions = f0.history.count()
    assert tasks.anonymise_closed_cases.delay().get()["cases_anonymised"] == 0
    assert f0.history.count() == versions


def test_a_reopened_person_is_not_anonymised(closed_person):
    f0, _contact = closed_person
    Case.objects.filter(pk=f0.pk).update(
        status=CaseStatus.ACTIVE, closed_at=NOW - dt.timedelta(days=400)
    )
    tasks.anonymise_closed_cases.delay().get()
    f0.refresh_from_db()
    assert f0.anonymised_at is None


def test_retention_is_scheduled(settings):
    tasks_scheduled = {e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"retention.purge_sightings", "retention.anonymise_closed_cases"} <= tasks_scheduled
    assert settings.RETENTION_SIGHTINGS_DAYS == 21
    assert settings.RETENTION_ANONYMISE_DAYS == 180
