import datetime as dt

import pytest

from tracing_portal.accounts.roles import Role
from tracing_portal.audit.models import AuditAction, AuditEvent
from tracing_portal.cases.models import Case, CaseCodeCounter, CaseHistory, HistoryKind
from tracing_portal.core.exceptions import ApplicationError
from tracing_portal.exchange import services
from tracing_portal.exchange.models import ImportStatus
from tracing_portal.exchange.signals import people_imported

from .conftest import csv_bytes, to_cp1258, xlsx_bytes

HEADER = ["STT", "Mã", "Họ và tên", "Năm sinh", "Giới tính", "SĐT", "Nguồn lây", "Mối quan hệ",
          "Ngày tiếp xúc", "Cấp độ", "Quận/Huyện", "Đã cài Bluezone", "CMND/CCCD"]  # fmt: skip
EXPOSED = dt.date(2020, 8, 13)


def sheet(*rows, title=True):
    head = [["DANH SÁCH F0, F1 - CDC HẢI DƯƠNG"], []] if title else []
    return xlsx_bytes([*head, HEADER, *rows])


def chain_file():
    return sheet(
        [1, "BN416", "Nguyễn Văn An", 1974, "Nam", "0912 345 678", "", "", "", "F0", "Cẩm Giàng",
         "Có", "030074001234"],
        # Written before its source (row 8): resolved in the file.
        [2, "", "Lê Văn Cường", "1990", "Nam", 987654321, "TX2", "Đồng nghiệp", EXPOSED, "",
         "TP Hải Dương", "", ""],
        [3, "TX1", "Trần Thị Bình", 1985.0, "Nữ", "+84 98 111 2222", "BN416", "Gia đình",
         "13/08/2020", "F1", "Huyện Cẩm Giàng", "Không", 30085001234],
        [4, "TX2", "Phạm Văn Dũng", 1992, "", "0168 123 4567", "BN416", "Hàng xóm", 44056.0,
         "", "cam giang", "x", ""],
    )  # fmt: skip


@pytest.fixture
def imported(police_user, import_and_confirm):
    job = import_and_confirm(police_user, chain_file(), name="f0-f1.xlsx")
    assert job.status == ImportStatus.DONE, (job.message, job.errors)
    return job


def test_chain_is_imported_with_levels_from_sources_resolved_in_the_file(imported):
    an = Case.objects.get(full_name="Nguyễn Văn An")
    binh = Case.objects.get(full_name="Trần Thị Bình")
    dung = Case.objects.get(full_name="Phạm Văn Dũng")
    cuong = Case.objects.get(full_name="Lê Văn Cường")
    assert (an.level, an.f0_status, an.source) == (0, "suspected", None)
    assert (binh.level, binh.source, binh.relation) == (1, an, "household")
    assert (dung.level, dung.source) == (1, an)
    assert (cuong.level, cuong.source, cuong.relation) == (2, dung, "workplace")
    assert imported.created_count == 4 and imported.error_rows == 0


def test_cells_are_read_the_vietnamese_way(imported):
    an = Case.objects.get(full_name="Nguyễn Văn An")
    binh = Case.objects.get(full_name="Trần Thị Bình")
    dung = Case.objects.get(full_name="Phạm Văn Dũng")
    cuong = Case.objects.get(full_name="Lê Văn Cường")
    assert an.phone == "+84912345678" and an.national_id == "030074001234"
    assert binh.national_id == "030085001234"  # a number cell lost its leading zero
    assert binh.year_of_birth == 1985 and cuong.year_of_birth == 1990
    assert cuong.phone == "+84987654321"  # a number cell lost the 0
    assert dung.phone == "+84381234567"  # retired 0168 converted
    assert binh.exposure_date == EXPOSED  # 13/08/2020 is 13 August
    assert dung.exposure_date == EXPOSED  # Excel serial 44056
    assert cuong.exposure_date == EXPOSED  # an Excel date cell
    assert {an.district_id, binh.district_id, dung.district_id} == {"295"}
    assert cuong.district_id == "288"
    assert (an.bluezone_status, binh.bluezone_status, dung.bluezone_status) == (
        "installed",
        "not_installed",
        "installed",
    )
    assert cuong.bluezone_status == "unknown" and binh.sex == "female" and an.sex == "male"


