"""A corpus of bad files and bad rows, as police and CDC sheets really arrive. Each gets a
clear Vietnamese message with its row and column, and nothing is written."""

import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field

import pytest
from django.test import override_settings

from tracing_portal.cases.models import Case
from tracing_portal.core.exceptions import ApplicationError
from tracing_portal.exchange import services
from tracing_portal.exchange.models import ImportStatus

from .conftest import csv_bytes, xlsx_bytes

H = ["Mã", "Họ và tên", "Năm sinh", "SĐT", "Nguồn lây", "Cấp độ", "Ngày tiếp xúc", "Quận/Huyện"]
F0 = ["BN1", "Nguyễn Văn An", 1980, "0912 345 678", "", "F0", "", "Cẩm Giàng"]
TOMORROW = (dt.date.today() + dt.timedelta(days=1)).strftime("%d/%m/%Y")


def rows_file(*rows, header=H):
    return xlsx_bytes([header, *rows])


@dataclass
class Bad:
    """A file, and what the import must say about it: `file_message` for the file as a
    whole, or (row, column as written in the file, message fragment) for each bad row."""

    id: str
    content: bytes
    name: str = "danh-sach.xlsx"
    file_message: str = ""
    row_errors: list[tuple[int, str, str]] = field(default_factory=list)
    at_upload: bool = False


def _docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def _two_level_header() -> bytes:
    return xlsx_bytes(
        [
            ["Họ và tên", "Liên hệ", "", "Cấp độ"],
            ["", "SĐT", "Nơi ở", ""],
            ["Nguyễn Văn An", "0912345678", "Số 1 Trần Hưng Đạo", "F0"],
        ],
        merge="B1:C1",
    )


def _vertical_merge_header() -> bytes:
    return xlsx_bytes(
        [
            ["Họ và tên", "SĐT", "Cấp độ"],
            ["", "", ""],
            ["Nguyễn Văn An", "0912345678", "F0"],
        ],
        merge="A1:A2",
    )


