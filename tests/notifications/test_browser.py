import pytest
from playwright.sync_api import expect

from tests import signin
from tracing_portal.accounts.roles import Role
from tracing_portal.notifications.models import SmsMessage

from .factories import PersonFactory
from .test_text import DIACRITICS, SEGMENTS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def sign_in(page, live_server, user, password):
    # Password, then the authenticator code for the roles that need one.
    signin.sign_in(page, live_server.url, user, password)
    page.wait_for_url(f"{live_server.url}/")


def test_counter_script_counts_and_strips_like_the_server(live_server, page, make_user, password):
    person = PersonFactory(code="HD-000321")
    sign_in(page, live_server, make_user(Role.DIC), password)
    page.goto(f"{live_server.url}/sms/send/{person.code}/")
    counts = page.evaluate(
        "texts => texts.map(t => { const c = window.smsCount(t);"
        " return [c.encoding, c.length, c.segments]; })",
        [text for text, *_ in SEGMENTS],
    )
    assert counts == [[encoding, length, parts] for _t, encoding, length, parts in SEGMENTS]
    stripped = page.evaluate(
        "texts => texts.map(window.smsStripDiacritics)", [text for text, _ in DIACRITICS]
    )
    assert stripped == [expected for _t, expected in DIACRITICS]


def test_live_preview_follows_the_choices_and_send_goes_once(
    live_server, page, make_user, password
):
    person = PersonFactory(code="HD-000322", full_name="Trần Văn Đức")
    sign_in(page, live_server, make_user(Role.DIC), password)
    page.goto(f"{live_server.url}/sms/send/{person.code}/")
    text = page.locator("[data-sms-text]")
    count = page.locator("[data-sms-count]")
    expect(text).to_contain_text("De nghi Tran Van Duc cai Bluezone")
    expect(count).to_contain_text("GSM-7")
    page.locator("input[name=with_diacritics]").check()
    expect(text).to_contain_text("Đề nghị Trần Văn Đức cài Bluezone")
    expect(count).to_contain_text("UCS-2")
    page.locator("select[name=template_kind]").select_option("reminder")
    expect(text).to_contain_text("Trần Văn Đức (HD-000322): tự theo dõi sức khỏe")
    page.locator("select[name=template_kind]").select_option("install_request")
    page.locator("input[name=with_diacritics]").uncheck()
    send = page.locator("[data-sms-send] button")
    expect(page.locator("[data-sms-resend] button")).to_be_hidden()
    send.dblclick()
    expect(page.locator("[data-sms-resend] button")).to_be_visible()
    expect(send).to_be_hidden()
    assert SmsMessage.objects.filter(case=person).count() == 1
    assert SmsMessage.objects.get(case=person).encoding == "gsm7"
