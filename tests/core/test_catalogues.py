import gettext
import io
import shutil
from pathlib import Path

import polib
import pytest
from django.core.management import call_command

from tracing_portal.core.management.commands import portal_messages
from tracing_portal.core.management.commands.portal_messages import compile_catalogue

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


def copy_catalogue(app: str, folder: Path) -> Path:
    target = folder / app / "locale" / "vi" / "LC_MESSAGES"
    target.mkdir(parents=True)
    source = PORTAL / app / "locale" / "vi" / "LC_MESSAGES"
    shutil.copy(source / "django.po", target / "django.po")
    shutil.copy(source / "django.mo", target / "django.mo")
    (folder / app / "apps.py").touch()
    return target / "django.po"


def test_compile_rewrites_a_stale_catalogue_that_gettext_then_reads(tmp_path):
    po_path = copy_catalogue("geo", tmp_path)
    po = polib.pofile(str(po_path))
    po.append(polib.POEntry(msgid="Province map", msgstr="Bản đồ tỉnh"))
    po.save()
    assert compile_catalogue(po_path) is True
    with po_path.with_suffix(".mo").open("rb") as f:
        translations = gettext.GNUTranslations(f)
    assert translations.gettext("Province map") == "Bản đồ tỉnh"
    assert translations.gettext("province") == "tỉnh/thành phố"


def test_compile_leaves_an_up_to_date_catalogue_untouched(tmp_path):
    po_path = copy_catalogue("accounts", tmp_path)
    before = po_path.with_suffix(".mo").read_bytes()
    assert compile_catalogue(po_path) is False
    assert po_path.with_suffix(".mo").read_bytes() == before


def test_compile_command_writes_a_missing_mo_without_gnu_gettext(tmp_path, monkeypatch):
    po_path = copy_catalogue("geo", tmp_path)
    po_path.with_suffix(".mo").unlink()
    monkeypatch.setattr(portal_messages, "PORTAL", tmp_path)
    monkeypatch.setattr(shutil, "which", lambda name: None)
    out = io.StringIO()
    call_command("portal_messages", compile_only=True, stdout=out)
    assert "Compiled: geo." in out.getvalue()
    assert len(polib.mofile(str(po_path.with_suffix(".mo")))) > 0
