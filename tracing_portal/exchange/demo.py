"""Demo: one finished import. The police liaison uploaded their sheet of a factory's
workers who met Hải Dương's first F0; it was checked, confirmed and imported."""

import datetime
import io
import os
import random

from django.core.files.base import ContentFile
from django.db import transaction

from tracing_portal.accounts.models import User
from tracing_portal.cases.models import Case

from . import services
from .models import ImportJob, ImportKind, ImportStatus

DEMO_FILE = "F1-cong-ty-may-Hai-Duong.xlsx"
# The police liaison imported the sheet the day after the first F0 was entered.
IMPORTED_AFTER = datetime.timedelta(days=1, hours=5)
HEADER = ["STT", "Họ và tên", "Năm sinh", "Giới tính", "SĐT", "Nơi ở", "Quận/Huyện",
          "Nguồn lây", "Mối quan hệ", "Ngày tiếp xúc", "Đã cài Bluezone"]  # fmt: skip
WORKERS = [
    ("Nguyễn Thị Mai", 1990, "Nữ", "Cẩm Giàng"),
    ("Trần Văn Hùng", 1986, "Nam", "Thành phố Hải Dương"),
    ("Lê Thị Thu Trang", 1995, "Nữ", "Gia Lộc"),
    ("Phạm Đức Long", 1979, "Nam", "Cẩm Giàng"),
    ("Vũ Thị Hằng", 1998, "Nữ", "Bình Giang"),
    ("Đỗ Văn Nam", 1983, "Nam", "Thành phố Hải Dương"),
    ("Bùi Thị Ngọc Ánh", 2000, "Nữ", "Tứ Kỳ"),
    ("Hoàng Minh Quân", 1992, "Nam", "Gia Lộc"),
]


def _sheet(source_code: str) -> bytes:
    from openpyxl import Workbook

    rng = random.Random(416)
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["DANH SÁCH NGƯỜI TIẾP XÚC GẦN (F1) TẠI CÔNG TY MAY"])
    sheet.append(HEADER)
    for number, (name, year, sex, district) in enumerate(WORKERS, start=1):
        digits = f"{rng.randint(0, 9_999_999):07d}"
        phone = f"09{rng.choice('1468')}{digits[0]} {digits[1:4]} {digits[4:]}"
        sheet.append(
            [number, name, year, sex, phone, f"Thôn {rng.randint(1, 9)}", district,
             source_code, "Nơi làm việc", f"{rng.randint(20, 27)}/07/2020",
             rng.choice(["Có", "Không", ""])]
        )  # fmt: skip
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _date_in_the_story(job: ImportJob, *, at: datetime.datetime) -> None:
    """Date the import, the people it entered and their first Bluezone checks on the day
    of the investigation it belongs to (the services stamp the time of loading)."""
    from tracing_portal.bluezone.demo import backdate_entry_checks
    from tracing_portal.cases.demo import restamp_people

    since = job.created_at - datetime.timedelta(minutes=1)  # when it was loaded
    ImportJob.objects.filter(pk=job.pk).update(
        created_at=at, updated_at=at, started_at=at, finished_at=at
    )
    entered = Case.objects.filter(province=job.province, entered_by=job.created_by)
    restamp_people(entered.filter(created_at__gte=since), since=since, at=at)
    # The imported phones are checked after commit (after the checks queued by the import).
    transaction.on_commit(
        lambda: backdate_entry_checks(province=job.province_id, reasons=("import",))
    )


def seed(*, stdout) -> None:
    if ImportJob.objects.filter(original_name=DEMO_FILE).exists():
        stdout.write("Exchange: the demo import is already there.")
        return
    police = User.objects.filter(username="hd.police").first()
    source = Case.objects.filter(province_id="30", level=0).order_by("created_at", "id").first()
    if police is None or source is None:
        stdout.write("Exchange: no Hải Dương F0 to import contacts for; skipped.")
        return
    content = _sheet(source.code)
    job = ImportJob.objects.create(
        kind=ImportKind.PEOPLE,
        province_id="30",
        created_by=police,
        original_name=DEMO_FILE,
        size_bytes=len(content),
        file_format="xlsx",
    )
    job.file.save(f"demo-{job.pk}{os.path.splitext(DEMO_FILE)[1]}", ContentFile(content))
    job = services.import_job_validate(job_id=job.pk)
    if job.status != ImportStatus.READY or job.error_rows:
        stdout.write(f"Exchange: the demo file did not check cleanly: {job.message}")
        return
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.CONFIRMED)
    job = services.import_job_run(job_id=job.pk)
    _date_in_the_story(job, at=source.created_at + IMPORTED_AFTER)
    stdout.write(
        f"Exchange: imported {job.created_count} F1s of {source.code} from {DEMO_FILE} "
        f"(import #{job.pk}, {job.get_status_display()})."
    )
