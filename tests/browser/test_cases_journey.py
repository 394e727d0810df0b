import re

import pytest
from playwright.sync_api import expect

from tests import signin
from tracing_portal.accounts.roles import Role
from tracing_portal.cases.models import Case

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def sign_in(page, base_url, user, password):
    # Password, then the authenticator code for the roles that need one.
    signin.sign_in(page, base_url, user, password)
    expect(page.get_by_test_id("role")).to_be_visible()


def sign_out(page):
    page.get_by_role("button", name="Đăng xuất").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_police_enters_f0_and_f1_and_cdc_verifies_both(live_server, page, make_user, password):
    police = make_user(Role.POLICE)
    cdc = make_user(Role.CDC)

    sign_in(page, live_server.url, police, password)
    page.get_by_role("link", name="Nhập người mới").first.click()
    page.get_by_label("Họ và tên").fill("Nguyễn Văn Thành")
    page.get_by_label("Năm sinh").fill("1974")
    page.get_by_label("Số điện thoại").fill("0912 345 678")
    page.get_by_label("Cấp độ").select_option("0")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("HD-000001")

    page.get_by_label("Họ và tên").fill("Trần Thị Liên")
    page.get_by_label("Mối quan hệ").select_option("household")
    page.get_by_role("button", name="Thêm người tiếp xúc").click()
    expect(page.get_by_text("HD-000002 đã được thêm")).to_be_visible()
    sign_out(page)

    sign_in(page, live_server.url, cdc, password)
    for code in ["HD-000001", "HD-000002"]:
        page.goto(f"{live_server.url}/cases/{code}/")
        page.get_by_role("button", name="Xác minh phân loại").click()
        expect(page.get_by_text(f"{code} đã được xác minh")).to_be_visible()

    f0, f1 = Case.objects.order_by("code")
    assert (f0.level, f1.level) == (0, 1)
    assert f1.source_id == f0.pk
    assert {f0.verification, f1.verification} == {"verified"}
    assert f0.classification_verified_by_id == cdc.pk


def test_cdc_relevels_a_positive_f1_and_sees_the_chain_drawn(
    live_server, page, make_user, password
):
    from tracing_portal.cases.services import case_add_contact, case_create

    cdc, police = make_user(Role.CDC), make_user(Role.POLICE)
    f0 = case_create(actor=cdc, full_name="Nguyễn Văn Thành").case
    f1 = case_add_contact(
        actor=police, source=f0, full_name="Trần Thị Một", relation="household"
    ).case
    f2 = case_add_contact(
        actor=police, source=f1, full_name="Lê Văn Hai", relation="workplace"
    ).case
    case_add_contact(actor=police, source=f2, full_name="Phạm Thị Ba", relation="household")

    sign_in(page, live_server.url, cdc, password)
    page.goto(f"{live_server.url}/cases/{f1.code}/")
    page.get_by_role("button", name="Dương tính: chuyển thành F0").click()
    expect(page.get_by_text("Đã chuyển cấp độ.")).to_be_visible()
    expect(page.get_by_test_id("level-counts")).to_contain_text("F1: 1")
    expect(page.get_by_test_id("level-counts")).to_contain_text("F2: 1")
    assert Case.objects.get(pk=f2.pk).level == 1

    page.get_by_role("link", name="Sơ đồ chuỗi lây").click()
    chart = page.locator("#chain-chart")
    expect(chart).to_have_attribute("data-rendered", "1")
    expect(chart.locator("svg.main-svg").first).to_be_visible()
    expect(page.locator("#chain-chart .legendtext")).to_have_count(3)
