import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from tracing_portal.audit.models import AuditAction, AuditEvent
from tracing_portal.core.exceptions import ApplicationError
from tracing_portal.stats.importing import install_csv_parse
from tracing_portal.stats.models import InstallSnapshot
from tracing_portal.stats.services import snapshots_import_csv
from tracing_portal.stats.types import SnapshotRow

from .factories import InstallSnapshotFactory

ENGLISH = """province,date,installs,installs_with_phone,smartphone_users
30,2021-06-19,1118350,688900,1398500
01,2021-06-19,2334000,1400000,
30,2021-06-18,1117000,688000,1398500
"""

# A file as a province office would save it from Excel: BOM, semicolons, Vietnamese
# headers, names instead of codes, dd/mm/yyyy dates and grouped thousands.
VIETNAMESE = (
    "\ufeffTỉnh/Thành phố;Ngày;Số lượt cài Bluezone;Số lượt cài có số điện thoại;"
    "Số người dùng điện thoại thông minh\n"
    "Hải Dương;02/08/2020;407.213;246.000;1.160.000\n"
    "Thành phố Hồ Chí Minh;02/08/2020;2.293.000;1.300.000;\n"
    "hai duong;3/8/2020;410000;247000;1160000\n"
)


def rows():
    return {
        (s.province_id, s.date): (s.installs, s.installs_with_phone, s.smartphone_users)
        for s in InstallSnapshot.objects.all()
    }


def test_import_saves_every_row_of_a_good_file(db):
    saved = snapshots_import_csv(file=io.StringIO(ENGLISH), file_name="figures.csv")
    assert saved == 3
    assert rows() == {
        ("30", dt.date(2021, 6, 19)): (1_118_350, 688_900, 1_398_500),
        ("01", dt.date(2021, 6, 19)): (2_334_000, 1_400_000, None),
        ("30", dt.date(2021, 6, 18)): (1_117_000, 688_000, 1_398_500),
    }
    assert set(InstallSnapshot.objects.values_list("source", flat=True)) == {"import"}
    event = AuditEvent.objects.get(action=AuditAction.IMPORTED)
    assert event.details == {"model": "stats.installsnapshot", "rows": 3, "file": "figures.csv"}


def test_vietnamese_headers_names_and_day_first_dates_are_understood(db):
    parsed = install_csv_parse(file=io.StringIO(VIETNAMESE))
    # 02/08/2020 is the 2nd of August, never the 8th of February.
    assert sorted(parsed) == [dt.date(2020, 8, 2), dt.date(2020, 8, 3)]
    assert parsed[dt.date(2020, 8, 2)] == [
        SnapshotRow("30", 407_213, 246_000, 1_160_000),
        SnapshotRow("79", 2_293_000, 1_300_000, None),
    ]
    assert parsed[dt.date(2020, 8, 3)] == [SnapshotRow("30", 410_000, 247_000, 1_160_000)]


def test_province_code_column_mã_tỉnh_is_understood(db):
    text = "Mã tỉnh,Ngày,Số lượt cài Bluezone,Có số điện thoại\n1,19/06/2021,10,5\n"
    assert install_csv_parse(file=io.StringIO(text)) == {
        dt.date(2021, 6, 19): [SnapshotRow("01", 10, 5, None)]
    }


BAD = """province,date,installs,installs_with_phone,smartphone_users
30,2021-06-19,100,50,
Atlantis,2021-06-19,100,50,
01,2021-02-30,100,50,
48,19/06/2021,many,50,
79,19/06/2021,10,50,
30,19/06/2021,100,50,
"""


def test_bad_rows_are_reported_by_row_number_and_nothing_is_saved(db):
    InstallSnapshotFactory(province_id="30", date=dt.date(2021, 6, 19), installs=7)
    with translation.override("en"), pytest.raises(ApplicationError) as exc:
        snapshots_import_csv(file=io.StringIO(BAD))
    problems = exc.value.extra["problems"]
    expected = [(3, "Atlantis"), (4, "2021-02-30"), (5, "many"), (6, "exceed"), (7, "row 2")]
    assert len(problems) == len(expected)
    for problem, (row, clue) in zip(problems, expected, strict=True):
        assert problem.startswith(f"Row {row}:") and clue in problem
    # The good row was not saved, and the earlier figure is untouched.
    assert rows() == {("30", dt.date(2021, 6, 19)): (7, 3, None)}
    assert not AuditEvent.objects.filter(action=AuditAction.IMPORTED).exists()


def test_a_file_without_the_needed_columns_is_refused(db):
    with translation.override("en"), pytest.raises(ApplicationError) as exc:
        install_csv_parse(file=io.StringIO("province,installs\n30,1\n"))
    assert "date" in exc.value.message and "installs_with_phone" in exc.value.message


def test_import_command_loads_a_file(db, tmp_path):
    path = tmp_path / "luot-cai.csv"
    path.write_text(VIETNAMESE, encoding="utf-8")
    out = io.StringIO()
    call_command("install_snapshots_import", str(path), stdout=out)
    assert "3" in out.getvalue()
    assert InstallSnapshot.objects.count() == 3


def test_import_command_lists_bad_rows_and_saves_nothing(db, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(BAD, encoding="utf-8")
    with translation.override("en"), pytest.raises(CommandError) as exc:
        call_command("install_snapshots_import", str(path))
    assert "Row 3: Unknown province “Atlantis”" in str(exc.value)
    assert not InstallSnapshot.objects.exists()
