import pytest
from django.urls import reverse

from tracing_portal.accounts.navigation import places_for
from tracing_portal.accounts.roles import Role
from tracing_portal.audit.models import AuditAction, AuditEvent
from tracing_portal.cases.models import Case
from tracing_portal.exchange.models import ImportJob, ImportStatus

from .conftest import upload, xlsx_bytes

GOOD = xlsx_bytes(
    [
        ["Mã", "Họ và tên", "SĐT", "Nguồn lây", "Cấp độ"],
        ["BN1", "Nguyễn Văn An", "0912345678", "", "F0"],
        ["", "Trần Thị Bình", "0987654321", "BN1", ""],
    ]
)
BAD = xlsx_bytes(
    [
        ["Mã", "Họ và tên", "SĐT", "Nguồn lây", "Cấp độ"],
        ["BN1", "Nguyễn Văn An", "0912345678", "", "F0"],
        ["", "Trần Thị Bình", "0912", "BN1", ""],
    ]
)


@pytest.fixture
def police_client(client, police_user):
    client.force_login(police_user)
    return client


def post_file(client, content, django_capture_on_commit_callbacks, name="ds.xlsx"):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(
            reverse("exchange:import"), {"kind": "people", "file": upload(content, name)}
        )


def test_upload_preview_confirm_import(
    police_client, police_user, django_capture_on_commit_callbacks
):
    response = post_file(police_client, GOOD, django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == job.get_absolute_url()
    page = police_client.get(job.get_absolute_url()).content.decode()
    assert "Xem trước (chưa nhập gì)" in page and "Nhập: thêm mới 2, cập nhật 0" in page
    assert not Case.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        police_client.post(reverse("exchange:job_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and Case.objects.count() == 2
    page = police_client.get(job.get_absolute_url()).content.decode()
    assert "Kết quả" in page and "Đã nhập" in page


def test_errors_block_the_import_unless_valid_rows_only(
    police_client, django_capture_on_commit_callbacks
):
    post_file(police_client, BAD, django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()
    page = police_client.get(job.get_absolute_url()).content.decode()
    assert "Có 1 dòng bị lỗi" in page
    assert "Dòng" in page and "0912 không đúng số chữ số" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = police_client.post(reverse("exchange:job_confirm", args=[job.pk]), follow=True)
    assert "dòng bị lỗi nên chưa nhập gì" in response.content.decode()
    assert not Case.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        police_client.post(
            reverse("exchange:job_confirm", args=[job.pk]), {"valid_rows_only": "on"}
        )
    assert list(Case.objects.values_list("full_name", flat=True)) == ["Nguyễn Văn An"]


def test_error_rows_download_is_audited(police_client, django_capture_on_commit_callbacks):
    post_file(police_client, BAD, django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()
    response = police_client.get(reverse("exchange:job_errors", args=[job.pk, "csv"]))
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "Trần Thị Bình" in body and "Lỗi" in body.splitlines()[0]
    event = AuditEvent.objects.get(action=AuditAction.EXPORTED)
    assert event.details["dataset"] == "import_errors" and event.details["rows"] == 1


def test_status_endpoint_feeds_the_progress_bar(
    police_client, police_user, django_capture_on_commit_callbacks
):
    job = ImportJob.objects.create(
        kind="people", province_id="30", created_by=police_user, original_name="a.xlsx",
        status=ImportStatus.IMPORTING, progress=40,
    )  # fmt: skip
    page = police_client.get(job.get_absolute_url()).content.decode()
    assert "exchange-progress.js" in page and 'value="40"' in page
    data = police_client.get(reverse("exchange:job_status", args=[job.pk])).json()
    assert data == {
        "status": "importing",
        "label": "Đang nhập",
        "progress": 40,
        "active": True,
        "rows": 0,
    }


def test_someone_elses_import_is_not_found(client, make_user, police_user):
    job = ImportJob.objects.create(
        kind="people", province_id="30", created_by=police_user, original_name="a.xlsx"
    )
    client.force_login(make_user(Role.CDC))
    assert client.get(job.get_absolute_url()).status_code == 404
    assert client.get(reverse("exchange:job_status", args=[job.pk])).status_code == 404


def test_cancel_discards_the_upload(police_client, django_capture_on_commit_callbacks):
    post_file(police_client, BAD, django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        police_client.post(reverse("exchange:job_cancel", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportStatus.CANCELLED and not job.file


def test_upload_errors_are_shown_on_the_form(police_client, settings):
    settings.EXCHANGE_MAX_UPLOAD_MB = 0.001
    response = police_client.post(
        reverse("exchange:import"), {"kind": "people", "file": upload(GOOD)}
    )
    assert response.status_code == 400
    assert "chỉ nhập được tệp đến 0.001 MB" in response.content.decode()
    response = police_client.post(
        reverse("exchange:import"), {"kind": "people", "file": upload(b"%PDF-1.4", "a.pdf")}
    )
    assert "không phải là bảng tính" in response.content.decode()


def test_template_has_the_importable_headers(police_client):
    from python_calamine import CalamineWorkbook

    response = police_client.get(reverse("exchange:template", args=["people"]))
    content = b"".join(response.streaming_content)
    header = CalamineWorkbook.from_filelike(__import__("io").BytesIO(content))
    row = header.get_sheet_by_index(0).to_python()[0]
    assert row[:3] == ["Mã", "Họ và tên", "Năm sinh"] and "Xác minh" not in row


@pytest.mark.parametrize(
    "role,can_import,can_export",
    [
        (Role.CDC, True, False),
        (Role.POLICE, True, False),
        (Role.PROVINCE_ADMIN, True, True),
        (Role.NATIONAL_ADMIN, False, True),
        (Role.DIC, False, False),
        (Role.OFFICIAL, False, False),
    ],
)
def test_menu_shows_import_and_export_to_those_allowed(make_user, client, role, can_import,
                                                        can_export):  # fmt: skip
    user = make_user(role)
    names = {p["url_name"] for p in places_for(user)}
    assert ("exchange:import" in names) is can_import
    assert ("exchange:export" in names) is can_export
    client.force_login(user)
    assert client.get(reverse("exchange:import")).status_code == (200 if can_import else 403)


def test_facility_kind_only_for_those_who_manage_facilities(police_user, province_admin):
    from tracing_portal.exchange.services import import_kinds_for

    assert [k for k, _l in import_kinds_for(police_user)] == ["people", "snapshots"]
    assert [k for k, _l in import_kinds_for(province_admin)] == [
        "people",
        "facilities",
        "snapshots",
    ]