CORPUS = [
    # --- the file as a whole
    Bad(
        "wrong-headers",
        xlsx_bytes([["Name", "Phone", "Year"], ["An", "0912345678", 1980]]),
        file_message="Không tìm thấy dòng tiêu đề trong 10 dòng đầu",
    ),
    Bad("merged-two-level-header", _two_level_header(), file_message="có ô gộp (B1:C1)"),
    Bad("merged-header-down", _vertical_merge_header(), file_message="có ô gộp (A1:A2)"),
    Bad("header-without-rows", rows_file(), file_message="không có dòng dữ liệu nào"),
    Bad(
        "only-blank-rows",
        xlsx_bytes([H, ["", "", ""], [None, None], ["   ", ""]]),
        file_message="không có dòng dữ liệu nào",
    ),
    Bad(
        "csv-only-blank-rows",
        csv_bytes([H, ["", "", "", ""], []]),
        name="ds.csv",
        file_message="không có dòng dữ liệu nào",
    ),
    Bad(
        "missing-name-column",
        xlsx_bytes([["SĐT", "Cấp độ"], ["0912345678", "F0"]]),
        file_message="thiếu các cột: “Họ và tên”",
    ),
    Bad(
        "neither-level-nor-source-column",
        xlsx_bytes([["Họ và tên", "SĐT"], ["Nguyễn Văn An", "0912345678"]]),
        file_message="Tệp cần có cột “Cấp độ”",
    ),
    Bad(
        "same-column-twice",
        xlsx_bytes([["Họ và tên", "Họ tên", "Cấp độ"], ["An", "An", "F0"]]),
        file_message="Cột “Họ và tên” xuất hiện hai lần (cột A, B)",
    ),
    Bad(
        "pdf-is-not-a-spreadsheet",
        b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n",
        name="ds.pdf",
        file_message="không phải là bảng tính",
        at_upload=True,
    ),
    Bad(
        "png-is-not-a-spreadsheet",
        b"\x89PNG\r\n\x1a\n" + bytes(200),
        name="anh.xlsx",
        file_message="không phải là bảng tính",
        at_upload=True,
    ),
    Bad(
        "binary-garbage",
        bytes(range(256)) * 4,
        name="ds.csv",
        file_message="không phải là bảng tính",
        at_upload=True,
    ),
    Bad(
        "word-document-named-xlsx",
        _docx(),
        name="ds.xlsx",
        file_message="không phải là bảng tính",
    ),
    Bad("empty-file", b"", name="ds.csv", file_message="Tệp trống", at_upload=True),
    # --- bad rows
    Bad(
        "unknown-district",
        rows_file(["BN1", "Nguyễn Văn An", 1980, "0912345678", "", "F0", "", "Quận 1"]),
        row_errors=[(2, "Quận/Huyện", "Không có quận/huyện “Quận 1” trong tỉnh này")],
    ),
    Bad(
        "phone-too-short",
        rows_file(["BN1", "Nguyễn Văn An", 1980, "0912", "", "F0", "", ""]),
        row_errors=[(2, "SĐT", "0912 không đúng số chữ số của số di động Việt Nam")],
    ),
    Bad(
        "phone-unallocated-prefix",
        rows_file(["BN1", "Nguyễn Văn An", 1980, "089 123 4567", "", "F0", "", ""]),
        row_errors=[(2, "SĐT", "không phải số đã được cấp tại Việt Nam (đầu số 089")],
    ),
    Bad(
        "phone-is-a-landline",
        rows_file(["BN1", "Nguyễn Văn An", 1980, "024 3825 1234", "", "F0", "", ""]),
        row_errors=[(2, "SĐT", "không phải số di động")],
    ),
    Bad(
        "phone-letters",
        rows_file(["BN1", "Nguyễn Văn An", 1980, "09I2 345 678", "", "F0", "", ""]),
        row_errors=[(2, "SĐT", "Số điện thoại chỉ gồm chữ số")],
    ),
    Bad(
        "future-exposure-date",
        rows_file(F0, ["", "Trần Thị Bình", 1985, "0987654321", "BN1", "", TOMORROW, ""]),
        row_errors=[(3, "Ngày tiếp xúc", "ở trong tương lai")],
    ),
    Bad(
        "exposure-before-the-pandemic",
        rows_file(F0, ["", "Trần Thị Bình", 1985, "0987654321", "BN1", "", "01/01/2019", ""]),
        row_errors=[(3, "Ngày tiếp xúc", "trước ngày 01/12/2019")],
    ),
    Bad(
        "future-year-of-birth",
        rows_file(["BN1", "Nguyễn Văn An", 2090, "0912345678", "", "F0", "", ""]),
        row_errors=[(2, "Năm sinh", "Năm sinh 2090 không nằm trong khoảng 1900 đến")],
    ),
    Bad(
        "year-of-birth-text",
        rows_file(["BN1", "Nguyễn Văn An", "khoảng 40 tuổi", "0912345678", "", "F0", "", ""]),
        row_errors=[(2, "Năm sinh", "không phải là năm sinh")],
    ),
    Bad(
        "same-person-twice-in-the-file",
        rows_file(F0, ["BN2", "Nguyễn  Văn An", "1980", "+84912345678", "", "F0", "", ""]),
        row_errors=[(3, "", "Trùng số điện thoại, họ tên và năm sinh với dòng 2")],
    ),
    Bad(
        "same-code-twice-in-the-file",
        rows_file(F0, ["BN1", "Lê Văn Cường", 1990, "0987654321", "", "F0", "", ""]),
        row_errors=[(3, "Mã", "Mã BN1 đã có ở dòng 2")],
    ),
    Bad(
        "f1-whose-source-is-not-on-file",
        rows_file(["", "Trần Thị Bình", 1985, "0987654321", "HD-000999", "", "", ""]),
        row_errors=[(2, "Nguồn lây", "Nguồn lây HD-000999 không có trong hồ sơ của Hải Dương")],
    ),
    Bad(
        "source-in-another-province",
        rows_file(["", "Trần Thị Bình", 1985, "0987654321", "HN-000001", "", "", ""]),
        row_errors=[(2, "Nguồn lây", "Nguồn lây HN-000001 là người của Hà Nội")],
    ),
    Bad(
        "no-level-and-no-source",
        rows_file(["", "Trần Thị Bình", 1985, "0987654321", "", "", "", ""]),
        row_errors=[(2, "Cấp độ", "cần ghi cấp độ")],
    ),
    Bad(
        "level-disagrees-with-source",
        rows_file(F0, ["", "Trần Thị Bình", 1985, "0987654321", "BN1", "F2", "", ""]),
        row_errors=[(3, "Cấp độ", "“Cấp độ” ghi F2, nhưng dưới nguồn lây BN1 một cấp là F1")],
    ),
    Bad(
        "month-first-date",
        rows_file(F0, ["", "Trần Thị Bình", 1985, "0987654321", "BN1", "", "08/13/2020", ""]),
        row_errors=[(3, "Ngày tiếp xúc", "không có tháng 13. Nếu ý bạn là 13/08/2020")],
    ),
    Bad(
        "words-for-a-date",
        rows_file(F0, ["", "Trần Thị Bình", 1985, "0987654321", "BN1", "", "hôm qua", ""]),
        row_errors=[(3, "Ngày tiếp xúc", "“hôm qua” không phải là ngày")],
    ),
    Bad(
        "impossible-date",
        rows_file(F0, ["", "Trần Thị Bình", 1985, "0987654321", "BN1", "", "31/02/2020", ""]),
        row_errors=[(3, "Ngày tiếp xúc", "Không có ngày “31/02/2020”")],
    ),
    Bad(
        "total-row-under-the-table",
        rows_file(F0, ["", "Tổng cộng: 25 người", "", "", "", "", "", ""]),
        row_errors=[(3, "Họ và tên", "không phải là họ tên (có chữ số)")],
    ),
    Bad(
        "row-without-a-name",
        rows_file(F0, ["", "", 1990, "0987654321", "BN1", "", "", ""]),
        row_errors=[(3, "Họ và tên", "Ô này đang để trống")],
    ),
    Bad(
        "national-id-wrong-length",
        xlsx_bytes([["Họ và tên", "CMND/CCCD", "Cấp độ"], ["Nguyễn Văn An", "12345", "F0"]]),
        row_errors=[(2, "CMND/CCCD", "không phải là số CMND/CCCD")],
    ),
    Bad(
        "unknown-sex",
        xlsx_bytes([["Họ và tên", "Giới tính", "Cấp độ"], ["Nguyễn Văn An", "X", "F0"]]),
        row_errors=[(2, "Giới tính", "“X” không thuộc các giá trị: Nam, Nữ, Không rõ")],
    ),
    Bad(
        "unknown-level",
        rows_file(["BN1", "Nguyễn Văn An", 1980, "0912345678", "", "F9", "", ""]),
        row_errors=[(2, "Cấp độ", "“F9” không thuộc các giá trị")],
    ),
    Bad(
        "row-of-another-province",
        xlsx_bytes([["Họ và tên", "Mã tỉnh", "Cấp độ"], ["Nguyễn Văn An", "01", "F0"]]),
        row_errors=[
            (2, "Mã tỉnh", "Dòng này thuộc Hà Nội; bạn chỉ được nhập dữ liệu của Hải Dương")
        ],
    ),
    Bad(
        "province-code-and-name-disagree",
        xlsx_bytes(
            [
                ["Họ và tên", "Mã tỉnh", "Tỉnh/Thành phố", "Cấp độ"],
                ["Nguyễn Văn An", 30, "Hà Nội", "F0"],
            ]
        ),
        row_errors=[(2, "Tỉnh/Thành phố", "chỉ hai tỉnh khác nhau")],
    ),
    Bad(
        "sources-in-a-circle",
        rows_file(
            ["A1", "Trần Thị Bình", 1985, "0987654321", "A2", "", "", ""],
            ["A2", "Lê Văn Cường", 1990, "0977654321", "A1", "", "", ""],
        ),
        row_errors=[
            (2, "Nguồn lây", "Nguồn lây của các dòng 2, 3 tạo thành vòng tròn"),
            (3, "Nguồn lây", "tạo thành vòng tròn"),
        ],
    ),
    Bad(
        "deeper-than-f5",
        rows_file(
            ["L0", "Người Không", 1980, "0912000000", "", "F0", "", ""],
            *[
                [f"L{i}", f"Người Số {'I' * i}", 1980, f"091200000{i}", f"L{i - 1}", "", "", ""]
                for i in range(1, 7)
            ],
        ),
        row_errors=[(8, "Nguồn lây", "L5 là F5, cấp sâu nhất được theo dõi")],
    ),
    Bad(
        "code-of-another-province",
        rows_file(["HN-000001", "Nguyễn Văn An", 1980, "0912345678", "", "F0", "", ""]),
        row_errors=[(2, "Mã", "HN-000001 là mã của Hà Nội, không phải của Hải Dương")],
    ),
    Bad(
        "contact-of-a-bad-row",
        rows_file(
            ["BN1", "Nguyễn Văn An", 1980, "0912", "", "F0", "", ""],
            ["", "Trần Thị Bình", 1985, "0987654321", "BN1", "", "", ""],
        ),
        row_errors=[
            (2, "SĐT", "không đúng số chữ số"),
            (3, "Nguồn lây", "Nguồn lây của dòng này (dòng 2) có lỗi"),
        ],
    ),
    Bad(
        "name-too-long",
        rows_file(["BN1", "Nguyễn " + "Văn " * 40 + "An", 1980, "", "", "F0", "", ""]),
        row_errors=[(2, "Họ và tên", "Nội dung quá dài")],
    ),
]


