"""People through the API: the same services, audit events and numbers as the pages."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework import serializers
from rest_framework.test import APIClient

from tracing_portal.accounts.roles import Role
from tracing_portal.audit.models import AuditEvent
from tracing_portal.cases.apis import (
    PersonSerializer,
    _datetime_text,
    person_row_data,
    person_rows,
)
from tracing_portal.cases.models import Case, CaseHistory
from tracing_portal.cases.services import case_create, case_update

from .factories import PersonFactory

CREATE = reverse("api:cases-create")


def detail(code):
    return reverse("api:cases-detail", kwargs={"code": code})


def test_creating_through_the_api_writes_the_pages_audit_event(cdc_user, api_for, client):
    response = api_for(cdc_user).post(
        CREATE, {"full_name": "Nguyễn Văn  Bình", "phone": "0912 345 001"}, format="json"
    )
    assert response.status_code == 201, response.json()
    person = response.json()["person"]
    assert person["full_name"] == "Nguyễn Văn Bình"
    assert person["phone_masked"] == "091****001"
    assert person["level"] == 0 and person["f0_status"] == "suspected"
    api_person = Case.objects.get(code=person["code"])

    client.force_login(cdc_user)
    page = client.post(
        reverse("cases:create"),
        {
            "full_name": "Trần Thị Cúc",
            "phone": "0912 345 002",
            "level": 0,
            "sex": "unknown",
            "status": "active",
            "bluezone_status": "unknown",
            "quarantine": "none",
        },
    )
    assert page.status_code == 302
    page_person = Case.objects.get(full_name="Trần Thị Cúc")

    def events(case):
        return sorted(
            AuditEvent.objects.filter(object_type="cases.case", object_id=str(case.pk)).values_list(
                "action", "actor_id", "province_id", "object_type"
            )
        )

    assert events(api_person) == events(page_person)
    assert ("case_created", cdc_user.pk, "30", "cases.case") in events(api_person)


def test_a_contact_is_created_one_level_below_its_source(cdc_user, api_for):
    source = PersonFactory()
    response = api_for(cdc_user).post(
        CREATE,
        {"full_name": "Lê Văn Gặp", "source_code": source.code, "relation": "workplace"},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["person"]["level"] == 1
    assert response.json()["person"]["source_code"] == source.code


def test_a_source_in_another_province_is_not_found(cdc_user, api_for):
    other = PersonFactory(province_id="01")
    response = api_for(cdc_user).post(
        CREATE,
        {"full_name": "Lê Văn Gặp", "source_code": other.code, "relation": "workplace"},
        format="json",
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert other.code in error["details"]["source_code"][0]


def test_field_errors_are_listed_by_field(cdc_user, api_for):
    response = api_for(cdc_user).post(
        CREATE,
        {"full_name": "", "phone": "0241 234 567", "national_id": "12ab", "year_of_birth": 1800},
        format="json",
    )
    assert response.status_code == 400
    details = response.json()["error"]["details"]
    assert set(details) == {"full_name", "phone", "national_id", "year_of_birth"}
    assert all(isinstance(messages, list) and messages for messages in details.values())


def test_a_likely_duplicate_is_409_until_confirmed(cdc_user, api_for):
    existing = PersonFactory(phone="+84912345003")
    client = api_for(cdc_user)
    body = {"full_name": "Người Trùng", "phone": "0912 345 003"}
    response = client.post(CREATE, body, format="json")
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "duplicates"
    assert [p["code"] for p in error["details"]["duplicates"]] == [existing.code]
    assert error["details"]["duplicates"][0]["phone_masked"] == "091****003"
    confirmed = client.post(CREATE, {**body, "confirm_duplicates": True}, format="json")
    assert confirmed.status_code == 201


def test_a_retired_number_is_converted_and_said_so(cdc_user, api_for):
    response = api_for(cdc_user).post(
        CREATE, {"full_name": "Số Cũ", "phone": "0168 123 4567"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["person"]["phone_masked"] == "038****567"
    assert len(response.json()["messages"]) == 1


def test_detail_shows_and_audits_the_full_phone_for_those_who_see_it(cdc_user, api_for):
    person = PersonFactory(phone="+84912345004")
    response = api_for(cdc_user).get(detail(person.code))
    assert response.status_code == 200
    assert response.json()["phone"] == "+84912345004"
    event = AuditEvent.objects.get(action="phone_viewed")
    assert (event.actor_id, event.object_id) == (cdc_user.pk, str(person.pk))


def test_an_official_gets_the_masked_phone_and_no_audit_event(official_user, api_for):
    person = PersonFactory(phone="+84912345005")
    response = api_for(official_user).get(detail(person.code))
    assert response.status_code == 200
    assert response.json()["phone"] is None
    assert response.json()["phone_masked"] == "091****005"
    assert not AuditEvent.objects.filter(action="phone_viewed").exists()


def test_lists_never_show_full_phones(cdc_user, api_for):
    PersonFactory(phone="+84912345006")
    body = api_for(cdc_user).get(reverse("api:cases-list")).content.decode()
    assert "912345006" not in body and "091****006" in body


def test_an_edit_with_the_current_version_saves(cdc_user, api_for):
    person = case_create(actor=cdc_user, full_name="Phạm Văn Sửa").case
    response = api_for(cdc_user).post(
        reverse("api:cases-update", kwargs={"code": person.code}),
        {"version": person.version, "address": "12 Trần Hưng Đạo"},
        format="json",
    )
    assert response.status_code == 200
    person.refresh_from_db()
    assert person.address == "12 Trần Hưng Đạo" and person.version == 2
    assert CaseHistory.objects.filter(case=person, kind="updated").exists()
    assert AuditEvent.objects.filter(action="case_updated", object_id=str(person.pk)).exists()


def test_a_stale_edit_is_409_with_what_changed(cdc_user, police_user, api_for):
    person = case_create(actor=cdc_user, full_name="Phạm Văn Sửa").case
    loaded = person.version
    case_update(actor=police_user, case=person, version=loaded, address="Nhà mới")
    response = api_for(cdc_user).post(
        reverse("api:cases-update", kwargs={"code": person.code}),
        {"version": loaded, "notes": "sửa sau"},
        format="json",
    )
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "stale"
    assert error["details"]["changes"][0]["changes"]["address"] == ["", "Nhà mới"]
    person.refresh_from_db()
    assert person.notes == ""


def test_a_rule_refusal_is_400_rejected(cdc_user, api_for):
    f0 = PersonFactory(level=0)
    response = api_for(cdc_user).post(
        reverse("api:cases-relevel", kwargs={"code": f0.code}), {"to": "f0"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "rejected"
    assert response.json()["error"]["message"]


def test_relevel_moves_the_person_and_those_below(cdc_user, api_for):
    f0 = PersonFactory()
    f1 = PersonFactory(source=f0)
    f2 = PersonFactory(source=f1)
    response = api_for(cdc_user).post(
        reverse("api:cases-relevel", kwargs={"code": f1.code}), {"to": "f0"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["person"]["level"] == 0
    f2.refresh_from_db()
    assert f2.level == 1


def test_verify_and_reject_follow_the_service(cdc_user, police_user, api_for):
    person = PersonFactory(verification="pending", verified_at=None)
    url = reverse("api:cases-verify", kwargs={"code": person.code})
    assert api_for(police_user).post(url).json()["person"]["verification"] == "pending"
    assert api_for(cdc_user).post(url).json()["person"]["verification"] == "verified"
    rejected = api_for(cdc_user).post(
        reverse("api:cases-reject", kwargs={"code": person.code}), {"reason": ""}, format="json"
    )
    assert rejected.status_code == 400
    assert "reason" in rejected.json()["error"]["details"]


def test_contacts_of_a_person_include_further_contacts(cdc_user, api_for):
    from tracing_portal.cases.models import ContactLink

    f0 = PersonFactory()
    direct = PersonFactory(source=f0)
    also_met = PersonFactory(source=PersonFactory())
    ContactLink.objects.create(case=also_met, source=f0, relation="travel")
    PersonFactory()  # unrelated
    response = api_for(cdc_user).get(reverse("api:cases-contacts", kwargs={"code": f0.code}))
    assert {p["code"] for p in response.json()["results"]} == {direct.code, also_met.code}


def test_cursor_pages_walk_the_whole_list_once(cdc_user, api_for):
    codes = {PersonFactory().code for _ in range(7)}
    client = api_for(cdc_user)
    seen, url = [], reverse("api:cases-list") + "?page_size=3"
    while url:
        page = client.get(url).json()
        seen += [p["code"] for p in page["results"]]
        url = page["next"]
    assert len(seen) == len(set(seen)) == 7 and set(seen) == codes


def test_a_bad_cursor_is_404_in_the_error_shape(cdc_user, api_for):
    response = api_for(cdc_user).get(reverse("api:cases-list") + "?cursor=nonsense")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


# For the same filters, the API and the people page count the same people.
FILTERS = [
    {},
    {"level": "1"},
    {"verification": "pending"},
    {"bluezone_status": "installed", "level": "0"},
    {"q": "nguyen"},
    {"entering_agency": "police"},
    {"date_from": "2021-01-01", "date_to": "2021-01-31"},
]


@pytest.fixture
def register(cdc_user):
    f0s = [
        PersonFactory(full_name="Nguyễn Văn An", bluezone_status="installed"),
        PersonFactory(full_name="Trần Thị Bé", verification="pending", verified_at=None),
        PersonFactory(full_name="Nguyễn Thị Cam", entering_agency="police"),
    ]
    for f0 in f0s:
        PersonFactory(source=f0, full_name="Lê Văn Dũng")
    PersonFactory(source=f0s[0], full_name="Nguyễn Hữu Em", verification="pending")
    january = timezone.make_aware(dt.datetime(2021, 1, 15, 9))
    PersonFactory(full_name="Phạm Văn Cũ", created_at=january)
    PersonFactory(province_id="01", full_name="Nguyễn Văn Hà Nội")


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: ",".join(f) or "none")
@pytest.mark.parametrize("role", [Role.CDC, Role.NATIONAL_ADMIN])
def test_the_api_and_the_page_count_the_same_people(register, filters, role, make_user, api_for):
    user = make_user(role)
    page = APIClient()
    page.force_login(user)
    page_count = page.get(reverse("cases:list"), filters).context["page_obj"].paginator.count
    api_count = api_for(user).get(reverse("api:cases-count"), filters).json()["count"]
    assert api_count == page_count
    listed, url = 0, reverse("api:cases-list")
    client, params = api_for(user), {**filters, "page_size": 500}
    listed = len(client.get(url, params).json()["results"])
    assert listed == page_count


def test_an_invalid_filter_is_400_with_the_field(cdc_user, api_for):
    response = api_for(cdc_user).get(reverse("api:cases-list"), {"level": "9", "date_from": "x"})
    assert response.status_code == 400
    assert set(response.json()["error"]["details"]) == {"level", "date_from"}


def test_another_provinces_district_is_not_a_filter(cdc_user, api_for):
    response = api_for(cdc_user).get(reverse("api:cases-list"), {"district": "001"})
    assert response.status_code == 400
    assert "district" in response.json()["error"]["details"]


@pytest.mark.parametrize(
    "name", ["api:cases-list", "api:tracing-queue", "api:traces-list", "api:sms-log"]
)
def test_a_list_page_costs_the_same_queries_for_many_rows(name, cdc_user, api_for):
    from tests.notifications.factories import SmsMessageFactory

    from .factories import TraceFactory

    client = api_for(cdc_user)
    url = reverse(name)

    def queries_for_page():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    def add_rows():
        PersonFactory(source=PersonFactory(), flagged_for_tracing=True)
        TraceFactory(case=PersonFactory())
        SmsMessageFactory(case=PersonFactory())

    add_rows()
    queries_for_page()  # the token's first use records it (once a minute at most)
    few = queries_for_page()
    for _ in range(8):
        add_rows()
    assert queries_for_page() == few


def test_the_list_renders_each_person_as_the_person_serializer_does(cdc_user, api_for):
    """The list's rows (read with values()) and PersonSerializer (the schema, and every other
    endpoint's rendering) give the same JSON for every kind of person."""
    f0 = PersonFactory(exposure_date=dt.date(2020, 7, 28), district_id="288")
    PersonFactory(source=f0, phone="", year_of_birth=None, flagged_for_tracing=True)
    PersonFactory(status="negative", bluezone_status="installed", quarantine="home")
    Case.objects.filter(pk=f0.pk).update(created_at=dt.datetime(2020, 8, 1, 17, 30, tzinfo=dt.UTC))
    people = Case.objects.order_by("id")
    rendered = [person_row_data(row) for row in person_rows(people)]
    expected = [dict(PersonSerializer(person).data) for person in people]
    assert rendered == expected
    assert [list(r) for r in rendered] == [list(e) for e in expected]  # the keys' order too
    assert rendered[0]["created_at"] == "2020-08-02T00:30:00+07:00"
    listed = api_for(cdc_user).get(reverse("api:cases-list")).json()["results"]
    assert sorted(listed, key=lambda p: p["code"]) == sorted(expected, key=lambda p: p["code"])


