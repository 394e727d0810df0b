"""Swagger UI and ReDoc in a real Chromium: they draw the API from local files only, under
the portal's Content Security Policy."""

import re

import pytest
from playwright.sync_api import expect

from tracing_portal.accounts.roles import Role

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def sign_in(page, live_server, user, password):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(user.username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_test_id("role")).to_be_visible()


def watch(page, live_server):
    """Requests to any other site, and console errors (CSP refusals among them)."""
    outside, errors = [], []
    page.on(
        "request",
        lambda r: outside.append(r.url) if not r.url.startswith(live_server.url) else None,
    )
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    return outside, errors


def test_swagger_ui_lists_the_operations_and_tries_one(live_server, page, make_user, password):
    user = make_user(Role.CDC)
    sign_in(page, live_server, user, password)
    outside, errors = watch(page, live_server)
    page.goto(f"{live_server.url}/api/v1/docs/")
    expect(page.get_by_text("Tracing portal API").first).to_be_visible()
    operation = page.locator("#operations-account-me_retrieve")
    expect(operation).to_be_visible()
    operation.click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    expect(page.locator(".live-responses-table")).to_contain_text(user.username)
    assert outside == [] and errors == []


def test_redoc_draws_the_reference(live_server, page, make_user, password):
    sign_in(page, live_server, make_user(Role.CDC), password)
    outside, errors = watch(page, live_server)
    page.goto(f"{live_server.url}/api/v1/redoc/")
    expect(page.get_by_role("heading", name=re.compile("Tracing portal API"))).to_be_visible()
    expect(page.get_by_text("/api/v1/people/").first).to_be_attached()
    # Its web worker is a blob: of this page; nothing comes from another site.
    assert [url for url in outside if not url.startswith("blob:")] == [] and errors == []
