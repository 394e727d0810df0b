"""The whole journey across roles in Chromium, with a real Celery worker doing the work
behind the pages: police enters an F0 with two contacts, CDC verifies, DIC traces and texts
the code, the F0 enters it on the (sandbox) phone, CDC accepts the candidates, DIC texts the
exposure notices, an F1 tests positive and is re-levelled, and the official's dashboard
shows the new figures.

A screenshot of each step is kept in artifacts/journey/NN-step.png (CI keeps the working
tree). Runs on PostgreSQL with CELERY_BROKER_URL set (CI's second run).
"""

import re
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from playwright.sync_api import expect

from tests import signin
from tests.bluezone.test_worker import worker  # noqa: F401 - the worker fixture
from tests.workers import REAL_WORKER_MARKS, wait_for
from tracing_portal.accounts.roles import Role
from tracing_portal.bluezone.models import IngestState, TraceRequest
from tracing_portal.bluezone.sandbox import scenario
from tracing_portal.bluezone.sandbox.services import cancel_timers
from tracing_portal.cases.models import Case
from tracing_portal.notifications.models import SmsMessage, SmsStatus

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "artifacts" / "journey"

F0_PHONE, F0_MSISDN = "0912 345 678", "84912345678"
CONTACTS = [("Trần Thị Liên", "0987 654 321"), ("Lê Văn Hải", "0987 654 322")]

