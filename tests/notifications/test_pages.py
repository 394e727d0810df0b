import datetime
import hashlib
import hmac
import json
import time

import pytest
from django.urls import reverse
from django.utils import timezone

from tracing_portal.accounts.roles import Role
from tracing_portal.cases.models import InstallAsk
from tracing_portal.notifications.models import SmsDeliveryReceipt, SmsMessage, SmsStatus

from .factories import PersonFactory, SmsMessageFactory


def send_url(person):
    return reverse("notifications:send", kwargs={"code": person.code})


def test_send_page_previews_the_text_as_sent_with_its_length(client, dic_user, person):
    client.force_login(dic_user)
    response = client.get(send_url(person))
    body = response.content.decode()
    assert "[SYT Hai Duong] De nghi Nguyen Thi Huong cai Bluezone" in body
    preview = response.context["preview"]
    assert (preview.encoding, preview.length, preview.limit, preview.segments) == (
        "gsm7",
        151,
        160,
        1,
    )
    assert "151" in body and "GSM-7" in body
    assert "091****678" in body
    assert "+84912345678" not in body and "0912 345 678" not in body
    # The live preview gets every kind's text, with diacritics, to strip and count itself.
    assert 'id="sms-variants"' in body
    assert "js/sms-counter.js" in body


def test_server_side_preview_with_diacritics_shows_unicode(client, dic_user, person):
    client.force_login(dic_user)
    response = client.post(
        send_url(person),
        {"template_kind": "install_request", "with_diacritics": "on", "action": "preview"},
    )
    body = response.content.decode()
    assert "Đề nghị Nguyễn Thị Hương" in body
    assert "UCS-2" in body
    assert not SmsMessage.objects.exists()


def test_double_click_on_send_creates_one_message(client, dic_user, person):
    client.force_login(dic_user)
    data = {"template_kind": "install_request", "action": "send"}
    first = client.post(send_url(person), data)
    second = client.post(send_url(person), data, follow=True)
    assert first.status_code == 302
    assert SmsMessage.objects.count() == 1
    messages = [str(m) for m in second.context["messages"]]
    assert any("đã được gửi" in m or "already sent" in m for m in messages), messages


def test_send_again_is_a_deliberate_second_message(client, dic_user, person):
    client.force_login(dic_user)
    client.post(send_url(person), {"template_kind": "install_request", "action": "send"})
    SmsMessage.objects.update(queued_at=timezone.now() - datetime.timedelta(hours=2))
    client.post(send_url(person), {"template_kind": "install_request", "action": "resend"})
    keys = sorted(SmsMessage.objects.values_list("idempotency_key", flat=True))
    assert keys == [f"case:{person.pk}:install_request:install"] * 1 + [
        f"case:{person.pk}:install_request:install:r1"
    ]


def test_cap_refusal_is_shown_and_nothing_is_sent(client, dic_user, person, settings):
    settings.SMS_DAILY_CAP_PER_OPERATOR = 0
    client.force_login(dic_user)
    response = client.post(send_url(person), {"template_kind": "install_request", "action": "send"})
    assert response.status_code == 200
    assert "0" in str(list(response.context["messages"])[0])
    assert not SmsMessage.objects.exists()


def test_install_request_from_the_send_page_counts_as_an_ask(client, dic_user, person):
    client.force_login(dic_user)
    client.post(send_url(person), {"template_kind": "install_request", "action": "send"})
    ask = InstallAsk.objects.get(case=person)
    assert (ask.channel, ask.asked_by) == ("sms", dic_user)


def test_install_request_to_people_ticked_on_a_list_counts_as_asks(client, dic_user):
    chosen = [PersonFactory(), PersonFactory()]
    client.force_login(dic_user)
    client.post(
        reverse("notifications:bulk"),
        {
            "case_ids": [str(p.pk) for p in chosen],
            "template_kind": "install_request",
            "confirm": "1",
        },
    )
    assert SmsMessage.objects.count() == 2
    assert set(InstallAsk.objects.values_list("case_id", "channel")) == {
        (p.pk, "sms") for p in chosen
    }


@pytest.mark.parametrize(
    "role", [Role.CDC, Role.POLICE, Role.OFFICIAL, Role.PROVINCE_ADMIN, Role.NATIONAL_ADMIN]
)
def test_only_dic_sends(client, make_user, person, role):
    client.force_login(make_user(role))
    data = {"template_kind": "install_request", "action": "send"}
    assert client.get(send_url(person)).status_code == 403
    assert client.post(send_url(person), data).status_code == 403
    ask = reverse("notifications:ask_install", kwargs={"code": person.code})
    assert client.post(ask).status_code == 403
    assert client.post(reverse("notifications:bulk"), {"confirm": "1"}).status_code == 403
    assert not SmsMessage.objects.exists()


