import datetime
import logging

import pytest
from django.db import transaction
from django.utils import timezone

from tracing_portal.accounts.roles import Role
from tracing_portal.audit.models import AuditEvent
from tracing_portal.cases.models import InstallAsk
from tracing_portal.cases.phones import mask
from tracing_portal.core.exceptions import ApplicationError
from tracing_portal.notifications.gateways import GatewayError, TransientGatewayError
from tracing_portal.notifications.models import SmsMessage, SmsStatus, SmsTemplate
from tracing_portal.notifications.services import (
    AlreadySentError,
    CapReachedError,
    NoPhoneError,
    ReceiptReplayedError,
    UnknownMessageError,
    sms_ask_install,
    sms_message_deliver,
    sms_receipt_ingest,
    sms_render,
    sms_requeue_stale,
    sms_send,
    sms_send_bulk,
)
from tracing_portal.notifications.tasks import sms_deliver

from .factories import PersonFactory


def send(actor, case, kind="install_request", purpose="install", **kwargs):
    return sms_send(actor=actor, case=case, template_kind=kind, purpose=purpose, **kwargs)


def test_message_goes_without_diacritics_by_default(dic_user, person, run_on_commit):
    message = run_on_commit(send, dic_user, person)
    message.refresh_from_db()
    assert message.body.startswith("[SYT Hai Duong] De nghi Nguyen Thi Huong cai Bluezone")
    assert (message.encoding, message.segments) == ("gsm7", 1)
    assert message.status == SmsStatus.SENT
    assert message.provider_id.startswith("console-")
    assert (message.recipient, message.sender, message.province_id) == (person.phone, "8058", "30")
    assert message.idempotency_key == f"case:{person.pk}:install_request:install"


def test_with_diacritics_is_unicode_and_costs_more(dic_user, person):
    message = send(dic_user, person, with_diacritics=True)
    assert "Đề nghị Nguyễn Thị Hương" in message.body
    assert message.encoding == "ucs2"
    assert message.segments == 3


def test_verification_code_is_filled_from_the_trace_request(dic_user, person):
    expiry = datetime.datetime(2020, 8, 21, 3, 15, tzinfo=datetime.UTC)  # 10:15 in Hanoi
    message = send(
        dic_user,
        person,
        kind="verification_code",
        purpose="trace:17",
        extra_context={"ma_xac_thuc": "483920", "het_han": expiry},
    )
    assert message.body == (
        "[SYT Hai Duong] Ma xac thuc Bluezone cua ban la 483920, hieu luc den 10:15 21/08. "
        "Mo ung dung Bluezone > Khai bao > nhap ma. Khong chia se ma nay."
    )
    # "[" and "]" are GSM-7 extension characters: two septets each.
    assert len(message.body) == 146
    rendered = sms_render(
        template=message.template,
        case=person,
        extra_context={"ma_xac_thuc": "483920", "het_han": expiry},
    )
    assert (rendered.length, rendered.segments) == (148, 1)


def test_verification_code_without_the_code_is_refused(dic_user, person):
    with pytest.raises(ApplicationError, match="ma_xac_thuc"):
        send(dic_user, person, kind="verification_code", purpose="trace:1")
    assert not SmsMessage.objects.exists()


def test_exposure_notice_uses_the_exposure_date(dic_user, person):
    person.exposure_date = datetime.date(2020, 8, 14)
    person.save()
    message = send(dic_user, person, kind="exposure_notice", purpose="trace:3")
    assert "ngay 14/08" in message.body
    assert message.segments == 2


def test_unknown_extra_variable_is_a_programming_error(dic_user, person):
    with pytest.raises(ValueError, match="ma_so"):
        send(dic_user, person, extra_context={"ma_so": "1"})


def test_every_sms_is_audited_with_a_masked_number(dic_user, person):
    message = send(dic_user, person)
    event = AuditEvent.objects.get(action="sms_sent")
    assert event.actor == dic_user
    assert event.object_id == str(message.pk)
    assert event.province_id == "30"
    assert event.details["recipient"] == mask(person.phone) == "091****678"
    assert person.phone[3:] not in str(event.details)
    assert event.details["case"] == "HD-000123"


def test_the_same_notice_cannot_be_sent_twice(dic_user, person):
    send(dic_user, person)
    with pytest.raises(AlreadySentError):
        send(dic_user, person)
    assert SmsMessage.objects.count() == 1


