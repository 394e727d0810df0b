import csv
import datetime as dt
import io
import unicodedata

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from tracing_portal.cases.models import Case
from tracing_portal.exchange import services
from tracing_portal.exchange.models import ImportJob

HEADER = [
    "Mã",
    "Họ và tên",
    "Năm sinh",
    "SĐT",
    "Nguồn lây",
    "Cấp độ",
    "Mối quan hệ",
    "Ngày tiếp xúc",
]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _no_bluezone_checks_after_import():
    """These tests read what the sheet says; the Bluezone check that follows an import
    (and may correct "Đã cài Bluezone") is tested in tests/bluezone/test_tracing.py."""
    from tracing_portal.bluezone.apps import _check_imported_phones
    from tracing_portal.exchange.signals import people_imported

    people_imported.disconnect(dispatch_uid="bluezone.imported_phones")
    yield
    people_imported.connect(_check_imported_phones, dispatch_uid="bluezone.imported_phones")


def xlsx_bytes(rows, *, merge: str | None = None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_bytes(rows, *, encoding="utf-8", delimiter=",") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(rows)
    if encoding == "cp1258":
        return to_cp1258(out.getvalue())
    return out.getvalue().encode(encoding)


def to_cp1258(text: str) -> bytes:
    """Text as Vietnamese Windows writes it: letters with a hat, breve or horn precomposed,
    tone marks as separate combining characters (ọ = o + U+0323)."""
    tones = "\u0300\u0301\u0303\u0309\u0323"
    out = []
    for ch in unicodedata.normalize("NFC", text):
        try:
            out.append(ch.encode("cp1258"))
        except UnicodeEncodeError:
            base, *marks = unicodedata.normalize("NFD", ch)
            keep = "".join(m for m in marks if m not in tones)
            tone = "".join(m for m in marks if m in tones)
            out.append((unicodedata.normalize("NFC", base + keep) + tone).encode("cp1258"))
    return b"".join(out)


def upload(content: bytes, name="danh-sach.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


@pytest.fixture
def import_file(db, django_capture_on_commit_callbacks):
    """Upload a file and run the preview (tasks are eager, after commit): the job."""

    def run(actor, content: bytes, *, name="danh-sach.xlsx", kind="people") -> ImportJob:
        with django_capture_on_commit_callbacks(execute=True):
            job = services.import_job_create(actor=actor, kind=kind, upload=upload(content, name))
        job.refresh_from_db()
        return job

    return run


@pytest.fixture
def confirm(django_capture_on_commit_callbacks):
    """Confirm a previewed import and run it (eagerly, after commit)."""

    def run(actor, job, *, valid_rows_only=False) -> ImportJob:
        with django_capture_on_commit_callbacks(execute=True):
            services.import_job_confirm(actor=actor, job=job, valid_rows_only=valid_rows_only)
        job.refresh_from_db()
        return job

    return run


@pytest.fixture
def import_and_confirm(import_file, confirm):
    def run(actor, content, *, name="danh-sach.xlsx", kind="people", valid_rows_only=False):
        job = import_file(actor, content, name=name, kind=kind)
        assert job.status == "ready", (job.message, job.errors)
        return confirm(actor, job, valid_rows_only=valid_rows_only)

    return run


@pytest.fixture
def on_file(police_user):
    """An F0 on file in Hải Dương: HD-000001 (codes come from the counter)."""
    from tracing_portal.cases.services import case_create

    return case_create(
        actor=police_user,
        level=0,
        f0_status="confirmed",
        full_name="Nguyễn Văn Thành",
        year_of_birth=1974,
        phone="0912 345 678",
    ).case


def people_count() -> int:
    return Case.objects.count()


def yesterday() -> dt.date:
    return dt.date.today() - dt.timedelta(days=1)