def test_person_of_another_province_is_not_found(client, make_user, person):
    client.force_login(make_user(Role.DIC, "01"))
    assert client.get(send_url(person)).status_code == 404


def test_ask_install_from_the_person_page(
    client, dic_user, person, django_capture_on_commit_callbacks
):
    client.force_login(dic_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("notifications:ask_install", kwargs={"code": person.code}))
    assert response.status_code == 302
    message = SmsMessage.objects.get()
    assert (message.template_kind, message.status) == ("install_request", SmsStatus.SENT)
    assert InstallAsk.objects.get(case=person).channel == "sms"
    # Asked again by mistake: nothing more is sent or logged.
    client.post(reverse("notifications:ask_install", kwargs={"code": person.code}))
    assert SmsMessage.objects.count() == 1
    assert InstallAsk.objects.count() == 1


def test_log_shows_own_province_with_masked_phones(client, dic_user, person):
    SmsMessageFactory(case=person, status=SmsStatus.DELIVERED)
    SmsMessageFactory(case=PersonFactory(province_id="01", code="HN-000001"))
    client.force_login(dic_user)
    body = client.get(reverse("notifications:log")).content.decode()
    assert "HD-000123" in body and "091****678" in body
    assert "HN-000001" not in body
    assert "0912345678" not in body and "+84912345678" not in body


def test_log_filters_by_status_and_by_phone_or_code(client, dic_user, person):
    SmsMessageFactory(case=person, status=SmsStatus.FAILED)
    SmsMessageFactory(case=PersonFactory(code="HD-000777"), status=SmsStatus.DELIVERED)
    client.force_login(dic_user)
    log = reverse("notifications:log")
    failed = client.get(log, {"status": "failed"}).content.decode()
    assert "HD-000123" in failed and "HD-000777" not in failed
    by_phone = client.get(log, {"q": "0912 345 678"}).content.decode()
    assert "HD-000123" in by_phone and "HD-000777" not in by_phone
    by_code = client.get(log, {"q": "hd-000777"}).content.decode()
    assert "HD-000777" in by_code and "HD-000123" not in by_code


def test_log_filters_by_date_range(client, dic_user, person):
    old = SmsMessageFactory(case=person)
    SmsMessage.objects.filter(pk=old.pk).update(
        queued_at=timezone.now() - datetime.timedelta(days=10)
    )
    SmsMessageFactory(case=PersonFactory(code="HD-000555"))
    client.force_login(dic_user)
    today = timezone.localdate().isoformat()
    body = client.get(reverse("notifications:log"), {"date_from": today}).content.decode()
    assert "HD-000555" in body and "HD-000123" not in body


@pytest.mark.parametrize(
    "role,log,figures",
    [
        (Role.DIC, 200, 200),
        (Role.CDC, 200, 200),
        (Role.OFFICIAL, 403, 200),
        (Role.POLICE, 403, 403),
        (Role.PROVINCE_ADMIN, 200, 200),
        (Role.NATIONAL_ADMIN, 200, 200),
    ],
)
def test_who_sees_the_log_and_the_figures(client, make_user, role, log, figures):
    client.force_login(make_user(role))
    assert client.get(reverse("notifications:log")).status_code == log
    assert client.get(reverse("notifications:figures")).status_code == figures


def test_figures_count_by_status_and_the_delivery_rate(client, official_user):
    for status in ["delivered", "delivered", "delivered", "failed", "sent"]:
        SmsMessageFactory(status=status)
    SmsMessageFactory(status="delivered", case=PersonFactory(province_id="01"))
    client.force_login(official_user)
    response = client.get(reverse("notifications:figures"))
    totals = response.context["totals"]
    assert (totals["total"], totals["delivered"], totals["failed"], totals["sent"]) == (5, 3, 1, 1)
    assert totals["rate"] == 0.75
    assert response.context["by_day"][0]["total"] == 5
    assert "75%" in response.content.decode()


def test_bulk_page_selects_verified_people_without_bluezone(client, dic_user):
    PersonFactory(code="HD-000201")
    PersonFactory(code="HD-000202", bluezone_status="installed")
    PersonFactory(code="HD-000203", verification="pending")
    client.force_login(dic_user)
    response = client.get(reverse("notifications:bulk"))
    assert response.context["total"] == 1
    assert "HD-000201" in response.content.decode()


