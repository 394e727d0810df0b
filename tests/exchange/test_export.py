import csv
import datetime as dt
import io

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.cases.factories import CaseFactory
from tests.notifications.factories import SmsMessageFactory
from tests.stats.factories import InstallSnapshotFactory
from tracing_portal.accounts.roles import Role
from tracing_portal.audit.models import AuditAction, AuditEvent
from tracing_portal.cases.models import Case

PEOPLE = reverse("exchange:export_people")


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def read_xlsx(response) -> list[list]:
    content = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(content)).active
    return [[c.value for c in row] for row in sheet.iter_rows()]


def exports() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=AuditAction.EXPORTED).order_by("id"))


@pytest.fixture
def admin_client(client, province_admin):
    client.force_login(province_admin)
    return client


@pytest.fixture
def people(db):
    f0 = CaseFactory(full_name="Nguyễn Văn An", phone="+84912345678", code="HD-000001")
    CaseFactory(
        full_name="Trần Thị Bình",
        level=1,
        source=f0,
        relation="household",
        phone="+84987654321",
        code="HD-000002",
        exposure_date=dt.date(2020, 8, 13),
    )
    CaseFactory(full_name="Hà Nội Một", province_id="01", code="HN-000001")
    return f0


def test_people_csv_streams_masked_phones_and_audits_the_rows_sent(admin_client, people):
    response = admin_client.post(PEOPLE, {"file_format": "csv"})
    assert isinstance(response, StreamingHttpResponse)
    assert exports() == []  # recorded when the last row has gone out
    rows = read_csv(response)
    header = rows[0]
    assert header[:6] == ["Mã", "Họ và tên", "Năm sinh", "Giới tính", "CMND/CCCD", "Số điện thoại"]
    by_code = {r[0]: dict(zip(header, r, strict=True)) for r in rows[1:]}
    assert set(by_code) == {"HD-000001", "HD-000002"}
    assert by_code["HD-000001"]["Số điện thoại"] == "091****678"
    assert by_code["HD-000002"]["Nguồn lây"] == "HD-000001"
    assert by_code["HD-000002"]["Cấp độ"] == "F1"
    assert by_code["HD-000002"]["Mối quan hệ"] == "Hộ gia đình"
    assert by_code["HD-000002"]["Ngày tiếp xúc"] == "13/08/2020"
    (event,) = exports()
    assert event.details["rows"] == 2 and event.details["dataset"] == "people"
    assert event.details["full_phones"] is False and event.details["completed"] is True


def test_full_numbers_need_the_permission_and_the_choice(admin_client, people, client, make_user):
    rows = read_csv(admin_client.post(PEOPLE, {"file_format": "csv", "full_phones": "on"}))
    phones = {r[0]: r[5] for r in rows[1:]}
    assert phones["HD-000001"] == "0912 345 678"  # national format, never "+84…"
    assert exports()[0].details["full_phones"] is True
    national = make_user(Role.NATIONAL_ADMIN)  # exports, but may not see full numbers
    client.force_login(national)
    rows = read_csv(client.post(PEOPLE, {"file_format": "csv", "full_phones": "on"}))
    assert len(rows) == 4 and all("****" in r[5] for r in rows[1:])
    assert exports()[-1].details["full_phones"] is False


def test_formula_injection_is_neutralised_but_phones_are_not_touched(admin_client, db):
    CaseFactory(full_name="=HYPERLINK(\"http://x\")", address="+1 Trần Hưng Đạo", notes="@SUM(A1)",
                phone="+84912345678", national_id="")  # fmt: skip
    CaseFactory(full_name="An", address="-5", notes="\tTab", phone="+84987654321")
    rows = read_csv(admin_client.post(PEOPLE, {"file_format": "csv", "full_phones": "on"}))
    header = rows[0]
    values = [dict(zip(header, r, strict=True)) for r in rows[1:]]
    first = next(v for v in values if "HYPERLINK" in v["Họ và tên"])
    assert first["Họ và tên"] == '\'=HYPERLINK("http://x")'
    assert first["Nơi ở"] == "'+1 Trần Hưng Đạo" and first["Ghi chú"] == "'@SUM(A1)"
    assert first["Số điện thoại"] == "0912 345 678"
    second = next(v for v in values if v["Họ và tên"] == "An")
    assert second["Nơi ở"] == "'-5" and second["Ghi chú"] == "'\tTab"
    workbook = read_xlsx(admin_client.post(PEOPLE, {"file_format": "xlsx", "full_phones": "on"}))
    cells = [c for row in workbook for c in row if isinstance(c, str)]
    assert '\'=HYPERLINK("http://x")' in cells
    assert not [c for c in cells if c.startswith(("=", "+", "@"))]


