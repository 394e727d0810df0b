"""Charts drawn by static/js/plotly-render.js (templates/core/_plotly.html), such as the chain
picture: plotly.js's mode bar speaks the page's language, and offers no "Share chart"
button (it would post the figure to Plotly's cloud)."""

import json
import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests import signin
from tracing_portal.accounts.roles import Role
from tracing_portal.cases.services import case_add_contact, case_create


def chain_of_three(cdc, police):
    f0 = case_create(actor=cdc, full_name="Nguyễn Văn Thành").case
    f1 = case_add_contact(
        actor=police, source=f0, full_name="Trần Thị Một", relation="household"
    ).case
    case_add_contact(actor=police, source=f1, full_name="Lê Văn Hai", relation="workplace")
    return f0


def locale_script(body: str) -> dict | None:
    match = re.search(
        r'<script id="plotly-render-locale" type="application/json">(.*?)</script>', body
    )
    return json.loads(match.group(1)) if match else None


def test_chain_page_gives_plotly_its_vietnamese_words(client, make_user):
    cdc, police = make_user(Role.CDC), make_user(Role.POLICE)
    f0 = chain_of_three(cdc, police)
    client.force_login(cdc)
    body = client.get(reverse("cases:chain", kwargs={"code": f0.code})).content.decode()
    locale = locale_script(body)
    assert locale is not None
    assert locale["name"] == "vi"
    assert locale["dictionary"]["Download plot as a PNG"] == "Tải biểu đồ xuống dạng ảnh PNG"
    assert locale["format"]["months"][7].lower().startswith("tháng")
    # The locale comes before the script that registers it.
    assert body.index("plotly-render-locale") < body.index("js/plotly-render.js")


def test_chain_page_in_english_leaves_plotly_its_own_words(client, make_user):
    cdc, police = make_user(Role.CDC), make_user(Role.POLICE)
    f0 = chain_of_three(cdc, police)
    client.force_login(cdc)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.get(reverse("cases:chain", kwargs={"code": f0.code}))
    body = response.content.decode()
    assert "js/plotly-render.js" in body
    assert locale_script(body) is None


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_chain_picture_mode_bar_is_vietnamese_without_share_to_cloud(
    live_server, page, make_user, password
):
    cdc, police = make_user(Role.CDC), make_user(Role.POLICE)
    f0 = chain_of_three(cdc, police)
    signin.sign_in(page, live_server.url, cdc, password)
    page.goto(f"{live_server.url}/cases/{f0.code}/chain/")
    chart = page.locator("#chain-chart")
    expect(chart).to_have_attribute("data-rendered", "1")
    expect(chart.locator("svg.main-svg").first).to_be_visible()
    titles = chart.locator(".modebar-btn").evaluate_all(
        "buttons => buttons.map(b => b.getAttribute('data-title'))"
    )
    assert len(titles) > 3
    assert "Share chart..." not in titles
    assert "Tải biểu đồ xuống dạng ảnh PNG" in titles
    assert "Download plot as a PNG" not in titles