def test_preview_lists_notes_and_skipped_title_rows(police_user, import_file):
    job = import_file(police_user, chain_file())
    assert job.status == ImportStatus.READY
    assert (job.to_create, job.to_update, job.unchanged, job.error_rows) == (4, 0, 0, 0)
    assert not Case.objects.exists()  # a preview writes nothing
    notes = [n.get("msg") or n.get("file") for n in job.notes]
    assert any("Số cũ 01681234567 đã được chuyển sang số mới 0381234567" in n for n in notes)
    assert any("Các dòng 1 phía trên dòng tiêu đề" in n for n in notes)
    assert any("Cột “STT” (A)" in n for n in notes) is False  # STT is known and skipped


def test_codes_come_from_the_counter_in_one_step(on_file, imported):
    codes = sorted(Case.objects.exclude(pk=on_file.pk).values_list("code", flat=True))
    assert on_file.code == "HD-000001"
    assert codes == ["HD-000002", "HD-000003", "HD-000004", "HD-000005"]
    assert CaseCodeCounter.objects.get(province_id="30").last_number == 5
    assert (
        Case.objects.get(full_name="Nguyễn Văn An").code
        < Case.objects.get(full_name="Lê Văn Cường").code
    )  # sources get their codes first


def test_history_rows_in_bulk_and_one_audit_event(imported, police_user):
    assert CaseHistory.objects.filter(kind=HistoryKind.CREATED).count() == 4
    entry = CaseHistory.objects.get(case__full_name="Lê Văn Cường")
    assert entry.actor == police_user and entry.version == 1
    assert entry.changes["level"] == [None, 2]
    assert entry.changes["source"][1] == Case.objects.get(full_name="Phạm Văn Dũng").code
    assert "f0-f1.xlsx" in entry.note
    events = AuditEvent.objects.filter(action=AuditAction.IMPORTED)
    assert events.count() == 1
    assert events.get().details["created"] == 4 and events.get().province_id == "30"


def test_imported_people_pass_the_models_own_validation(imported, police_user):
    for case in Case.objects.all():
        case.full_clean()
        assert case.entered_by == police_user and case.entering_agency == police_user.agency


def test_importing_the_same_file_again_creates_no_duplicates(imported, police_user, import_file):
    again = import_file(police_user, chain_file(), name="f0-f1.xlsx")
    assert (again.to_create, again.to_update, again.unchanged) == (0, 0, 4)
    with pytest.raises(ApplicationError):
        services.import_job_confirm(actor=police_user, job=again)
    assert Case.objects.count() == 4


def test_reimport_with_a_change_updates_and_an_empty_cell_erases_nothing(
    imported, police_user, import_and_confirm
):
    changed = sheet(
        [1, "BN416", "Nguyễn Văn An", 1974, "", "0912 345 678", "", "", "", "F0", "Kinh Môn",
         "", ""],
    )  # fmt: skip
    job = import_and_confirm(police_user, changed)
    assert (job.to_create, job.to_update, job.updated_count) == (0, 1, 1)
    an = Case.objects.get(full_name="Nguyễn Văn An")
    assert an.district_id == "292" and an.version == 2
    assert an.national_id == "030074001234" and an.bluezone_status == "installed"
    entry = an.history.get(kind=HistoryKind.UPDATED)
    assert entry.changes == {"district_id": ["295", "292"]}


def test_reimport_matches_portal_codes_and_ignores_levels_on_file(
    imported, police_user, import_file
):
    binh = Case.objects.get(full_name="Trần Thị Bình")
    rows = sheet([1, binh.code, "Trần Thị Bình", 1985, "Nữ", "", "", "", "", "F3", "", "", ""])
    job = import_file(police_user, rows)
    assert (job.to_create, job.unchanged, job.error_rows) == (0, 1, 0)
    assert any("là F1 trong hồ sơ" in n.get("msg", "") for n in job.notes)


def test_source_already_on_file_gives_the_level(on_file, police_user, import_and_confirm):
    job = import_and_confirm(
        police_user,
        xlsx_bytes([["Họ tên", "SĐT", "Nguồn lây"], ["Đỗ Văn Năm", "0977 123 456", "hd-000001"]]),
    )
    person = Case.objects.get(full_name="Đỗ Văn Năm")
    assert job.created_count == 1 and person.source == on_file and person.level == 1