def test_a_deliberate_resend_gets_a_suffix_and_records_who_resent(make_user, person):
    first_sender, resender = make_user(Role.DIC), make_user(Role.DIC)
    original = send(first_sender, person)
    SmsMessage.objects.filter(pk=original.pk).update(
        queued_at=timezone.now() - datetime.timedelta(hours=1)
    )
    again = send(resender, person, resend=True)
    assert again.idempotency_key == original.idempotency_key + ":r1"
    assert (again.resend_of, again.resend_number, again.created_by) == (original, 1, resender)
    # A second "send again" right away is a double click, not a third message.
    with pytest.raises(AlreadySentError):
        send(resender, person, resend=True)
    SmsMessage.objects.filter(pk=again.pk).update(
        queued_at=timezone.now() - datetime.timedelta(hours=1)
    )
    assert send(resender, person, resend=True).idempotency_key.endswith(":r2")


def test_a_person_without_a_phone_gets_nothing(dic_user):
    with pytest.raises(NoPhoneError):
        send(dic_user, PersonFactory(phone=""))


def test_a_person_of_another_province_cannot_be_texted(make_user, person):
    with pytest.raises(ApplicationError, match="tỉnh|province"):
        send(make_user(Role.DIC, "01"), person)


def test_daily_cap_per_number(dic_user, person, settings):
    settings.SMS_DAILY_CAP_PER_NUMBER = 2
    send(dic_user, person, purpose="install")
    send(dic_user, person, kind="reminder", purpose="reminder:1")
    with pytest.raises(CapReachedError, match="2"):
        send(dic_user, person, kind="reminder", purpose="reminder:2")
    assert SmsMessage.objects.count() == 2


def test_daily_cap_per_operator_resets_at_local_midnight(dic_user, settings):
    settings.SMS_DAILY_CAP_PER_OPERATOR = 1
    first = send(dic_user, PersonFactory())
    with pytest.raises(CapReachedError, match="1"):
        send(dic_user, PersonFactory())
    # Yesterday's messages (in Asia/Ho_Chi_Minh) do not count.
    midnight = timezone.make_aware(
        datetime.datetime.combine(timezone.localdate(), datetime.time.min)
    )
    SmsMessage.objects.filter(pk=first.pk).update(
        queued_at=midnight - datetime.timedelta(minutes=1)
    )
    assert send(dic_user, PersonFactory()).pk


def test_bulk_reports_what_it_did(dic_user, settings):
    settings.SMS_DAILY_CAP_PER_OPERATOR = 3
    already = PersonFactory()
    send(dic_user, already)
    people = [already, PersonFactory(phone=""), PersonFactory(), PersonFactory(), PersonFactory()]
    result = sms_send_bulk(
        actor=dic_user, cases=people, template_kind="install_request", purpose="install"
    )
    assert (
        result.created,
        result.skipped_already_sent,
        result.skipped_no_phone,
        result.refused_cap,
    ) == (2, 1, 1, 1)
    assert SmsMessage.objects.count() == 3


def test_bulk_refuses_more_than_the_maximum(dic_user, settings):
    settings.SMS_BULK_MAX = 2
    with pytest.raises(ApplicationError):
        sms_send_bulk(
            actor=dic_user,
            cases=[PersonFactory() for _ in range(3)],
            template_kind="install_request",
            purpose="install",
        )
    assert not SmsMessage.objects.exists()


def test_running_the_task_again_sends_nothing(dic_user, person, run_on_commit, caplog):
    message = run_on_commit(send, dic_user, person)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="tracing_portal.notifications.gateways"):
        assert sms_deliver.delay(message.pk).get() == SmsStatus.SENT
    assert "SMS (console)" not in caplog.text
    message.refresh_from_db()
    assert message.attempts == 1


def test_console_gateway_logs_the_text_with_a_masked_number(
    dic_user, person, run_on_commit, caplog
):
    with caplog.at_level(logging.INFO, logger="tracing_portal.notifications.gateways"):
        run_on_commit(send, dic_user, person)
    assert "De nghi Nguyen Thi Huong" in caplog.text
    assert person.phone not in caplog.text


