import re

import pytest
from playwright.sync_api import expect

from tracing_portal.accounts.roles import Role
from tracing_portal.bluezone.models import TraceRequest
from tracing_portal.bluezone.sandbox import scenario
from tracing_portal.cases.models import Case
from tracing_portal.cases.services import case_create, case_verify

from .test_cases_journey import sign_in, sign_out

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def over_http(live_server, settings):
    settings.SITE_URL = live_server.url
    settings.BLUEZONE_SANDBOX_TRANSPORT = "http"
    yield live_server
    from tracing_portal.bluezone.sandbox.services import cancel_timers

    cancel_timers()


def test_dic_traces_an_f0_and_cdc_accepts_two_candidates(over_http, page, make_user, password):
    dic, cdc = make_user(Role.DIC), make_user(Role.CDC)
    f0 = case_create(actor=cdc, full_name="Nguyễn Văn Thành", phone="0912 345 678").case
    case_verify(actor=cdc, case=f0)
    scenario.register("84912345678", province_code="30")
    scenario.meet("84912345678", "84987654321", minutes=45, rssi=-58)
    base = over_http.url

    # 1. DIC opens the trace from the queue and reads the code.
    sign_in(page, base, dic, password)
    page.get_by_role("navigation").get_by_role("link", name="Truy vết", exact=True).click()
    queue = page.get_by_test_id("queue")
    expect(queue).to_contain_text(f0.code)
    queue.get_by_role("button").first.click()
    code = page.get_by_test_id("verification-code").inner_text().strip()
    assert re.fullmatch(r"\d{6}", code)
    trace_url = page.url
    sign_out(page)

    # 2. The F0 enters the code on the (sandbox) phone.
    page.goto(f"{base}/bluezone-sandbox/phone/")
    page.locator("input[name=msisdn]").fill("0912 345 678")
    page.locator("input[name=code]").fill(code)
    page.locator("main button[type=submit]").click()
    expect(page.locator("main")).to_contain_text(re.compile("Hoàn tất|tải lên|completed", re.I))

    # 3. The candidates appear (the webhook reached the portal over HTTP).
    sign_in(page, base, cdc, password)
    page.goto(trace_url)
    expect(page.get_by_test_id("trace-status")).to_have_text("Hoàn tất")
    rows = page.get_by_test_id("candidates").locator("tbody tr[data-has-phone='1']")
    expect(rows.first).to_be_visible()
    assert rows.count() >= 2

    # 4. CDC accepts two.
    for _ in range(2):
        pending = (
            page.get_by_test_id("candidates")
            .locator("tbody tr")
            .filter(has=page.get_by_role("button", name="Chấp nhận"))
        )
        pending.first.get_by_role("button", name="Chấp nhận").click()
        expect(page.locator(".message-success")).to_be_visible()
    trace = TraceRequest.objects.get(case=f0)
    accepted = list(trace.contacts.filter(review="accepted"))
    assert len(accepted) == 2
    assert Case.objects.filter(source=f0, relation="bluezone").count() == 2
