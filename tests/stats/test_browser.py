"""The dashboard in a real Chromium: charts, map and nothing fetched from outside."""

from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from tests import signin
from tracing_portal.accounts.roles import Role

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LOCAL_HOSTS = {"127.0.0.1", "localhost"}


def host_of(url: str) -> str | None:
    # Workers and images made in the page are blob: or data: URLs of the page itself.
    if url.startswith("data:"):
        return "127.0.0.1"
    return urlparse(url.removeprefix("blob:")).hostname


def sign_in(page, live_server, user, password):
    # Password, then the authenticator code for the roles that need one.
    signin.sign_in(page, live_server.url, user, password)
    expect(page.get_by_test_id("role")).to_be_visible()


def test_dashboard_draws_its_charts_and_map_with_nothing_from_outside(
    live_server, page, make_user, password, every_province_days
):
    every_province_days(30)
    official = make_user(Role.OFFICIAL, "30")
    requests, failures, errors = [], [], []
    page.on("request", lambda request: requests.append(request.url))
    page.on("requestfailed", lambda request: failures.append(request.url))
    page.on(
        "console",
        lambda msg: (
            errors.append((msg.text, msg.location.get("url", ""))) if msg.type == "error" else None
        ),
    )
    sign_in(page, live_server, official, password)

    page.get_by_role("navigation", name="Menu chính").get_by_role(
        "link", name="Bảng điều khiển"
    ).click()
    expect(page.get_by_role("heading", name="Lượt cài Bluezone: Hải Dương")).to_be_visible()
    for name in ("trend", "bar", "map"):
        expect(page.get_by_test_id(f"chart-{name}")).to_have_attribute(
            "data-rendered", "1", timeout=20_000
        )
    expect(page.locator("#chart-map canvas.maplibregl-canvas")).to_be_visible()
    expect(page.locator("#chart-bar .main-svg").first).to_be_visible()
    page.wait_for_load_state("networkidle")

    # No mode bar offers "Share chart...": it would post the figures to Plotly's cloud.
    titles = page.locator(".modebar-btn").evaluate_all(
        "buttons => buttons.map(b => b.getAttribute('data-title'))"
    )
    assert len(titles) > 10
    assert "Share chart..." not in titles
    # ...and it speaks the page's language.
    assert "Tải biểu đồ xuống dạng ảnh PNG" in titles and "Đặt lại các trục" in titles
    assert "Download plot as a PNG" not in titles

    # The trend's right axis (the rank) keeps its title inside the chart.
    chart = page.get_by_test_id("chart-trend").bounding_box()
    title = page.locator("#chart-trend .g-y2title text").bounding_box()
    assert chart["x"] < title["x"] and title["x"] + title["width"] <= chart["x"] + chart["width"]

    assert page.evaluate("typeof window.Plotly.newPlot") == "function"
    assert any("/static-lib/plotly.min.js" in url for url in requests)
    assert any("/stats/provinces.geojson" in url for url in requests)
    outside = [url for url in requests if host_of(url) not in LOCAL_HOSTS]
    assert outside == []
    assert failures == []
    assert [e for e in errors if not e[1].endswith("/favicon.ico")] == []


def test_league_table_sorts_by_a_column_from_the_keyboard(
    live_server, page, make_user, password, every_province_days
):
    every_province_days(1)
    sign_in(page, live_server, make_user(Role.OFFICIAL, "30"), password)
    page.goto(f"{live_server.url}/stats/")
    table = page.get_by_test_id("league-table")
    own = table.locator("tr[data-own='true']")
    expect(own).to_have_class("highlight")

    province_header = table.get_by_role("button", name="Tỉnh/Thành phố")
    province_header.focus()
    page.keyboard.press("Enter")
    expect(table.locator("th").nth(1)).to_have_attribute("aria-sort", "ascending")
    expect(table.locator("tbody tr").first).to_have_attribute("data-province", "89")  # An Giang
    page.keyboard.press("Enter")
    expect(table.locator("th").nth(1)).to_have_attribute("aria-sort", "descending")
