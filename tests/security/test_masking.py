"""Lists show phone numbers masked (091****678): no list page carries a full number in any
form, not even in an attribute."""

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.cases.factories import CaseFactory
from tracing_portal.accounts.roles import Role
from tracing_portal.audit.services import audit_record
from tracing_portal.bluezone.models import TracedContact, TraceRequest, TraceState
from tracing_portal.cases.models import Case
from tracing_portal.cases.services import case_create
from tracing_portal.notifications.models import SmsMessage

CONTACT = "+84987654321"
FORMS = {
    "+84912345678": ["+84912345678", "84912345678", "0912345678", "0912 345 678"],
    CONTACT: ["+84987654321", "84987654321", "0987654321", "0987 654 321"],
}


@pytest.fixture
def held(cdc_user, dic_user):
    f0 = case_create(
        actor=cdc_user,
        level=0,
        f0_status="confirmed",
        full_name="Nguyễn Văn A",
        phone="0912 345 678",
    ).case
    Case.objects.filter(pk=f0.pk).update(verification="verified", verified_at=timezone.now())
    SmsMessage.objects.create(
        recipient=f0.phone,
        body="Ma xac thuc",
        encoding="gsm7",
        segments=1,
        sender="8058",
        case=f0,
        purpose="code",
        idempotency_key="m1",
        created_by=dic_user,
        province_id="30",
        queued_at=timezone.now(),
    )
    audit_record(actor=dic_user, action="lookup", obj=f0, details={"phone": f0.phone_masked})
    traced = CaseFactory(entered_by=cdc_user)
    trace = TraceRequest.objects.create(
        case=traced,
        province_id="30",
        opened_by=dic_user,
        msisdn=traced.phone.lstrip("+"),
        status=TraceState.COMPLETED,
    )
    now = timezone.now()
    TracedContact.objects.create(
        trace=trace,
        contact_id="c1",
        phone=CONTACT,
        sightings_count=3,
        first_seen=now,
        last_seen=now,
        raw_minutes=30,
        weighted_minutes=30,
        is_candidate=True,
    )
    return {"f0": f0, "trace": trace}


def assert_masked(body: str, *numbers):
    for number in numbers:
        for form in FORMS[number]:
            assert form not in body, form
    assert "091****678" in body or "098****321" in body


@pytest.mark.parametrize(
    "role,url_name",
    [
        (Role.OFFICIAL, "cases:list"),
        (Role.DIC, "bluezone:queue"),
        (Role.CDC, "notifications:log"),
        (Role.PROVINCE_ADMIN, "audit:list"),
    ],
)
def test_lists_show_numbers_masked(client, make_user, held, role, url_name):
    client.force_login(make_user(role))
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    assert_masked(response.content.decode(), "+84912345678")


def test_trace_page_shows_candidates_masked_to_an_official(client, official_user, held):
    client.force_login(official_user)
    body = client.get(held["trace"].get_absolute_url()).content.decode()
    assert_masked(body, CONTACT)
