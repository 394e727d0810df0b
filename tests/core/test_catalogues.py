import shutil
from pathlib import Path

import polib
import pytest
from django.core.management import call_command

PORTAL = Path(__file__).resolve().parents[2] / "tracing_portal"
CATALOGUES = sorted(PORTAL.glob("*/locale/vi/LC_MESSAGES/django.po"))


def test_every_app_with_strings_has_a_vietnamese_catalogue():
    apps = {p.parts[-5] for p in CATALOGUES}
    assert {"core", "accounts", "geo", "audit", "cases"} <= apps


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: p.parts[-5])
def test_catalogue_is_fully_translated_and_compiled(po_path):
    po = polib.pofile(str(po_path))
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []
    mo = polib.mofile(str(po_path.with_suffix(".mo")))
    compiled = {(e.msgid, e.msgstr) for e in mo if not e.msgid_plural}
    assert {(e.msgid, e.msgstr) for e in po if not e.msgid_plural and not e.obsolete} <= compiled


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext is not installed")
def test_no_string_in_the_code_is_missing_from_the_catalogues():
    call_command("portal_messages", check=True)