def test_ask_install_texts_and_logs_the_ask(dic_user, person, run_on_commit):
    message = run_on_commit(sms_ask_install, actor=dic_user, case=person)
    assert message.template_kind == "install_request"
    ask = InstallAsk.objects.get(case=person)
    assert (ask.channel, ask.asked_by) == ("sms", dic_user)


def test_install_request_to_a_selection_counts_as_asks_to_install(dic_user):
    people = [PersonFactory(), PersonFactory()]
    result = sms_send_bulk(
        actor=dic_user, cases=people, template_kind="install_request", purpose="install"
    )
    assert result.created == 2
    asks = InstallAsk.objects.filter(case__in=people)
    assert sorted(a.case_id for a in asks) == sorted(p.pk for p in people)
    assert {(a.channel, a.asked_by_id) for a in asks} == {("sms", dic_user.pk)}
    # The selection again: nothing sent, nothing more logged.
    sms_send_bulk(actor=dic_user, cases=people, template_kind="install_request", purpose="install")
    assert InstallAsk.objects.count() == 2


def test_other_messages_are_not_asks_to_install(dic_user, person):
    send(dic_user, person, kind="reminder", purpose="reminder:1")
    assert not InstallAsk.objects.exists()


def test_a_refused_install_request_logs_no_ask(dic_user, person, settings):
    settings.SMS_DAILY_CAP_PER_OPERATOR = 0
    with pytest.raises(CapReachedError):
        sms_ask_install(actor=dic_user, case=person)
    assert not InstallAsk.objects.exists()


@pytest.mark.parametrize(
    "role",
    [Role.CDC, Role.POLICE, Role.OFFICIAL, Role.PROVINCE_ADMIN, Role.NATIONAL_ADMIN],
)
def test_only_dic_may_send_whatever_the_caller(make_user, person, role):
    actor = make_user(role)
    with pytest.raises(ApplicationError, match="text messages|tin nhắn"):
        send(actor, person)
    with pytest.raises(ApplicationError, match="text messages|tin nhắn"):
        sms_send_bulk(actor=actor, cases=[person], template_kind="reminder", purpose="r")
    with pytest.raises(ApplicationError, match="text messages|tin nhắn"):
        sms_ask_install(actor=actor, case=person)
    assert not SmsMessage.objects.exists()
    assert not InstallAsk.objects.exists()


def test_no_install_request_to_someone_who_has_bluezone(dic_user):
    with pytest.raises(ApplicationError):
        send(dic_user, PersonFactory(bluezone_status="installed"))
    assert not SmsMessage.objects.exists()


def test_ask_install_when_already_installed_sends_nothing(dic_user):
    person = PersonFactory(bluezone_status="installed")
    with pytest.raises(ApplicationError):
        sms_ask_install(actor=dic_user, case=person)
    assert not SmsMessage.objects.exists()
    assert not InstallAsk.objects.exists()


def test_province_template_replaces_the_default_there_only(dic_user, make_user, person):
    SmsTemplate.objects.create(
        kind="install_request", province_id="30", body="[CDC {tinh}] {ho_ten} oi, cai Bluezone."
    )
    hn_person = PersonFactory(province_id="01")
    assert send(dic_user, person).body == "[CDC Hai Duong] Nguyen Thi Huong oi, cai Bluezone."
    assert "De nghi" in send(make_user(Role.DIC, "01"), hn_person).body


def receipt(message, status="delivered", minute=1, **kwargs):
    return sms_receipt_ingest(
        provider_id=message.provider_id,
        client_ref=message.idempotency_key,
        status=status,
        occurred_at=datetime.datetime(2020, 8, 21, 3, minute, tzinfo=datetime.UTC),
        **kwargs,
    )


def test_delivery_receipt_marks_delivered_and_a_replay_changes_nothing(
    dic_user, person, run_on_commit
):
    message = run_on_commit(send, dic_user, person)
    message.refresh_from_db()
    receipt(message)
    message.refresh_from_db()
    assert message.status == SmsStatus.DELIVERED
    assert message.delivered_at == datetime.datetime(2020, 8, 21, 3, 1, tzinfo=datetime.UTC)
    with pytest.raises(ReceiptReplayedError):
        receipt(message)
    assert message.receipts.count() == 1


def test_failed_receipt_keeps_the_operators_reason(dic_user, person, run_on_commit):
    message = run_on_commit(send, dic_user, person)
    message.refresh_from_db()
    receipt(message, status="failed", error_code="absent_subscriber")
    message.refresh_from_db()
    assert (message.status, message.error) == (SmsStatus.FAILED, "absent_subscriber")