def test_bulk_send_from_filters(client, dic_user):
    people = [PersonFactory() for _ in range(3)]
    PersonFactory(bluezone_status="installed")
    client.force_login(dic_user)
    data = {
        "template_kind": "install_request",
        "bluezone_status": "not_installed",
        "verification": "verified",
        "confirm": "1",
    }
    response = client.post(reverse("notifications:bulk"), data)
    assert response.status_code == 302
    assert set(SmsMessage.objects.values_list("case_id", flat=True)) == {p.pk for p in people}
    # The same selection again sends nothing more.
    client.post(reverse("notifications:bulk"), data)
    assert SmsMessage.objects.count() == 3


def test_bulk_send_to_ids_ticked_on_the_cases_list(client, dic_user):
    chosen = [PersonFactory(), PersonFactory()]
    other_province = PersonFactory(province_id="01")
    PersonFactory()
    client.force_login(dic_user)
    ids = [str(p.pk) for p in [*chosen, other_province]]
    confirm = client.post(reverse("notifications:bulk"), {"case_ids": ids})
    assert confirm.status_code == 200
    assert confirm.context["total"] == 2
    assert not SmsMessage.objects.exists()
    client.post(
        reverse("notifications:bulk"),
        {"case_ids": ids, "template_kind": "install_request", "confirm": "1"},
    )
    assert set(SmsMessage.objects.values_list("case_id", flat=True)) == {p.pk for p in chosen}


def test_navigation_offers_sms_places_by_role(client, make_user):
    client.force_login(make_user(Role.DIC))
    body = client.get(reverse("home")).content.decode()
    assert reverse("notifications:bulk") in body and reverse("notifications:log") in body
    client.force_login(make_user(Role.OFFICIAL))
    body = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("notifications:figures")}"' in body
    assert f'href="{reverse("notifications:log")}"' not in body


# --- delivery receipts (the operator's callback) ---


def signed(body: bytes, *, secret="sandbox-sms-callback-secret", at=None):
    timestamp = str(int(at if at is not None else time.time()))
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return {
        "HTTP_X_SMS_TIMESTAMP": timestamp,
        "HTTP_X_SMS_SIGNATURE": "sha256=" + digest.hexdigest(),
    }


@pytest.fixture
def sent_message(person):
    return SmsMessageFactory(case=person, provider_id="SB0001", status=SmsStatus.SENT)


def receipt_body(message, status="delivered"):
    return json.dumps(
        {
            "event": "sms.status",
            "message_id": message.provider_id,
            "client_ref": message.idempotency_key,
            "status": status,
            "error_code": None,
            "occurred_at": "2020-08-21T10:16:00+07:00",
        }
    ).encode()


def post_receipt(client, body, headers):
    return client.post(
        reverse("notifications:receipt"), body, content_type="application/json", **headers
    )


def test_signed_receipt_marks_the_message_delivered(client, settings, sent_message):
    settings.SMS_CALLBACK_SECRET = "sandbox-sms-callback-secret"
    body = receipt_body(sent_message)
    assert post_receipt(client, body, signed(body)).status_code == 200
    sent_message.refresh_from_db()
    assert sent_message.status == SmsStatus.DELIVERED


def test_receipt_with_a_bad_signature_changes_nothing(client, sent_message):
    body = receipt_body(sent_message)
    response = post_receipt(client, body, signed(body, secret="wrong"))
    assert response.status_code == 401
    tampered = post_receipt(client, body.replace(b"delivered", b"failed"), signed(body))
    assert tampered.status_code == 401
    sent_message.refresh_from_db()
    assert sent_message.status == SmsStatus.SENT
    assert not SmsDeliveryReceipt.objects.exists()


def test_stale_receipt_changes_nothing(client, sent_message):
    body = receipt_body(sent_message)
    response = post_receipt(client, body, signed(body, at=time.time() - 600))
    assert response.status_code == 400
    sent_message.refresh_from_db()
    assert sent_message.status == SmsStatus.SENT


def test_replayed_receipt_changes_nothing(client, sent_message):
    body = receipt_body(sent_message)
    assert post_receipt(client, body, signed(body)).status_code == 200
    delivered_at = SmsMessage.objects.get().delivered_at
    assert post_receipt(client, body, signed(body)).status_code == 409
    assert SmsDeliveryReceipt.objects.count() == 1
    assert SmsMessage.objects.get().delivered_at == delivered_at


def test_receipt_for_an_unknown_message_is_404(client, db):
    body = json.dumps(
        {
            "message_id": "X",
            "client_ref": "Y",
            "status": "delivered",
            "occurred_at": "2020-08-21T10:16:00+07:00",
        }
    ).encode()
    assert post_receipt(client, body, signed(body)).status_code == 404


