import re

import pytest
from playwright.sync_api import expect

from tests.signin import enroll_totp, totp_code
from tracing_portal.accounts.roles import Role

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_dic_operator_signs_in_through_the_login_page(live_server, page, make_user, password):
    user = make_user(Role.DIC)
    device = enroll_totp(user)
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    page.get_by_label("Tên đăng nhập").fill(user.username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    # DIC works with personal data: the password is followed by the authenticator's code.
    expect(page).to_have_url(re.compile(r"/accounts/otp/"))
    page.get_by_label("Mã xác thực").fill(totp_code(device))
    page.get_by_role("button", name="Tiếp tục").click()
    expect(page.get_by_test_id("role")).to_contain_text("Cán bộ Sở TT&TT")
    expect(page.get_by_test_id("user-name")).to_contain_text(user.full_name)


def test_keyboard_user_signs_in_and_can_skip_to_content(live_server, page, make_user, password):
    user = make_user(Role.CDC)
    page.goto(f"{live_server.url}/accounts/login/")
    # The username field has focus on arrival, so the officer can type at once.
    expect(page.get_by_label("Tên đăng nhập")).to_be_focused()
    page.keyboard.type(user.username)
    page.keyboard.press("Tab")
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("role")).to_contain_text("Cán bộ CDC")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Bỏ qua đến nội dung")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()