pytestmark = [
    pytest.mark.browser,
    *REAL_WORKER_MARKS,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


class Shots:
    def __init__(self, page):
        self.page = page
        self.number = 0
        SHOTS.mkdir(parents=True, exist_ok=True)

    def take(self, step: str) -> None:
        self.number += 1
        self.page.screenshot(path=SHOTS / f"{self.number:02d}-{step}.png", full_page=True)


def sign_in(page, base, user, password):
    signin.sign_in(page, base, user, password)
    expect(page.get_by_test_id("role")).to_be_visible()


def sign_out(page):
    page.get_by_role("button", name="Đăng xuất").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def reload_until(page, locator, timeout=60.0):
    """Reload the page until the worker's work shows on it."""
    deadline = time.monotonic() + timeout
    while locator.count() == 0 or not locator.first.is_visible():
        assert time.monotonic() < deadline, f"not shown on {page.url}: {locator}"
        time.sleep(0.5)
        page.reload()


def test_the_whole_journey_across_roles_with_a_worker(worker, page, make_user, password):  # noqa: F811
    base = django_settings.SITE_URL
    police, cdc = make_user(Role.POLICE), make_user(Role.CDC)
    dic, official = make_user(Role.DIC), make_user(Role.OFFICIAL)
    # What Bluezone knows: the F0 and both contacts have the app and met for a while.
    scenario.register(F0_MSISDN, province_code="30")
    for minutes, (_name, phone) in zip((45, 30), CONTACTS, strict=True):
        scenario.meet(F0_MSISDN, "84" + phone.replace(" ", "")[1:], minutes=minutes, rssi=-58)
    shots = Shots(page)

    # 1. Police enters the F0 and two contacts.
    sign_in(page, base, police, password)
    page.get_by_role("link", name="Nhập người mới").first.click()
    page.get_by_label("Họ và tên").fill("Nguyễn Văn Thành")
    page.get_by_label("Năm sinh").fill("1974")
    page.get_by_label("Số điện thoại").fill(F0_PHONE)
    page.get_by_label("Cấp độ").select_option("0")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("HD-")
    f0 = Case.objects.get(phone="+" + F0_MSISDN)
    for name, phone in CONTACTS:
        form = page.locator("form").filter(
            has=page.get_by_role("button", name="Thêm người tiếp xúc")
        )
        form.get_by_label("Họ và tên").fill(name)
        form.get_by_label("Số điện thoại").fill(phone)
        form.get_by_label("Mối quan hệ").select_option("household")
        form.get_by_role("button", name="Thêm người tiếp xúc").click()
        expect(page.get_by_text("đã được thêm")).to_be_visible()
    assert Case.objects.filter(source=f0, level=1).count() == 2
    shots.take("police-entered-f0-and-contacts")
    sign_out(page)

    # 2. CDC verifies the F0.
    sign_in(page, base, cdc, password)
    page.goto(f"{base}/cases/{f0.code}/")
    page.get_by_role("button", name="Xác minh phân loại").click()
    expect(page.get_by_text(f"{f0.code} đã được xác minh")).to_be_visible()
    shots.take("cdc-verified")
    sign_out(page)

    # 3. DIC (password and authenticator code) opens the trace and texts the code.
    sign_in(page, base, dic, password)
    page.get_by_role("navigation").get_by_role("link", name="Truy vết", exact=True).click()
    queue = page.get_by_test_id("queue")
    expect(queue).to_contain_text(f0.code)
    queue.get_by_role("button").first.click()
    reload_until(page, page.get_by_test_id("verification-code"))  # the worker submitted it
    code = page.get_by_test_id("verification-code").inner_text().strip()
    assert re.fullmatch(r"\d{6}", code)
    trace_url = page.url
    page.get_by_role("button", name="Gửi mã bằng tin nhắn").click()
    expect(page.get_by_text("Đã gửi mã bằng tin nhắn")).to_be_visible()
    shots.take("dic-sent-the-code")
    assert wait_for(
        lambda: SmsMessage.objects.filter(
            case=f0, template_kind="verification_code", status=SmsStatus.SENT
        ).exists()
    ), "the worker did not send the code"
    assert code in SmsMessage.objects.get(case=f0, template_kind="verification_code").body
    sign_out(page)

    # 4. The F0 enters the code on the phone.
    page.goto(f"{base}/bluezone-sandbox/phone/")
    page.locator("input[name=msisdn]").fill(F0_PHONE)
    page.locator("input[name=code]").fill(code)
    page.locator("main button[type=submit]").click()
    expect(page.locator("main")).to_contain_text(re.compile("Hoàn tất|tải lên|completed", re.I))
    shots.take("f0-entered-the-code")

    # 5. CDC accepts the candidates (the webhook and the worker brought them in).
    assert wait_for(lambda: TraceRequest.objects.get(case=f0).ingest_state == IngestState.DONE), (
        "the worker did not ingest the contacts"
    )
    sign_in(page, base, cdc, password)
    page.goto(trace_url)
    expect(page.get_by_test_id("trace-status")).to_have_text("Hoàn tất")
    page.get_by_role("button", name="Chấp nhận tất cả người vượt ngưỡng").click()
    expect(page.locator(".message-success")).to_be_visible()
    trace = TraceRequest.objects.get(case=f0)
    accepted = set(trace.contacts.filter(review="accepted").values_list("phone", flat=True))
    contact_phones = {"+84" + p.replace(" ", "")[1:] for _n, p in CONTACTS}
    assert contact_phones <= accepted
    # The two contacts police entered are linked, not entered twice.
    for phone in contact_phones:
        assert Case.objects.filter(phone=phone).count() == 1
    shots.take("cdc-accepted-the-candidates")
    sign_out(page)

    # 6. DIC texts the exposure notices.
    sign_in(page, base, dic, password)
    page.goto(trace_url)
    page.get_by_role("button", name="Nhắn tin thông báo cho người tiếp xúc đã chấp nhận").click()
    expect(page.locator(".message-success")).to_be_visible()
    shots.take("dic-sent-the-notices")
    notices = SmsMessage.objects.filter(
        template_kind="exposure_notice", purpose=f"trace:{trace.pk}"
    )
    assert notices.exists()
    assert wait_for(lambda: not notices.filter(status=SmsStatus.QUEUED).exists()), (
        "the worker did not send every notice"
    )
    sent = dict(notices.values_list("recipient", "status"))
    assert set(sent) <= accepted and contact_phones <= set(sent), (sent, accepted)
    assert set(sent.values()) == {SmsStatus.SENT}, sent
    sign_out(page)

    # 7. The first contact tests positive: CDC makes them an F0.
    positive = Case.objects.get(phone=sorted(contact_phones)[0])
    sign_in(page, base, cdc, password)
    page.goto(f"{base}/cases/{positive.code}/")
    page.get_by_role("button", name="Dương tính: chuyển thành F0").click()
    expect(page.get_by_text("Đã chuyển cấp độ.")).to_be_visible()
    positive.refresh_from_db()
    assert positive.level == 0
    shots.take("cdc-relevelled-the-positive-f1")
    sign_out(page)

    # 8. The official's dashboard counts two F0 and the remaining F1s.
    sign_in(page, base, official, password)
    page.goto(f"{base}/stats/#tracing")
    figures = page.get_by_test_id("tracing-figures")
    expect(figures).to_be_visible()
    f1_count = Case.objects.filter(level=1).count()
    expect(page.get_by_test_id("tracing-f0")).to_have_text("2")
    expect(page.get_by_test_id("tracing-f1")).to_have_text(str(f1_count))
    figures.scroll_into_view_if_needed()
    shots.take("official-dashboard")
    cancel_timers()
