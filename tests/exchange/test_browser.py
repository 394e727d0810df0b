import pytest
from playwright.sync_api import expect

from tests import signin
from tracing_portal.accounts.roles import Role
from tracing_portal.cases.models import Case
from tracing_portal.exchange.models import ImportJob, ImportStatus

from .conftest import xlsx_bytes

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SHEET = xlsx_bytes(
    [
        ["DANH SÁCH F1 CÔNG TY MAY"],
        ["Mã", "Họ và tên", "Năm sinh", "SĐT", "Nguồn lây", "Cấp độ", "Ngày tiếp xúc"],
        ["BN416", "Nguyễn Văn An", 1974, "0912 345 678", "", "F0", ""],
        ["", "Trần Thị Bình", 1985, "0987 654 321", "BN416", "", "13/08/2020"],
        ["", "Lê Văn Cường", 1990, "0912", "BN416", "", "08/13/2020"],
    ]
)


def sign_in(page, live_server, user, password):
    signin.sign_in(page, live_server.url, user, password)
    page.wait_for_url(f"{live_server.url}/")


def test_police_uploads_sees_the_errors_and_imports_the_valid_rows(
    live_server, page, make_user, password, tmp_path
):
    police = make_user(Role.POLICE)
    sign_in(page, live_server, police, password)
    page.get_by_role("link", name="Nhập tệp").first.click()
    path = tmp_path / "f1-cong-ty-may.xlsx"
    path.write_bytes(SHEET)
    page.get_by_label("Bảng tính").set_input_files(str(path))
    page.get_by_role("button", name="Tải lên và kiểm tra").click()

    expect(page.get_by_role("heading", name="Xem trước (chưa nhập gì)")).to_be_visible()
    expect(page.get_by_text("Có 1 dòng bị lỗi")).to_be_visible()
    expect(page.get_by_text("không có tháng 13. Nếu ý bạn là 13/08/2020")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Các dòng cần sửa (.xlsx)").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    assert not Case.objects.exists()

    page.get_by_label("Chỉ nhập các dòng hợp lệ, bỏ qua các dòng bị lỗi").check()
    page.get_by_role("button", name="Nhập: thêm mới 2, cập nhật 0").click()
    expect(page.get_by_role("heading", name="Kết quả")).to_be_visible()
    assert sorted(Case.objects.values_list("full_name", "level")) == [
        ("Nguyễn Văn An", 0),
        ("Trần Thị Bình", 1),
    ]


def test_progress_bar_follows_the_worker_and_shows_the_preview(
    live_server, page, make_user, password
):
    police = make_user(Role.POLICE)
    job = ImportJob.objects.create(
        kind="people",
        province_id="30",
        created_by=police,
        original_name="lon.xlsx",
        status=ImportStatus.VALIDATING,
        progress=35,
    )
    sign_in(page, live_server, police, password)
    page.goto(f"{live_server.url}{job.get_absolute_url()}")
    bar = page.locator("#import-progress-bar")
    expect(bar).to_have_attribute("value", "35")
    ImportJob.objects.filter(pk=job.pk).update(progress=80)
    expect(bar).to_have_attribute("value", "80")
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.READY, progress=100, to_create=7, total_rows=7
    )
    expect(page.get_by_role("heading", name="Xem trước (chưa nhập gì)")).to_be_visible()
    expect(page.get_by_text("Nhập: thêm mới 7, cập nhật 0")).to_be_visible()


def test_administrator_downloads_people_as_csv(live_server, page, make_user, password):
    from tests.cases.factories import CaseFactory

    CaseFactory(full_name="Nguyễn Văn An", phone="+84912345678")
    admin = make_user(Role.PROVINCE_ADMIN)
    sign_in(page, live_server, admin, password)
    page.get_by_role("link", name="Xuất dữ liệu").first.click()
    page.get_by_role("link", name="Xuất danh sách người").click()
    page.get_by_label("CSV (UTF-8)").check()
    with page.expect_download() as download:
        page.get_by_role("button", name="Tải xuống").click()
    text = open(download.value.path(), encoding="utf-8-sig").read()
    assert "Nguyễn Văn An" in text and "091****678" in text