def test_the_corpus_is_large_enough():
    assert len(CORPUS) >= 30
    assert len({bad.id for bad in CORPUS}) == len(CORPUS)


@pytest.mark.parametrize("bad", CORPUS, ids=lambda b: b.id)
def test_bad_file_gets_its_clear_error_and_nothing_is_written(bad, police_user, import_file):
    before = Case.objects.count()
    if bad.at_upload:
        with pytest.raises(ApplicationError) as exc:
            import_file(police_user, bad.content, name=bad.name)
        assert bad.file_message in exc.value.message
        assert Case.objects.count() == before
        return
    job = import_file(police_user, bad.content, name=bad.name)
    if bad.file_message:
        assert job.status == ImportStatus.REJECTED, job.errors
        assert bad.file_message in job.message
    else:
        assert job.status == ImportStatus.READY, job.message
        found = [(e["row"], e["column"], e["msg"]) for e in job.errors]
        for row, column, fragment in bad.row_errors:
            assert any(r == row and c == column and fragment in m for r, c, m in found), (
                row,
                column,
                fragment,
                found,
            )
        assert job.error_rows == len({row for row, _c, _f in bad.row_errors})
        with pytest.raises(ApplicationError) as exc:
            services.import_job_confirm(actor=police_user, job=job)
        assert "dòng bị lỗi nên chưa nhập gì" in exc.value.message
    assert Case.objects.count() == before


