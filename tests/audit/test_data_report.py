"""The report for a data-subject request: everything held about one phone number."""

import json

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.cases.factories import CaseFactory
from tracing_portal.accounts.roles import Role
from tracing_portal.audit.models import AuditAction, AuditEvent
from tracing_portal.audit.services import audit_record
from tracing_portal.bluezone.models import Lookup, TracedContact, TraceRequest
from tracing_portal.cases.services import case_create, case_update
from tracing_portal.notifications.models import SmsMessage

PHONE = "+84912345678"
URL = reverse("audit:data_report")


@pytest.fixture
def held(cdc_user, dic_user, make_user):
    """The number in every place the portal keeps it, in Hải Dương; and in Hà Nội once."""
    person = case_create(
        actor=cdc_user,
        level=0,
        f0_status="confirmed",
        full_name="Nguyễn Văn Thành",
        phone="0912 345 678",
    ).case
    # Someone who had the number before, and changed it.
    former = case_create(
        actor=cdc_user,
        level=0,
        f0_status="suspected",
        full_name="Lê Thị Cũ",
        phone="0912 345 678",
    ).case
    case_update(actor=cdc_user, case=former, version=former.version, phone="0987 000 111")
    Lookup.objects.create(case=person, province_id="30", phone=PHONE)
    f0 = CaseFactory(entered_by=cdc_user)
    trace = TraceRequest.objects.create(
        case=f0, province_id="30", opened_by=dic_user, msisdn=f0.phone.lstrip("+")
    )
    now = timezone.now()
    TracedContact.objects.create(
        trace=trace,
        contact_id="c1",
        phone=PHONE,
        sightings_count=3,
        first_seen=now,
        last_seen=now,
        raw_minutes=30,
        weighted_minutes=25,
    )
    sms = SmsMessage.objects.create(
        recipient=PHONE,
        body="Ban la F1",
        encoding="gsm7",
        segments=1,
        sender="8058",
        case=person,
        purpose="exposure",
        idempotency_key="k1",
        created_by=dic_user,
        province_id="30",
        queued_at=now,
    )
    audit_record(actor=dic_user, action=AuditAction.PHONE_VIEWED, obj=person)
    hn = CaseFactory(province_id="01", phone=PHONE, full_name="Người Hà Nội", code="HN-000009")
    return {"person": person, "former": former, "sms": sms, "hn": hn}


def test_report_finds_everything_held_about_the_number(client, province_admin, held):
    client.force_login(province_admin)
    response = client.post(URL, {"phone": "0912.345.678", "format": "html"})
    assert response.status_code == 200
    report = response.context["report"]
    codes = {row["code"] for row in report.sections["people"]}
    assert codes == {held["person"].code, held["former"].code}
    assert len(report.sections["lookups"]) == 1
    assert len(report.sections["traced_contacts"]) == 1
    assert [row["id"] for row in report.sections["sms"]] == [held["sms"].pk]
    actions = {row["action"] for row in report.sections["audit_events"]}
    assert {"case_created", "phone_viewed", "sms_sent"} & actions >= {
        "case_created",
        "phone_viewed",
    }
    body = response.content.decode()
    assert 'data-testid="section-traced_contacts"' in body and "Nguyễn Văn Thành" in body


def test_report_is_scoped_to_the_province(client, province_admin, national_admin, held):
    client.force_login(province_admin)
    report = client.post(URL, {"phone": PHONE}).context["report"]
    assert held["hn"].code not in {row["code"] for row in report.sections["people"]}
    client.force_login(national_admin)
    report = client.post(URL, {"phone": PHONE}).context["report"]
    assert held["hn"].code in {row["code"] for row in report.sections["people"]}


def test_report_downloads_as_json_and_is_audited(client, province_admin, held):
    client.force_login(province_admin)
    response = client.post(URL, {"phone": "84912345678", "format": "json"})
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["phone"] == PHONE
    assert data["counts"]["people"] == 2
    assert data["sms"][0]["body"] == "Ban la F1"

    event = AuditEvent.objects.get(action=AuditAction.DATA_REPORT)
    assert event.actor == province_admin and event.province_id == "30"
    assert event.details["phone"] == "091****678"
    assert event.details["format"] == "json"
    assert event.details["counts"]["people"] == 2
    assert PHONE not in json.dumps(event.details)
    # The next report about the number lists this one.
    again = client.post(URL, {"phone": PHONE}).context["report"]
    assert "data_report" in {row["action"] for row in again.sections["audit_events"]}


def test_a_bad_number_is_refused_with_the_reason(client, province_admin):
    client.force_login(province_admin)
    response = client.post(URL, {"phone": "0241 234 567"})
    assert response.context.get("report") is None
    assert "error" in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.DATA_REPORT).exists()


@pytest.mark.parametrize("role", [Role.CDC, Role.POLICE, Role.DIC, Role.OFFICIAL])
def test_only_administrators_make_reports(client, make_user, role):
    client.force_login(make_user(role))
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"phone": PHONE}).status_code == 403