def test_receipt_that_overtakes_the_send_answer_is_matched_by_client_ref(dic_user, person):
    message = send(dic_user, person)  # still queued: the task has not recorded the answer
    sms_receipt_ingest(
        provider_id="SB123",
        client_ref=message.idempotency_key,
        status="delivered",
        occurred_at=timezone.now(),
    )
    sms_deliver.delay(message.pk)
    message.refresh_from_db()
    assert (message.status, message.provider_id) == (SmsStatus.DELIVERED, "SB123")


def test_receipt_for_an_unknown_message_is_refused(db):
    with pytest.raises(UnknownMessageError):
        sms_receipt_ingest(
            provider_id="nope", client_ref="nope", status="delivered", occurred_at=timezone.now()
        )


def test_requeue_sends_messages_whose_worker_died(dic_user, person):
    stale = send(dic_user, person)
    fresh = send(dic_user, PersonFactory())
    SmsMessage.objects.filter(pk=stale.pk).update(
        next_attempt_at=timezone.now() - datetime.timedelta(hours=1)
    )
    assert sms_requeue_stale() == 1
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert (stale.status, fresh.status) == (SmsStatus.SENT, SmsStatus.QUEUED)


def test_the_message_is_handed_over_only_after_commit(dic_user, person, caplog):
    with caplog.at_level(logging.INFO, logger="tracing_portal.notifications.gateways"):
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                send(dic_user, person)
                raise RuntimeError("the caller's transaction fails")
        assert not SmsMessage.objects.exists()
        assert "SMS (console)" not in caplog.text
        # Committed: queued, and the task runs only once the commit is done.
        message = send(dic_user, person)
        message.refresh_from_db()
        assert (message.status, message.attempts) == (SmsStatus.QUEUED, 0)
        assert "SMS (console)" not in caplog.text


class OperatorDown:
    """A gateway whose operator answers 503 (or 429 with Retry-After) every time."""

    name = "down"

    def __init__(self, *, retry_after=None, transient=True):
        self.retry_after = retry_after
        self.transient = transient

    def send(self, sms):
        if not self.transient:
            raise GatewayError("invalid_number", "not a mobile number")
        raise TransientGatewayError("unavailable", retry_after=self.retry_after)


def test_transient_failures_back_off_exponentially_then_give_up(dic_user, person, settings):
    settings.SMS_BACKOFF_SECONDS = 10
    settings.SMS_MAX_ATTEMPTS = 4
    message = send(dic_user, person)  # queued; the delivery task has not run
    waits = []
    for _ in range(3):
        before = timezone.now()
        outcome = sms_message_deliver(message_id=message.pk, gateway=OperatorDown())
        message.refresh_from_db()
        assert message.status == SmsStatus.QUEUED
        assert message.error.startswith("unavailable")
        due = (message.next_attempt_at - before).total_seconds()
        assert abs(due - outcome.retry_in) < 1
        waits.append(outcome.retry_in)
    # 10 s, 20 s, 40 s, each ±20% so that a burst's retries do not arrive together.
    for wait, base in zip(waits, [10, 20, 40], strict=True):
        assert base * 0.8 <= wait <= base * 1.2
    last = sms_message_deliver(message_id=message.pk, gateway=OperatorDown())
    message.refresh_from_db()
    assert last.retry_in is None
    assert (message.status, message.attempts) == (SmsStatus.FAILED, 4)
    assert message.error.startswith("gave up after 4 attempts")
    assert message.failed_at is not None and message.next_attempt_at is None


def test_the_operators_retry_after_is_honoured(dic_user, person, settings):
    settings.SMS_BACKOFF_SECONDS = 1
    message = send(dic_user, person)
    outcome = sms_message_deliver(message_id=message.pk, gateway=OperatorDown(retry_after=120))
    assert outcome.retry_in == 120


def test_a_final_refusal_is_not_retried(dic_user, person):
    message = send(dic_user, person)
    outcome = sms_message_deliver(message_id=message.pk, gateway=OperatorDown(transient=False))
    message.refresh_from_db()
    assert outcome.retry_in is None
    assert (message.status, message.attempts) == (SmsStatus.FAILED, 1)
    assert message.error.startswith("invalid_number")
