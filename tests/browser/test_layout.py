"""The main pages at 1366×768 (the office laptop) and 390×844 (a phone), in Chromium, on the
demo's data: the page never scrolls sideways (a wide table scrolls inside its own frame),
the main menu is on screen and usable, and every form field has a label.

The phone is a narrow window, not Chromium's mobile emulation: an emulated phone zooms
out to fit a page that is too wide, which would hide the very overflow looked for here."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from tests import signin
from tracing_portal.accounts.demo import DEMO_PASSWORD
from tracing_portal.accounts.models import User
from tracing_portal.bluezone.models import TraceRequest, TraceState
from tracing_portal.cases.demo import DEMO_PERIOD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

VIEWPORTS = {
    "1366x768": {"width": 1366, "height": 768},
    "phone 390x844": {"width": 390, "height": 844},
}

# What each role opens; the demo's first F0 and its completed trace stand for "a person"
# and "a trace".
PAGES_BY_ROLE = {
    "hd.cdc": ["home", "people", "person", "queue", "trace", "sms_log", "stats", "import"],
    "hd.dic": ["home", "people", "person", "queue", "trace", "sms_log"],
    "hd.official": ["home", "stats", "trace"],
    "hd.police": ["home", "people", "person", "import"],
}

# Everything that pokes out to the right of the page and is not clipped by an element that
# scrolls or clips it: what makes the page scroll sideways. An element is clipped only by
# the boxes it is laid out in: an absolutely positioned one skips the static ancestors
# between it and its positioned one (a hidden label escapes a table's scrolling frame).
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const contained = (el) => {
    let position = getComputedStyle(el).position;
    if (position === "fixed") return true;
    for (let p = el.parentElement; p && p !== document.documentElement; p = p.parentElement) {
      const style = getComputedStyle(p);
      if (position === "absolute" && style.position === "static" && style.transform === "none") {
        continue;
      }
      if (["auto", "scroll", "hidden", "clip"].includes(style.overflowX)) return true;
      if (style.position === "fixed") return true;
      position = style.position;
    }
    return false;
  };
  const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    (el.className && typeof el.className === "string"
      ? "." + el.className.trim().split(/\\s+/).join(".") : "");
  const wide = [];
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.width > 0 && box.right > width + 1 && !contained(el)) {
      wide.push(name(el) + " ends at " + Math.round(box.right));
    }
  }
  return {
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: width,
    innerWidth: window.innerWidth,
    wide: wide.slice(0, 8),
  };
}"""

# Form fields a user can fill in without a label (a <label>, aria-label or aria-labelledby)
# that says something.
UNLABELLED = """() => {
  const skip = ["hidden", "submit", "button", "reset", "image"];
  const named = (el) => {
    if ([...(el.labels || [])].some((l) => l.textContent.trim())) return true;
    if ((el.getAttribute("aria-label") || "").trim()) return true;
    const ids = (el.getAttribute("aria-labelledby") || "").split(/\\s+/).filter(Boolean);
    return ids.some((id) => (document.getElementById(id)?.textContent || "").trim());
  };
  return [...document.querySelectorAll("input, select, textarea")]
    .filter((el) => !skip.includes(el.type) && !named(el))
    .map((el) => el.outerHTML.slice(0, 120));
}"""

CHARTS_DRAWN = """() => [...document.querySelectorAll("[data-figure], [data-stats-figure]")]
  .every((el) => el.dataset.rendered === "1")"""


def addresses() -> dict[str, str]:
    start, end = DEMO_PERIOD
    trace = TraceRequest.objects.get(
        province_id="30", status=TraceState.COMPLETED, case__code="HD-000001"
    )
    return {
        "home": reverse("home"),
        "people": reverse("cases:list"),
        "person": reverse("cases:detail", kwargs={"code": "HD-000001"}),
        "queue": reverse("bluezone:queue"),
        "trace": trace.get_absolute_url(),
        "sms_log": reverse("notifications:log"),
        # The tracing figures of the demo's weeks, charts and all.
        "stats": f"{reverse('stats:dashboard')}?date_from={start:%Y-%m-%d}&date_to={end:%Y-%m-%d}",
        "import": reverse("exchange:import"),
    }


def check_page(page, url: str, where: str) -> list[str]:
    """What is wrong with the page at this size (empty: nothing)."""
    response = page.goto(url)
    assert response is not None and response.ok, f"{where}: HTTP {response and response.status}"
    page.wait_for_function(CHARTS_DRAWN, timeout=30_000)
    problems = []

    layout = page.evaluate(OVERFLOW)
    if layout["scrollWidth"] > layout["clientWidth"] or layout["wide"]:
        problems.append(f"{where}: scrolls sideways {layout}")
    assert layout["clientWidth"] <= layout["innerWidth"]

    nav = page.get_by_role("navigation", name="Menu chính")
    expect(nav).to_be_visible()
    links = nav.get_by_role("link")
    if links.count() == 0:
        problems.append(f"{where}: the main menu has no links")
    for index in range(links.count()):
        link = links.nth(index)
        box = link.bounding_box()
        if box is None or box["x"] < 0 or box["x"] + box["width"] > layout["clientWidth"]:
            problems.append(f"{where}: menu link {link.inner_text()!r} is off screen ({box})")
    # Visible, steady and not covered by anything: a click would reach them.
    links.first.click(trial=True)
    links.last.click(trial=True)

    unlabelled = page.evaluate(UNLABELLED)
    if unlabelled:
        problems.append(f"{where}: fields without a label {unlabelled}")
    return problems


def test_main_pages_fit_a_laptop_and_a_phone_for_each_role(live_server, browser):
    call_command("seed_demo", stdout=io.StringIO())
    urls = addresses()
    problems = []
    for username, pages in PAGES_BY_ROLE.items():
        context = browser.new_context(viewport=VIEWPORTS["1366x768"], locale="vi-VN")
        page = context.new_page()
        signin.sign_in(page, live_server.url, User.objects.get(username=username), DEMO_PASSWORD)
        for size, viewport in VIEWPORTS.items():
            page.set_viewport_size(viewport)
            for name in pages:
                problems += check_page(
                    page, live_server.url + urls[name], f"{username} {name} at {size}"
                )
        context.close()
    assert not problems, "\n".join(problems)