def test_people_xlsx_has_the_resource_columns(admin_client, people):
    rows = read_xlsx(admin_client.post(PEOPLE, {"file_format": "xlsx", "level": "1"}))
    assert rows[0][:3] == ["Mã", "Họ và tên", "Năm sinh"]
    assert [r[0] for r in rows[1:]] == ["HD-000002"]  # the level filter applies
    assert rows[1][2] == 1980  # a number stays a number
    assert exports()[0].details["filters"] == {"level": 1}


def test_hanoi_admin_cannot_export_hai_duong_people(client, make_user, people):
    from tracing_portal.geo.models import District

    hanoi = make_user(Role.PROVINCE_ADMIN, province="01")
    client.force_login(hanoi)
    rows = read_csv(client.post(PEOPLE, {"file_format": "csv"}))
    assert [r[0] for r in rows[1:]] == ["HN-000001"]
    hai_duong_district = District.objects.filter(province_id="30").first()
    response = client.post(PEOPLE, {"file_format": "csv", "district": hai_duong_district.pk})
    assert response.status_code == 400  # not a choice for a Hà Nội user
    assert len(exports()) == 1


@pytest.mark.parametrize("role", [Role.CDC, Role.POLICE, Role.DIC, Role.OFFICIAL])
def test_only_administrators_export(client, make_user, role, people):
    client.force_login(make_user(role))
    assert client.post(PEOPLE, {"file_format": "csv"}).status_code == 403
    assert client.get(reverse("exchange:export")).status_code == 403


def test_csv_is_streamed_in_chunks_and_a_cut_download_is_audited_as_such(admin_client, police_user):
    Case.objects.bulk_create(
        [
            Case(province_id="30", code=f"HD-{i:06d}", level=0, f0_status="suspected",
                 full_name=f"Người {chr(65 + i % 26)}", name_folded="nguoi", phone="",
                 entered_by=police_user, entering_agency="police")
            for i in range(2, 2502)
        ]
    )  # fmt: skip
    total = Case.objects.count()
    response = admin_client.post(PEOPLE, {"file_format": "csv"})
    chunks = iter(response.streaming_content)
    first, second = next(chunks), next(chunks)
    assert first.startswith("\ufeffMã".encode()) and second.count(b"\n") == 1000
    # The browser went away: the server closes the response's iterator (the test client's
    # closing wrapper around our generator).
    response._iterator.close()
    (event,) = exports()
    assert event.details["completed"] is False and event.details["rows"] < total
    response = admin_client.post(PEOPLE, {"file_format": "csv"})
    assert len(list(response.streaming_content)) >= 4
    assert exports()[-1].details == {**exports()[-1].details, "rows": total, "completed": True}


def test_xlsx_over_the_row_limit_asks_for_csv(admin_client, people, settings):
    settings.EXCHANGE_XLSX_MAX_ROWS = 1
    response = admin_client.post(PEOPLE, {"file_format": "xlsx"})
    assert response.status_code == 400
    assert "Nhiều hơn 1 dòng" in response.content.decode()
    assert exports() == []


def test_round_trip_export_then_import_gives_the_same_data(
    admin_client, police_user, import_file, import_and_confirm
):
    from .test_import_people import chain_file

    import_and_confirm(police_user, chain_file())
    fields = ["code", "full_name", "year_of_birth", "sex", "national_id", "phone", "address",
              "district_id", "source__code", "relation", "exposure_date", "level", "f0_status",
              "status", "bluezone_status", "notes"]  # fmt: skip
    before = sorted(Case.objects.values_list(*fields))
    exported = b"".join(
        admin_client.post(PEOPLE, {"file_format": "xlsx", "full_phones": "on"}).streaming_content
    )
    again = import_file(police_user, exported)
    assert (again.to_create, again.to_update, again.unchanged, again.error_rows) == (0, 0, 4, 0)
    Case.objects.filter(level__gt=1).delete()
    Case.objects.filter(level=1).delete()
    Case.objects.all().delete()
    job = import_and_confirm(police_user, exported)
    assert job.created_count == 4
    assert sorted(Case.objects.values_list(*fields)) == before


def test_sms_log_export_masks_recipients(admin_client, db):
    SmsMessageFactory(recipient="+84912345678", status="delivered")
    response = admin_client.post(reverse("exchange:export_sms"), {"file_format": "csv"})
    rows = read_csv(response)
    assert rows[0][:5] == ["Thời gian", "Số điện thoại", "Mã", "Loại tin", "Trạng thái"]
    assert rows[1][1] == "091****678" and rows[1][3] == "Đề nghị cài Bluezone"
    assert rows[1][4] == "Đã đến máy"
    assert exports()[0].details["dataset"] == "sms_log"