@override_settings(EXCHANGE_MAX_UPLOAD_MB=25)
def test_a_50_mb_file_is_refused_by_the_size_limit(police_user, tmp_path, db):
    from django.core.files.uploadedfile import TemporaryUploadedFile

    big = TemporaryUploadedFile("rat-lon.csv", "text/csv", 50 * 1024 * 1024, "utf-8", None)
    line = ("Nguyễn Văn An,1980,0912345678,F0\n").encode()
    with open(big.temporary_file_path(), "wb") as f:
        f.write("Họ và tên,Năm sinh,SĐT,Cấp độ\n".encode())
        chunk = line * (1024 * 1024 // len(line))
        for _i in range(50):
            f.write(chunk)
    big.size = big.file.seek(0, 2)
    assert big.size >= 49 * 1024 * 1024
    with pytest.raises(ApplicationError) as exc:
        services.import_job_create(actor=police_user, kind="people", upload=big)
    assert "chỉ nhập được tệp đến 25 MB" in exc.value.message
    assert "Hãy chia thành các tệp nhỏ hơn" in exc.value.message
    assert not list((tmp_path / "media").rglob("*.csv"))


def test_error_rows_come_back_as_a_spreadsheet_with_an_error_column(police_user, import_file):
    from python_calamine import CalamineWorkbook

    content = rows_file(
        F0,
        ["", "Trần Thị Bình", 1985, "0912", "BN1", "", "08/13/2020", ""],
        ["", "Lê Văn Cường", 1990, "0987654321", "BN1", "", "13/08/2020", ""],
    )
    job = import_file(police_user, content)
    assert job.error_rows == 1
    sheet = CalamineWorkbook.from_path(job.error_file.path).get_sheet_by_index(0).to_python()
    assert sheet[0] == ["Dòng", *H, "Lỗi"]
    assert len(sheet) == 2
    assert sheet[1][0] == 3.0 and sheet[1][2] == "Trần Thị Bình"
    assert "SĐT: 0912 không đúng số chữ số" in sheet[1][-1]
    assert "Ngày tiếp xúc: “08/13/2020” không phải là ngày" in sheet[1][-1]
    text = job.error_csv.open("rb").read().decode("utf-8-sig")
    assert text.splitlines()[0].endswith(",Lỗi")
    assert "Trần Thị Bình" in text and "Lê Văn Cường" not in text


def test_fixed_error_file_imports_the_rows_left_out(police_user, import_and_confirm, import_file):
    """The error file (with its Dòng and Lỗi columns) can be fixed and uploaded as it is."""
    from python_calamine import CalamineWorkbook

    from .conftest import xlsx_bytes as build

    job = import_and_confirm(
        police_user,
        rows_file(F0, ["", "Trần Thị Bình", 1985, "0912", "BN1", "", "", ""]),
        valid_rows_only=True,
    )
    assert job.status == ImportStatus.DONE and job.created_count == 1
    rows = CalamineWorkbook.from_path(job.error_file.path).get_sheet_by_index(0).to_python()
    rows[1][4] = "0987 654 321"  # the phone, fixed
    rows[1][5] = Case.objects.get(full_name="Nguyễn Văn An").code  # the source, now on file
    fixed = import_file(police_user, build(rows))
    assert fixed.error_rows == 0 and fixed.to_create == 1
    assert not [n for n in fixed.notes if "file" in n and "Lỗi" in n["file"]]