def test_cursor_pages_walk_more_than_a_thousand_people_entered_at_the_same_moment(
    cdc_user, api_for
):
    """An import gives all its people one created_at; the cursor pages through them by
    offset within that moment, beyond DRF's default cap of 1,000."""
    entered = timezone.make_aware(dt.datetime(2021, 5, 3, 10))
    people = PersonFactory.build_batch(1_600, entered_by=cdc_user, created_at=entered)
    Case.objects.bulk_create(people)
    Case.objects.update(created_at=entered)
    client = api_for(cdc_user)
    seen, url = [], reverse("api:cases-list") + "?page_size=500"
    for _ in range(10):
        page = client.get(url).json()
        seen += [p["code"] for p in page["results"]]
        url = page["next"]
        if not url:
            break
    assert url is None, "the walk did not end"
    assert len(seen) == len(set(seen)) == 1_600


@pytest.mark.parametrize("zone", ["Asia/Ho_Chi_Minh", "UTC", "America/Sao_Paulo"])
def test_row_times_render_as_drf_renders_them_in_the_current_time_zone(zone):
    field = serializers.DateTimeField()
    moments = [
        dt.datetime(2020, 8, 1, 17, 30, tzinfo=dt.UTC),
        dt.datetime(2021, 12, 31, 23, 59, 59, 123456, tzinfo=dt.UTC),
    ]
    with timezone.override(zone):
        for moment in moments:
            assert _datetime_text(moment, timezone.get_current_timezone()) == (
                field.to_representation(moment)
            )
