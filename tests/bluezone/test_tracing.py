"""Trace requests end to end in-process: opening, the code, the poll, ingestion, review."""

import json
import time

import pytest
from django.urls import reverse

from tracing_portal.audit.models import AuditEvent
from tracing_portal.bluezone import selectors, services
from tracing_portal.bluezone.client import sign_webhook
from tracing_portal.bluezone.models import (
    IngestState,
    Lookup,
    Sighting,
    TracedContact,
    TraceRequest,
    TraceState,
    WebhookReceipt,
)
from tracing_portal.bluezone.sandbox import scenario
from tracing_portal.bluezone.sandbox.models import SandboxTraceRequest
from tracing_portal.cases.models import Case, ContactLink
from tracing_portal.cases.services import case_create, case_verify
from tracing_portal.core.exceptions import ApplicationError


@pytest.fixture
def verified_f0(cdc_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        f0 = case_create(actor=cdc_user, full_name="Nguyễn Văn Thành", phone="0912 345 678").case
    case_verify(actor=cdc_user, case=f0)
    scenario.register("84912345678", province_code="30")
    f0.refresh_from_db()
    return f0


def open_and_submit(dic_user, f0, capture):
    with capture(execute=True):
        trace = services.trace_request_open(actor=dic_user, case=f0)
    trace.refresh_from_db()
    return trace


def test_new_phone_triggers_a_lookup_after_commit(cdc_user, django_capture_on_commit_callbacks):
    scenario.register("84987000111", province_code="30")
    with django_capture_on_commit_callbacks(execute=True):
        person = case_create(actor=cdc_user, full_name="Có Bluezone", phone="0987 000 111").case
    lookup = Lookup.objects.get(case=person)
    assert lookup.status == "done" and lookup.installed is True
    person.refresh_from_db()
    assert person.bluezone_status == "installed" and person.bluezone_checked_at
    assert AuditEvent.objects.filter(action="lookup", object_id=str(person.pk)).exists()


def test_lookup_of_a_number_without_bluezone(cdc_user, django_capture_on_commit_callbacks):
    scenario.unregister("84987000222")
    with django_capture_on_commit_callbacks(execute=True):
        person = case_create(actor=cdc_user, full_name="Không có", phone="0987 000 222").case
    person.refresh_from_db()
    assert person.bluezone_status == "not_installed"


def test_opening_needs_a_verified_f0_and_a_dic_operator(cdc_user, dic_user):
    f0 = case_create(actor=cdc_user, full_name="Chưa xác minh", phone="0912 000 001").case
    with pytest.raises(ApplicationError):
        services.trace_request_open(actor=dic_user, case=f0)
    case_verify(actor=cdc_user, case=f0)
    with pytest.raises(ApplicationError):
        services.trace_request_open(actor=cdc_user, case=f0)


def test_an_f1_is_traced_only_once_cdc_flags_it(
    verified_f0, cdc_user, dic_user, police_user, django_capture_on_commit_callbacks
):
    from tracing_portal.cases.services import case_add_contact, case_update

    scenario.register("84912000005", province_code="30")
    f1 = case_add_contact(
        actor=police_user,
        source=verified_f0,
        full_name="F1 cùng nhà",
        relation="household",
        phone="0912 000 005",
    ).case
    case_verify(actor=cdc_user, case=f1)
    f1.refresh_from_db()
    with pytest.raises(ApplicationError):
        services.trace_request_open(actor=dic_user, case=f1)
    assert not TraceRequest.objects.filter(case=f1).exists()

    f1 = case_update(actor=cdc_user, case=f1, version=f1.version, flagged_for_tracing=True).case
    trace = open_and_submit(dic_user, f1, django_capture_on_commit_callbacks)
    assert trace.case == f1 and trace.status == TraceState.CODE_ISSUED
    assert AuditEvent.objects.filter(
        action="trace_opened", object_id=str(f1.pk), actor=dic_user
    ).exists()


def test_open_issues_a_code_and_refuses_a_second_open(
    verified_f0, dic_user, django_capture_on_commit_callbacks
):
    trace = open_and_submit(dic_user, verified_f0, django_capture_on_commit_callbacks)
    assert trace.status == TraceState.CODE_ISSUED
    assert len(trace.verification_code) == 6 and trace.verification_code.isdigit()
    assert trace.code_expires_at is not None
    with pytest.raises(ApplicationError):
        services.trace_request_open(actor=dic_user, case=verified_f0)


def test_unregistered_number_fails_with_a_clear_message(
    cdc_user, dic_user, django_capture_on_commit_callbacks
):
    scenario.unregister("84912000002")
    f0 = case_create(actor=cdc_user, full_name="Không cài", phone="0912 000 002").case
    case_verify(actor=cdc_user, case=f0)
    trace = open_and_submit(dic_user, f0, django_capture_on_commit_callbacks)
    assert trace.status == TraceState.FAILED
    assert "Bluezone" in trace.error


def test_poll_alone_reaches_completed_and_candidates(
    verified_f0, dic_user, django_capture_on_commit_callbacks
):
    trace = open_and_submit(dic_user, verified_f0, django_capture_on_commit_callbacks)
    scenario.enter_code(trace.msisdn, trace.verification_code)
    with django_capture_on_commit_callbacks(execute=True):
        services.poll_open_traces()
    trace.refresh_from_db()
    assert trace.status == TraceState.COMPLETED
    assert trace.ingest_state == IngestState.DONE
    assert trace.contacts.count() == trace.contacts_count
    assert Sighting.objects.filter(contact__trace=trace).count() == trace.sightings_count
    assert list(trace.events.values_list("status", flat=True)) == [
        "opening",
        "code_issued",
        "uploaded",
        "matching",
        "completed",
    ]
    # The poll never saw "matching", yet the timeline shows the contract's every step.
    matching = trace.events.get(status="matching")
    assert matching.occurred_at == trace.uploaded_at and matching.source == "poll"


def test_ingestion_twice_adds_nothing(verified_f0, dic_user, django_capture_on_commit_callbacks):
    trace = open_and_submit(dic_user, verified_f0, django_capture_on_commit_callbacks)
    scenario.enter_code(trace.msisdn, trace.verification_code)
    with django_capture_on_commit_callbacks(execute=True):
        services.trace_refresh(trace_id=trace.pk)
    counts = (TracedContact.objects.count(), Sighting.objects.count())
    TraceRequest.objects.filter(pk=trace.pk).update(ingest_state=IngestState.PENDING)
    services.trace_ingest(trace_id=trace.pk)
    services.trace_ingest(trace_id=trace.pk)
    assert (TracedContact.objects.count(), Sighting.objects.count()) == counts
    assert counts[0] > 0


def test_candidates_are_scored_and_people_on_file_matched(
    verified_f0, cdc_user, dic_user, django_capture_on_commit_callbacks
):
    on_file = case_create(actor=cdc_user, full_name="Đã có hồ sơ", phone="0987 654 321").case
    scenario.meet("84912345678", "84987654321", minutes=40, rssi=-58)
    trace = open_and_submit(dic_user, verified_f0, django_capture_on_commit_callbacks)
    scenario.enter_code(trace.msisdn, trace.verification_code)
    with django_capture_on_commit_callbacks(execute=True):
        services.trace_refresh(trace_id=trace.pk)
    met = TracedContact.objects.get(trace=trace, phone="+84987654321")
    assert met.is_candidate and met.weighted_minutes >= 15
    assert met.matched_case == on_file
    below = TracedContact.objects.filter(trace=trace, is_candidate=False)
    assert all(c.weighted_minutes < 15 for c in below)


def test_accepting_creates_an_f1_or_links_the_person_on_file(
    verified_f0, cdc_user, dic_user, django_capture_on_commit_callbacks
):
    # Police entered this F1 earlier without knowing the source.
    on_file = case_create(
        actor=cdc_user, full_name="Đã có hồ sơ", phone="0987 654 321", level=1
    ).case
    scenario.meet("84912345678", "84987654321", minutes=40, rssi=-58)
    trace = open_and_submit(dic_user, verified_f0, django_capture_on_commit_callbacks)
    scenario.enter_code(trace.msisdn, trace.verification_code)
    with django_capture_on_commit_callbacks(execute=True):
        services.trace_refresh(trace_id=trace.pk)
    met = TracedContact.objects.get(trace=trace, phone="+84987654321")
    linked = services.candidate_accept(actor=cdc_user, contact=met)
    assert linked == on_file
    on_file.refresh_from_db()
    assert on_file.level == 1 and on_file.source == verified_f0 and on_file.relation == "bluezone"
    other = trace.contacts.filter(is_candidate=True).exclude(phone="").exclude(pk=met.pk).first()
    new_f1 = services.candidate_accept(actor=cdc_user, contact=other)
    assert new_f1.level == 1 and new_f1.source == verified_f0 and new_f1.phone == other.phone
    # The list tells the person on file apart from the F1 just created.
    met.refresh_from_db()
    other.refresh_from_db()
    assert (met.matched_case, met.resulting_case) == (on_file, on_file)
    assert (other.matched_case, other.resulting_case) == (None, new_f1)
    assert selectors.trace_contact_counts(trace=trace)["on_file"] == 1
    # Accepting again changes nothing.
    assert services.candidate_accept(actor=cdc_user, contact=other) == new_f1
    assert Case.objects.filter(phone=other.phone).count() == 1
    assert AuditEvent.objects.filter(action="candidate_accepted").count() == 2


def test_reject_needs_a_reason_and_bulk_accept_takes_the_rest(
    verified_f0, cdc_user, dic_user, django_capture_on_commit_callbacks
):
    trace = open_and_submit(dic_user, verified_f0, django_capture_on_commit_callbacks)
    scenario.enter_code(trace.msisdn, trace.verification_code)
    with django_capture_on_commit_callbacks(execute=True):
        services.trace_refresh(trace_id=trace.pk)
    candidates = list(trace.contacts.filter(is_candidate=True).exclude(phone=""))
    assert len(candidates) >= 2
    with pytest.raises(ApplicationError):
        services.candidate_reject(actor=cdc_user, contact=candidates[0], reason="")
    services.candidate_reject(actor=cdc_user, contact=candidates[0], reason="Cùng nhà, đã có")
    rejected = AuditEvent.objects.get(action="candidate_rejected")
    assert rejected.actor == cdc_user and rejected.object_id == str(verified_f0.pk)
    assert rejected.details["reason"] == "Cùng nhà, đã có"
    accepted, problems = services.candidates_accept_all(actor=cdc_user, trace=trace)
    assert accepted == len(candidates) - 1 and problems == []
    assert Case.objects.filter(relation="bluezone", source=verified_f0).count() == accepted
    with pytest.raises(ApplicationError):
        services.candidate_accept(actor=dic_user, contact=candidates[0])


def test_contact_without_phone_cannot_be_accepted(
    verified_f0, cdc_user, dic_user, django_capture_on_commit_callbacks
):
    trace = open_and_submit(dic_user, verified_f0, django_capture_on_commit_callbacks)
    scenario.enter_code(trace.msisdn, trace.verification_code)
    with django_capture_on_commit_callbacks(execute=True):
        services.trace_refresh(trace_id=trace.pk)
    no_phone = trace.contacts.filter(phone="").first()
    assert no_phone is not None
    with pytest.raises(ApplicationError):
        services.candidate_accept(actor=cdc_user, contact=no_phone)


def test_cancel(verified_f0, dic_user, django_capture_on_commit_callbacks):
    trace = open_and_submit(dic_user, verified_f0, django_capture_on_commit_callbacks)
    services.trace_request_cancel(actor=dic_user, trace=trace)
    trace.refresh_from_db()
    assert trace.status == TraceState.CANCELLED
    assert SandboxTraceRequest.objects.get(pk=trace.bluezone_id).status == "cancelled"
    assert AuditEvent.objects.filter(action="trace_cancelled", actor=dic_user).count() == 1
    # A new trace may be opened once the old one is closed.
    assert open_and_submit(dic_user, verified_f0, django_capture_on_commit_callbacks).is_open


def test_tracing_queue_orders_f0s_first_and_drops_traced_people(
    verified_f0, cdc_user, dic_user, police_user, django_capture_on_commit_callbacks
):
    from tracing_portal.bluezone.selectors import tracing_queue
    from tracing_portal.cases.services import case_add_contact, case_update

    f1 = case_add_contact(
        actor=police_user,
        source=verified_f0,
        full_name="F1 được đánh dấu",
        relation="household",
        phone="0912 000 003",
    ).case
    f1 = case_update(actor=cdc_user, case=f1, version=f1.version, flagged_for_tracing=True).case
    case_verify(actor=cdc_user, case=f1)
    later_f0 = case_create(actor=cdc_user, full_name="F0 sau", phone="0912 000 004").case
    case_verify(actor=cdc_user, case=later_f0)
    queue = list(tracing_queue(actor=dic_user))
    assert queue == [verified_f0, later_f0, f1]
    open_and_submit(dic_user, verified_f0, django_capture_on_commit_callbacks)
    assert verified_f0 not in list(tracing_queue(actor=dic_user))


# The webhook


def post_webhook(client, body: dict, *, secret="sandbox-webhook-secret", ts=None):
    raw = json.dumps(body).encode()
    ts = str(int(time.time()) if ts is None else ts)
    return client.post(
        reverse("bluezone:webhook"),
        data=raw,
        content_type="application/json",
        headers={"X-Bluezone-Timestamp": ts, "X-Bluezone-Signature": sign_webhook(raw, ts, secret)},
    )


@pytest.fixture
def uploaded_trace(verified_f0, dic_user, django_capture_on_commit_callbacks):
    trace = open_and_submit(dic_user, verified_f0, django_capture_on_commit_callbacks)
    scenario.enter_code(trace.msisdn, trace.verification_code)
    return trace


def event_for(trace, status="completed"):
    return {
        "event": "trace_request.updated",
        "id": trace.bluezone_id,
        "status": status,
        "occurred_at": "2020-08-14T09:00:00+07:00",
    }


def test_webhook_with_good_signature_moves_the_trace(
    client, uploaded_trace, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_webhook(client, event_for(uploaded_trace))
    assert response.status_code == 202
    uploaded_trace.refresh_from_db()
    assert uploaded_trace.status == TraceState.COMPLETED
    assert uploaded_trace.ingest_state == IngestState.DONE


def test_webhook_with_bad_signature_changes_nothing(client, uploaded_trace):
    response = post_webhook(client, event_for(uploaded_trace), secret="wrong")
    assert response.status_code == 401
    assert not WebhookReceipt.objects.exists()
    uploaded_trace.refresh_from_db()
    assert uploaded_trace.status == TraceState.CODE_ISSUED


def test_webhook_with_stale_timestamp_is_refused(client, uploaded_trace):
    response = post_webhook(client, event_for(uploaded_trace), ts=int(time.time()) - 301)
    assert response.status_code == 401
    assert not WebhookReceipt.objects.exists()


def test_webhook_replay_is_refused(client, uploaded_trace, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert post_webhook(client, event_for(uploaded_trace)).status_code == 202
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert post_webhook(client, event_for(uploaded_trace)).status_code == 409
    assert callbacks == []
    assert WebhookReceipt.objects.count() == 1


def test_webhook_for_an_unknown_request_is_refused(client, db):
    response = post_webhook(
        client,
        {
            "event": "trace_request.updated",
            "id": "tr_nope",
            "status": "completed",
            "occurred_at": "2020-08-14T09:00:00+07:00",
        },
    )
    assert response.status_code == 404


# Faults


def test_final_state_is_reached_with_30_percent_failures_and_lost_webhooks(
    settings, cdc_user, dic_user, django_capture_on_commit_callbacks
):
    settings.BLUEZONE_SANDBOX_FAULTS = {
        "error_rate": 0.3,
        "rate_limit_rate": 0.05,
        "retry_after": 0,
        "lose_webhook_rate": 1.0,
        "seed": 7,
    }
    settings.BLUEZONE_MAX_ATTEMPTS = 2
    people = []
    for i in range(5):
        msisdn = f"8491200{i:04d}"
        scenario.register(msisdn, province_code="30")
        with django_capture_on_commit_callbacks(execute=True):
            person = case_create(
                actor=cdc_user, full_name=f"F0 số {i}", phone="0" + msisdn[2:]
            ).case
        case_verify(actor=cdc_user, case=person)
        people.append(person)
    for person in people:
        with django_capture_on_commit_callbacks(execute=True):
            services.trace_request_open(actor=dic_user, case=person)
    # Beat keeps polling; each round some calls fail and are simply tried again later.
    for _round in range(30):
        with django_capture_on_commit_callbacks(execute=True):
            services.poll_open_traces()
        for trace in TraceRequest.objects.filter(status=TraceState.CODE_ISSUED):
            try:
                scenario.enter_code(trace.msisdn, trace.verification_code)
            except Exception:  # noqa: BLE001 - the phone may already have uploaded
                pass
        if not TraceRequest.objects.exclude(
            status=TraceState.COMPLETED, ingest_state=IngestState.DONE
        ).exists():
            break
    assert set(TraceRequest.objects.values_list("status", "ingest_state")) == {
        ("completed", "done")
    }
    assert not Lookup.objects.filter(status="pending").exists()
    for trace in TraceRequest.objects.all():
        assert trace.contacts.count() == trace.contacts_count
        assert (
            TracedContact.objects.filter(trace=trace).values("contact_id").distinct().count()
            == trace.contacts_count
        )
    assert ContactLink.objects.count() == 0


def test_imported_people_get_their_phones_checked_in_batches(
    cdc_user, django_capture_on_commit_callbacks
):
    from tracing_portal.exchange.signals import people_imported

    scenario.register("84987000333", province_code="30")
    scenario.unregister("84987000444")
    people = [
        case_create(actor=cdc_user, full_name="Nhập 1", phone="0987 000 333").case,
        case_create(actor=cdc_user, full_name="Nhập 2", phone="0987 000 444").case,
        case_create(actor=cdc_user, full_name="Không số").case,
    ]
    Lookup.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        people_imported.send(
            sender=None,
            job_id=1,
            province_id="30",
            actor_id=cdc_user.pk,
            created_ids=[p.pk for p in people],
            updated_ids=[],
        )
    results = dict(Lookup.objects.values_list("case_id", "installed"))
    assert results == {people[0].pk: True, people[1].pk: False}
    assert set(Lookup.objects.values_list("status", flat=True)) == {"done"}
