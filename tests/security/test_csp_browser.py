"""The Content-Security-Policy in a real Chromium: the charts (plotly.js with MapLibre's
blob: worker) still draw, and the browser reports no violation at all."""

import re

import pytest
from playwright.sync_api import expect

from tests.signin import sign_in
from tests.stats.conftest import every_province_days  # noqa: F401 - fixture
from tracing_portal.accounts.roles import Role
from tracing_portal.cases.services import case_add_contact, case_create

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push([e.violatedDirective, e.blockedURI, e.sourceFile, e.lineNumber]);
});
"""


def watch(page):
    page.add_init_script(WATCH)
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    return errors


def violations(page):
    return page.evaluate("window.__csp")


def test_dashboard_map_and_charts_draw_under_the_csp(
    live_server,
    page,
    make_user,
    password,
    every_province_days,  # noqa: F811
):
    every_province_days(10)
    errors = watch(page)
    # A national administrator: the sign-in includes the authenticator code.
    sign_in(page, live_server.url, make_user(Role.NATIONAL_ADMIN), password)
    page.goto(f"{live_server.url}/stats/?province=30")
    for name in ("trend", "bar", "map"):
        expect(page.get_by_test_id(f"chart-{name}")).to_have_attribute(
            "data-rendered", "1", timeout=20_000
        )
    expect(page.locator("#chart-map canvas.maplibregl-canvas")).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert violations(page) == []
    assert [e for e in errors if "Content Security Policy" in e] == []
    # plotly.js found its stylesheets as files and injected no <style>.
    assert page.locator("head style").count() == 0


def test_chain_chart_draws_under_the_csp(live_server, page, make_user, password):
    cdc = make_user(Role.CDC)
    f0 = case_create(
        actor=cdc, level=0, f0_status="confirmed", full_name="Nguyễn Văn A", phone="0912345678"
    ).case
    case_add_contact(actor=cdc, source=f0, full_name="Trần Thị B", relation="household")
    errors = watch(page)
    sign_in(page, live_server.url, cdc, password)
    page.goto(f"{live_server.url}/cases/{f0.code}/chain/")
    expect(page.locator("[data-figure][data-rendered='1']")).to_have_count(1, timeout=20_000)
    expect(page.locator("[data-figure] .main-svg").first).to_be_visible()
    assert violations(page) == []
    assert [e for e in errors if "Content Security Policy" in e] == []


def test_authenticator_setup_page_shows_its_qr_code_under_the_csp(
    live_server, page, make_user, password
):
    user = make_user(Role.CDC)
    errors = watch(page)
    sign_in(page, live_server.url, user, password)
    page.goto(f"{live_server.url}/accounts/otp/setup/")
    expect(page.get_by_test_id("otp-qr").locator("svg")).to_be_visible()
    expect(page.get_by_test_id("otp-secret")).to_have_text(
        re.compile(r"^[A-Z2-7]{4}( [A-Z2-7]{4})+$")
    )
    assert violations(page) == []
    assert [e for e in errors if "Content Security Policy" in e] == []
