"""The dashboard's tracing section in a real Chromium: its charts draw, its tables are
reached with the keyboard, and its range form narrows the figures."""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from tracing_portal.accounts.roles import Role

from .conftest import HD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def signed_in(page, live_server, user):
    """The browser carries a session made by Django's test client (no sign-in form)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
    )


def test_tracing_section_draws_its_charts_and_narrows_to_a_range(
    live_server, page, make_user, every_province_days, tracing_data
):
    every_province_days(2)
    tracing_data(3, province=HD)
    signed_in(page, live_server, make_user(Role.OFFICIAL, HD))
    errors = []
    page.on(
        "console",
        lambda msg: (
            errors.append((msg.text, msg.location.get("url", ""))) if msg.type == "error" else None
        ),
    )

    page.goto(f"{live_server.url}/stats/")
    section = page.get_by_test_id("tracing-figures")
    expect(section.get_by_role("heading", name="Số liệu truy vết: Hải Dương")).to_be_visible()
    for name in ("people", "coverage", "traces"):
        expect(page.get_by_test_id(f"chart-tracing-{name}")).to_have_attribute(
            "data-rendered", "1", timeout=20_000
        )
    expect(page.get_by_test_id("tracing-f0")).to_have_text("3")
    expect(page.get_by_test_id("tracing-median")).to_have_text("3 giờ 0 phút")

    # The tables scroll from the keyboard: each sits in a focusable, named region.
    region = section.get_by_role("region", name="Số người theo cấp và tình trạng (bảng)")
    region.focus()
    expect(region).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_test_id("chart-tracing-people")).to_be_focused()

    # A range without any of the data: the figures drop to zero, the install part stays.
    section.get_by_label("Từ ngày").fill("2020-08-01")
    section.get_by_label("Đến ngày").fill("2020-08-10")
    section.get_by_label("Đến ngày").press("Enter")
    expect(page).to_have_url(
        f"{live_server.url}/stats/?denominator=population&date_from=2020-08-01"
        "&date_to=2020-08-10#tracing"
    )
    expect(page.get_by_test_id("tracing-period")).to_contain_text("Từ 01/08/2020 đến 10/08/2020")
    expect(page.get_by_test_id("tracing-f0")).to_have_text("0")
    expect(page.get_by_test_id("headline-rank")).to_be_visible()
    assert [e for e in errors if not e[1].endswith("/favicon.ico")] == []