def test_portal_code_not_on_file_is_created_with_that_code(police_user, import_and_confirm):
    import_and_confirm(
        police_user, xlsx_bytes([["Mã", "Họ tên", "Cấp độ"], ["HD-000050", "An", 0]])
    )
    assert Case.objects.get().code == "HD-000050"
    assert CaseCodeCounter.objects.get(province_id="30").last_number == 50


def test_valid_rows_only_imports_the_rest(police_user, import_and_confirm):
    rows = sheet(
        [1, "BN1", "Nguyễn Văn An", 1974, "", "0912", "", "", "", "F0", "", "", ""],
        [2, "BN2", "Trần Thị Bình", 1985, "", "0987654321", "", "", "", "F0", "", "", ""],
        [3, "", "Lê Văn Cường", 1990, "", "", "BN1", "", "", "", "", "", ""],
    )
    job = import_and_confirm(police_user, rows, valid_rows_only=True)
    assert job.status == ImportStatus.DONE
    assert (job.created_count, job.skipped_count, job.error_rows) == (1, 2, 2)
    assert list(Case.objects.values_list("full_name", flat=True)) == ["Trần Thị Bình"]
    assert job.error_file and job.error_csv


def test_an_import_writes_only_into_the_importers_province(make_user, import_and_confirm):
    hanoi = make_user(Role.POLICE, province="01")
    job = import_and_confirm(
        hanoi,
        xlsx_bytes(
            [["Họ tên", "Tỉnh/Thành phố", "Cấp độ"], ["A", "Hà Nội", "F0"], ["B", "", "F0"]]
        ),
    )
    assert job.created_count == 2
    assert set(Case.objects.values_list("province_id", flat=True)) == {"01"}
    assert set(Case.objects.values_list("code", flat=True)) == {"HN-000001", "HN-000002"}


def test_hanoi_user_cannot_use_a_hai_duong_source(make_user, on_file, import_file):
    hanoi = make_user(Role.CDC, province="01")
    job = import_file(hanoi, xlsx_bytes([["Họ tên", "Nguồn lây"], ["B", on_file.code]]))
    assert job.errors[0]["msg"].startswith("Nguồn lây HD-000001 là người của Hải Dương")


def test_official_may_not_import(official_user, import_file):
    with pytest.raises(ApplicationError):
        import_file(official_user, chain_file())


def test_preview_is_checked_again_when_the_import_runs(police_user, import_file, confirm, on_file):
    """Between preview and import someone entered the same person: the run refuses."""
    from tracing_portal.cases.services import case_create

    content = xlsx_bytes([["Họ tên", "Năm sinh", "SĐT", "Cấp độ"], ["Lê Văn Cường", 1990, "", 0]])
    job = import_file(police_user, content)
    case_create(actor=police_user, level=0, full_name="Lê Văn Cường", year_of_birth=1990)
    case_create(actor=police_user, level=0, full_name="Lê Văn Cường", year_of_birth=1990)
    job = confirm(police_user, job)
    assert job.status == ImportStatus.FAILED
    assert "Hồ sơ đã thay đổi kể từ lúc kiểm tra" in job.message
    assert Case.objects.filter(full_name="Lê Văn Cường").count() == 2


def test_a_task_run_twice_imports_once(police_user, import_and_confirm):
    job = import_and_confirm(police_user, chain_file())
    assert services.import_job_run(job_id=job.pk).status == ImportStatus.DONE
    assert services.import_job_validate(job_id=job.pk).status == ImportStatus.DONE
    assert Case.objects.count() == 4


def test_the_upload_is_deleted_once_imported(imported):
    assert not imported.file


def test_people_imported_signal_is_sent_once_with_the_ids(police_user, import_and_confirm):
    received = []

    def receiver(sender, **kwargs):
        received.append(kwargs)

    people_imported.connect(receiver)
    try:
        import_and_confirm(police_user, chain_file())
    finally:
        people_imported.disconnect(receiver)
    assert len(received) == 1
    assert sorted(received[0]["created_ids"]) == sorted(Case.objects.values_list("pk", flat=True))


@pytest.mark.parametrize(
    "encoding,prefix",
    [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("cp1258", b""), ("utf-16", b"")],
    ids=["utf-8", "utf-8-bom", "windows-1258", "utf-16"],
)
def test_csv_encodings_are_detected(encoding, prefix, police_user, import_and_confirm):
    rows = [
        ["Họ và tên", "Nơi ở", "Quận/Huyện", "Cấp độ", "Đã cài Bluezone"],
        ["Nguyễn Thị Hương", "Số 5 Điện Biên Phủ", "Thanh Hà", "F0", "Chưa cài"],
    ]
    content = prefix + csv_bytes(rows, encoding=encoding, delimiter=";")
    job = import_and_confirm(police_user, content, name="ds.csv")
    person = Case.objects.get()
    assert job.created_count == 1
    assert person.full_name == "Nguyễn Thị Hương" and person.address == "Số 5 Điện Biên Phủ"
    assert person.district_id == "294" and person.bluezone_status == "not_installed"