def test_install_figures_export_reimports_unchanged(admin_client, province_admin, import_file, db):
    InstallSnapshotFactory(province_id="30", date=dt.date(2021, 6, 19), installs=688_900,
                           installs_with_phone=600_000, smartphone_users=1_398_000)  # fmt: skip
    InstallSnapshotFactory(province_id="01", date=dt.date(2021, 6, 19), installs=2_000_000)
    response = admin_client.post(
        reverse("exchange:export_snapshots"), {"file_format": "xlsx", "province": "30"}
    )
    content = b"".join(response.streaming_content)
    rows = read_xlsx_bytes(content)
    assert rows[0] == ["Mã tỉnh", "Tỉnh/Thành phố", "Ngày", "Số lượt cài Bluezone",
                       "Số lượt cài có SĐT", "Số người dùng điện thoại thông minh"]  # fmt: skip
    assert rows[1] == ["30", "Hải Dương", "19/06/2021", 688900, 600000, 1398000]
    job = import_file(province_admin, content, kind="snapshots")
    assert (job.status, job.unchanged, job.to_create, job.error_rows) == ("ready", 1, 0, 0)


def read_xlsx_bytes(content):
    sheet = load_workbook(io.BytesIO(content)).active
    return [[c.value for c in row] for row in sheet.iter_rows()]


def test_ministry_report_counts_f0_f1_f2_by_district_and_day(admin_client, db):
    today = timezone.localdate()
    f0 = CaseFactory(district_id="295", level=0)
    f1 = CaseFactory(district_id="295", level=1, source=f0, f0_status="")
    CaseFactory(district_id="295", level=1, source=f0, f0_status="")
    f2 = CaseFactory(district_id="288", level=2, source=f1, f0_status="")
    CaseFactory(district_id="288", level=3, source=f2, f0_status="")  # not in the report
    CaseFactory(province_id="01", level=0, code="HN-000009")  # another province
    response = admin_client.post(
        reverse("exchange:ministry_report"),
        {"file_format": "csv", "date_from": today.isoformat(), "date_to": today.isoformat()},
    )
    rows = read_csv(response)
    assert rows[0] == ["Ngày", "Mã tỉnh", "Tỉnh/Thành phố", "Quận/Huyện", "F0", "F1", "F2",
                       "Tổng F0-F2"]  # fmt: skip
    day = today.strftime("%d/%m/%Y")
    assert rows[1:] == [
        [day, "30", "Hải Dương", "Huyện Cẩm Giàng", "1", "2", "0", "3"],
        [day, "30", "Hải Dương", "Thành phố Hải Dương", "0", "0", "1", "1"],
    ]
    assert exports()[0].details["dataset"] == "ministry_report"


def test_export_index_lists_what_the_user_may_export(admin_client):
    page = admin_client.get(reverse("exchange:export")).content.decode()
    for name in ("export_people", "export_candidates", "export_sms", "export_snapshots",
                 "ministry_report"):  # fmt: skip
        assert reverse(f"exchange:{name}") in page


def test_f1_candidates_export_of_the_own_province_only(admin_client, police_user, people):
    from tracing_portal.bluezone.models import TracedContact, TraceRequest

    now = timezone.now()

    def trace_with_candidate(case, phone):
        trace = TraceRequest.objects.create(
            case=case, province_id=case.province_id, opened_by=police_user, msisdn="84912345678"
        )
        return TracedContact.objects.create(
            trace=trace, contact_id=f"c-{phone}", phone=phone, sightings_count=120,
            first_seen=now, last_seen=now, raw_minutes=42.5, weighted_minutes=30.0,
            is_candidate=True,
        )  # fmt: skip

    trace_with_candidate(people, "+84977000111")
    trace_with_candidate(Case.objects.get(code="HN-000001"), "+84977000222")
    response = admin_client.post(reverse("exchange:export_candidates"), {"file_format": "csv"})
    rows = read_csv(response)
    assert rows[0][:4] == ["Mã F0", "Họ và tên F0", "Lần truy vết", "Số điện thoại"]
    assert len(rows) == 2
    assert rows[1][0] == "HD-000001" and rows[1][3] == "097****111"
    assert rows[1][10] == "Chờ xét duyệt"
    assert exports()[0].details["dataset"] == "f1_candidates"