# --- selections: every contact, or the contacts accepted from a trace request


def test_bulk_selects_every_contact_without_bluezone_whatever_the_level(client, dic_user):
    f0 = PersonFactory(code="HD-000300")
    f1 = PersonFactory(code="HD-000301", source=f0)
    f2 = PersonFactory(code="HD-000302", source=f1)
    PersonFactory(code="HD-000303", source=f0, bluezone_status="installed")
    client.force_login(dic_user)
    response = client.get(
        reverse("notifications:bulk"),
        {"level": "contacts", "bluezone_status": "not_installed", "verification": "verified"},
    )
    assert [p.code for p in response.context["sample"]] == [f1.code, f2.code]
    assert response.context["total"] == 2


def accepted_from(trace, person):
    from tests.stats.factories import TracedContactFactory
    from tracing_portal.bluezone.models import Review

    return TracedContactFactory(
        trace=trace, review=Review.ACCEPTED, resulting_case=person, phone=person.phone
    )


def test_bulk_for_a_trace_sends_its_notice_once_whichever_page_sends_it(
    client, dic_user, django_capture_on_commit_callbacks
):
    from tests.stats.factories import TraceRequestFactory
    from tracing_portal.bluezone.services import trace_notify_accepted

    f0 = PersonFactory(code="HD-000400")
    trace = TraceRequestFactory(case=f0)
    exposed = datetime.date(2021, 5, 3)
    accepted = [PersonFactory(source=f0, exposure_date=exposed) for _ in range(2)]
    for person in accepted:
        accepted_from(trace, person)
    PersonFactory(source=f0, exposure_date=exposed)  # a contact of f0 not from this trace
    client.force_login(dic_user)
    page = client.get(reverse("notifications:bulk"), {"trace": trace.pk})
    assert page.context["total"] == 2
    assert page.context["form"].initial["template_kind"] == "exposure_notice"
    assert "HD-000400" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("notifications:bulk"),
            {"trace": trace.pk, "template_kind": "exposure_notice", "confirm": "1"},
        )
    assert response.status_code == 302
    notices = SmsMessage.objects.filter(template_kind="exposure_notice")
    assert set(notices.values_list("case_id", flat=True)) == {p.pk for p in accepted}
    assert set(notices.values_list("purpose", flat=True)) == {f"trace:{trace.pk}"}
    assert "ngay 03/05" in notices.first().body
    # "Notify accepted contacts" on the trace afterwards sends nothing more.
    result = trace_notify_accepted(actor=dic_user, trace=trace)
    assert (result.created, result.skipped_already_sent) == (0, 2)
    assert notices.count() == 2


def test_bulk_for_a_trace_of_another_province_selects_nobody(client, dic_user):
    from tests.stats.factories import TraceRequestFactory

    hanoi_f0 = PersonFactory(province_id="01", code="HN-000400")
    trace = TraceRequestFactory(case=hanoi_f0)
    accepted_from(trace, PersonFactory(province_id="01", source=hanoi_f0))
    client.force_login(dic_user)
    page = client.get(reverse("notifications:bulk"), {"trace": trace.pk})
    assert page.context["total"] == 0
    assert page.context["trace"] is None
    client.post(
        reverse("notifications:bulk"),
        {"trace": trace.pk, "template_kind": "install_request", "confirm": "1"},
    )
    assert not SmsMessage.objects.exists()


def test_send_page_knows_the_exposure_notice_the_trace_already_sent(
    client, dic_user, django_capture_on_commit_callbacks
):
    from tests.stats.factories import TraceRequestFactory
    from tracing_portal.bluezone.services import trace_notify_accepted

    f0 = PersonFactory()
    trace = TraceRequestFactory(case=f0)
    contact = PersonFactory(source=f0, exposure_date=datetime.date(2021, 5, 3))
    accepted_from(trace, contact)
    with django_capture_on_commit_callbacks(execute=True):
        assert trace_notify_accepted(actor=dic_user, trace=trace).created == 1
    client.force_login(dic_user)
    page = client.get(send_url(contact), {"kind": "exposure_notice"})
    assert page.context["already_sent"]
    data = {"template_kind": "exposure_notice", "action": "send"}
    client.post(send_url(contact), data)
    assert SmsMessage.objects.filter(template_kind="exposure_notice").count() == 1
    # Another contact, not from a trace, gets the notice under the page's own purpose.
    other = PersonFactory(source=f0, exposure_date=datetime.date(2021, 5, 3))
    client.post(send_url(other), data)
    assert SmsMessage.objects.get(case=other).purpose == "exposure"