def test_windows_1258_combining_marks_become_normal_letters(police_user, import_and_confirm):
    content = to_cp1258("Họ và tên,Cấp độ\nĐặng Thị Thảo,F0\n")
    assert "ọ".encode() not in content and b"o\xf2" in content  # o + dot below
    import_and_confirm(police_user, content, name="ds.csv")
    assert Case.objects.get().full_name == "Đặng Thị Thảo"
    assert Case.objects.get().name_folded == "dang thi thao"


def test_numbers_stored_as_text_and_headers_without_diacritics(police_user, import_and_confirm):
    content = csv_bytes(
        [
            ["HO TEN", "nam sinh", "so dien thoai", "CAP DO", "ngay tiep xuc", "nguon lay", "Ma"],
            ["Vũ Văn Hải", "1980.0", "0912345678", "0", "", "", "A1"],
            ["Vũ Thị Lan", " 1982 ", "84987654321", "1", "2020-08-13", "A1", ""],
        ]
    )
    import_and_confirm(police_user, content, name="ds.csv")
    lan = Case.objects.get(full_name="Vũ Thị Lan")
    assert lan.year_of_birth == 1982 and lan.level == 1 and lan.exposure_date == EXPOSED
    assert Case.objects.get(full_name="Vũ Văn Hải").year_of_birth == 1980


@pytest.mark.parametrize(
    "written,expected",
    [
        ("13/08/2020", dt.date(2020, 8, 13)),
        ("05/08/2020", dt.date(2020, 8, 5)),  # ambiguous: day first, 5 August
        ("5/8/20", dt.date(2020, 8, 5)),
        ("13-08-2020", dt.date(2020, 8, 13)),
        ("13.08.2020", dt.date(2020, 8, 13)),
        ("2020-08-13", dt.date(2020, 8, 13)),
        ("44056", dt.date(2020, 8, 13)),
        ("13/08/2020 09:30", dt.date(2020, 8, 13)),
    ],
)
def test_dates_are_read_day_first(written, expected, police_user, import_and_confirm):
    content = csv_bytes([["Họ tên", "Cấp độ", "Ngày tiếp xúc"], ["Vũ Văn Hải", "F1", written]])
    import_and_confirm(police_user, content, name="ds.csv")
    assert Case.objects.get().exposure_date == expected


def test_unknown_relation_is_kept_as_other_with_a_note(police_user, import_file):
    content = xlsx_bytes([["Họ tên", "Cấp độ", "Mối quan hệ"], ["Vũ Văn Hải", "F1", "Bạn nhậu"]])
    job = import_file(police_user, content)
    assert job.error_rows == 0
    assert any("“Bạn nhậu” được ghi nhận là “Khác”" in n.get("msg", "") for n in job.notes)


def test_the_previews_reading_is_kept_signed_for_the_import(police_user, tmp_path):
    from tracing_portal.exchange.importers import Context
    from tracing_portal.exchange.people import PeopleImport

    path = tmp_path / "f.xlsx"
    path.write_bytes(chain_file())
    first = PeopleImport(Context(actor=police_user, province=police_user.province))
    with first.open(path) as sheet:
        first.read(sheet)
    kept = str(tmp_path / "f.parsed")
    first.save_parsed(kept, digest="abc")
    second = PeopleImport(Context(actor=police_user, province=police_user.province))
    assert second.load_parsed(kept, digest="abc")
    assert [p.full_name for p in second.people] == [p.full_name for p in first.people]
    assert second.by_code["TX2"] is second.people[3]
    assert not PeopleImport(Context(actor=police_user, province=police_user.province)).load_parsed(
        kept, digest="another file"
    )
    blob = bytearray(open(kept, "rb").read())
    blob[-5] ^= 1
    open(kept, "wb").write(bytes(blob))
    third = PeopleImport(Context(actor=police_user, province=police_user.province))
    assert not third.load_parsed(kept, digest="abc") and third.people == []
