"""No inline script and no inline event handler anywhere: the CSP (script-src 'self')
would block them. JSON data blocks (type="application/json", from json_script) are data,
not code, and are allowed."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

ROOT = Path(settings.BASE_DIR)
TEMPLATE_DIRS = [ROOT / "templates", *(ROOT / "tracing_portal").glob("**/templates")]
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[a-z][^>]*\s(on[a-z]+)\s*=", re.IGNORECASE)
STYLE_ATTR = re.compile(r"<[a-z][^>]*\sstyle\s*=", re.IGNORECASE)


def template_files():
    for folder in TEMPLATE_DIRS:
        yield from folder.glob("**/*.html")


def test_the_scan_sees_the_templates():
    names = {p.relative_to(ROOT).as_posix() for p in template_files()}
    assert "templates/base.html" in names and "templates/cases/case_chain.html" in names


@pytest.mark.parametrize("path", sorted(template_files()), ids=lambda p: p.name)
def test_template_has_no_inline_script_handler_or_style(path):
    text = path.read_text(encoding="utf-8")
    for attrs in SCRIPT_TAG.findall(text):
        assert "src=" in attrs or 'type="application/json"' in attrs, (path, attrs)
    assert EVENT_HANDLER.findall(text) == [], path
    assert STYLE_ATTR.findall(text) == [], path
    assert "<style" not in text.lower(), path
    assert "javascript:" not in text.lower(), path


class ScriptFinder(HTMLParser):
    def __init__(self):
        super().__init__()
        self.inline_scripts, self.handlers, self.styles = [], [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and "src" not in attrs and attrs.get("type") != "application/json":
            self.inline_scripts.append(attrs)
        self.handlers += [name for name in attrs if name.startswith("on")]
        if "style" in attrs:
            self.styles.append((tag, attrs["style"]))
        if tag == "style":
            self.styles.append((tag, ""))


@pytest.fixture
def pages(cdc_user, dic_user, province_admin):
    from tracing_portal.cases.services import case_add_contact, case_create

    f0 = case_create(
        actor=cdc_user,
        level=0,
        f0_status="confirmed",
        full_name="Nguyễn Văn A",
        phone="0912 345 678",
    ).case
    case_add_contact(actor=cdc_user, source=f0, full_name="Trần Thị B", relation="household")
    return [
        (None, reverse("accounts:login")),
        (cdc_user, reverse("home")),
        (cdc_user, reverse("cases:list")),
        (cdc_user, reverse("cases:create")),
        (cdc_user, f0.get_absolute_url()),
        (cdc_user, reverse("cases:chain", args=[f0.code])),
        (cdc_user, reverse("stats:dashboard")),
        (dic_user, reverse("bluezone:queue")),
        (dic_user, reverse("notifications:send", args=[f0.code])),
        (dic_user, reverse("notifications:bulk")),
        (dic_user, reverse("accounts:otp_setup")),
        (province_admin, reverse("accounts:users")),
        (province_admin, reverse("audit:list")),
        (province_admin, reverse("audit:data_report")),
        (province_admin, reverse("admin:index")),
        (province_admin, reverse("admin:accounts_user_changelist")),
        (province_admin, reverse("admin:accounts_user_change", args=[cdc_user.pk])),
    ]


def test_rendered_pages_have_no_inline_script(client, pages):
    for user, url in pages:
        client.logout()
        if user is not None:
            client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, url
        finder = ScriptFinder()
        finder.feed(response.content.decode())
        assert finder.inline_scripts == [], url
        assert finder.handlers == [], url
        assert finder.styles == [], url
        assert "'unsafe-inline'" not in response["Content-Security-Policy"]
