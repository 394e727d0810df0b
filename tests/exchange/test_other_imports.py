import datetime as dt

from tests.stats.factories import InstallSnapshotFactory
from tracing_portal.accounts.roles import Role
from tracing_portal.audit.models import AuditAction, AuditEvent
from tracing_portal.cases.models import QuarantineFacility
from tracing_portal.exchange.models import ImportStatus
from tracing_portal.stats.models import InstallSnapshot

from .conftest import csv_bytes, xlsx_bytes


def test_facilities_are_created_then_updated_by_name(province_admin, import_and_confirm):
    content = xlsx_bytes(
        [
            ["Tên khu cách ly", "Địa chỉ", "Số giường"],
            ["Khu cách ly Trường Quân sự tỉnh", "Xã Cẩm Điền", "400"],
            ["Ký túc xá Cao đẳng Y tế", "Số 1 Vũ Hựu", 250.0],
        ]
    )
    job = import_and_confirm(province_admin, content, kind="facilities")
    assert job.created_count == 2
    assert QuarantineFacility.objects.get(name="Ký túc xá Cao đẳng Y tế").capacity == 250
    changed = xlsx_bytes([["Khu cách ly", "Sức chứa"], ["khu cách ly trường quân sự tỉnh", 500]])
    job = import_and_confirm(province_admin, changed, kind="facilities")
    assert (job.created_count, job.updated_count) == (0, 1)
    facility = QuarantineFacility.objects.get(name="Khu cách ly Trường Quân sự tỉnh")
    assert facility.capacity == 500 and facility.address == "Xã Cẩm Điền"
    assert AuditEvent.objects.filter(action=AuditAction.IMPORTED).count() == 2


def test_facility_file_errors(province_admin, import_file):
    content = xlsx_bytes(
        [
            ["Tên khu cách ly", "Sức chứa", "Mã tỉnh"],
            ["A", "", 30],
            ["B", "-3", 30],
            ["C", 10, "01"],
            ["c", 10, 30],
            ["C", 10, 30],
        ]
    )
    job = import_file(province_admin, content, kind="facilities")
    found = {(e["row"], e["column"]): e["msg"] for e in job.errors}
    assert found[(2, "Sức chứa")] == "Ô này đang để trống."
    assert found[(3, "Sức chứa")] == "“-3” không phải là số nguyên."
    assert found[(4, "Mã tỉnh")].startswith("Dòng này thuộc Hà Nội")
    assert found[(5, "Tên khu cách ly")] == "Khu cách ly này đã có ở dòng 4."
    assert found[(6, "Tên khu cách ly")] == "Khu cách ly này đã có ở dòng 4."


def test_install_figures_import_with_vietnamese_headers(province_admin, import_and_confirm):
    content = csv_bytes(
        [
            [
                "Tỉnh/Thành phố",
                "Ngày",
                "Số lượt cài Bluezone",
                "Số lượt cài có số điện thoại",
                "Số người dùng điện thoại thông minh",
            ],
            ["Hải Dương", "19/06/2021", "688.900", "600,000", "1 398 000"],
            ["Tỉnh Hải Dương", "20/06/2021", 690000, 601000, ""],
        ]  # fmt: skip
    )
    job = import_and_confirm(province_admin, content, name="lượt cài.csv", kind="snapshots")
    assert job.status == ImportStatus.DONE and job.created_count == 2
    snap = InstallSnapshot.objects.get(date=dt.date(2021, 6, 19))
    assert (snap.installs, snap.installs_with_phone, snap.smartphone_users) == (
        688_900,
        600_000,
        1_398_000,
    )
    assert snap.source == "import"


def test_install_figures_of_another_province_are_refused(province_admin, import_file):
    content = csv_bytes([["Mã tỉnh", "Ngày", "Số lượt cài", "Số lượt cài có SĐT"],
                         ["01", "19/06/2021", 10, 20]])  # fmt: skip
    job = import_file(province_admin, content, name="a.csv", kind="snapshots")
    messages = {(e["row"], e["column"]): e["msg"] for e in job.errors}
    assert messages[(2, "Mã tỉnh")].startswith("Dòng này thuộc Hà Nội")
    assert messages[(2, "Số lượt cài có SĐT")] == (
        "Số lượt cài có số điện thoại (20) lớn hơn số lượt cài (10)."
    )


def test_install_figures_update_on_reimport(province_admin, import_and_confirm):
    InstallSnapshotFactory(province_id="30", date=dt.date(2021, 6, 19), installs=1)
    content = csv_bytes(
        [["Mã tỉnh", "Ngày", "Số lượt cài", "Số lượt cài có SĐT"], [30, "19/06/2021", 10, 5]]
    )
    job = import_and_confirm(province_admin, content, name="a.csv", kind="snapshots")
    assert (job.to_create, job.to_update) == (0, 1)
    assert InstallSnapshot.objects.get(province_id="30").installs == 10


def test_admin_offers_import_and_export_of_facilities(client, make_user):
    admin = make_user(Role.PROVINCE_ADMIN)
    client.force_login(admin)
    page = client.get("/admin/cases/quarantinefacility/").content.decode()
    assert "/admin/cases/quarantinefacility/import/" in page
    assert "/admin/cases/quarantinefacility/export/" in page


def test_purge_deletes_old_files(police_user, import_file, settings):
    job = import_file(police_user, xlsx_bytes([["Họ tên", "Cấp độ"], ["An", "F9"]]))
    assert job.file and job.error_file
    from tracing_portal.exchange.services import import_files_purge

    assert import_files_purge(older_than_days=1) == 0
    assert import_files_purge(older_than_days=-1) == 1
    job.refresh_from_db()
    assert not job.file and not job.error_file and job.status == "cancelled"
