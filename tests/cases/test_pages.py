import datetime as dt

import pytest
from django.urls import reverse

from tracing_portal.accounts.roles import Role
from tracing_portal.audit.models import AuditEvent
from tracing_portal.cases.models import Case

from .factories import CaseFactory


def test_list_masks_phones_and_paginates(client, cdc_user):
    for _ in range(55):
        CaseFactory()
    client.force_login(cdc_user)
    response = client.get(reverse("cases:list"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "091****" in body
    assert "+8491" not in body and "0910 000" not in body
    assert len(response.context["people"]) == 50
    assert response.context["page_obj"].paginator.count == 55


@pytest.mark.parametrize(
    "params,expected",
    [
        ({"level": "1"}, {"F1-A"}),
        ({"status": "negative"}, {"NEG"}),
        ({"verification": "verified"}, {"VER"}),
        ({"bluezone_status": "installed"}, {"BZ"}),
        ({"q": "nguyen van an"}, {"Nguyễn Văn An"}),
        ({"q": "0987 111 222"}, {"PHONE"}),
    ],
)
def test_list_filters(client, cdc_user, params, expected):
    f0 = CaseFactory(full_name="Nguyễn Văn An")
    CaseFactory(level=1, f0_status="", source=f0, full_name="F1-A")
    CaseFactory(status="negative", full_name="NEG")
    CaseFactory(verification="verified", full_name="VER")
    CaseFactory(bluezone_status="installed", full_name="BZ")
    CaseFactory(phone="+84987111222", full_name="PHONE")
    client.force_login(cdc_user)
    response = client.get(reverse("cases:list"), params)
    assert {p.full_name for p in response.context["people"]} == expected


def test_list_filters_by_district_and_agency(client, cdc_user):
    CaseFactory(district_id="288", full_name="TP", entering_agency="cdc")
    CaseFactory(district_id="291", full_name="NS", entering_agency="police")
    client.force_login(cdc_user)
    assert [
        p.full_name
        for p in client.get(reverse("cases:list"), {"district": "291"}).context["people"]
    ] == ["NS"]
    assert [
        p.full_name
        for p in client.get(reverse("cases:list"), {"entering_agency": "cdc"}).context["people"]
    ] == ["TP"]


def test_list_filters_whole_days_of_hanoi_time(client, cdc_user):
    """ "Entered from/to" are days in Asia/Ho_Chi_Minh: 23:59 on the last day is in, 00:00
    the next day is out, and 00:00 on the first day is in (UTC is seven hours behind)."""
    at = {
        "before": dt.datetime(2021, 7, 31, 16, 59, tzinfo=dt.UTC),  # 31/07 23:59 in Hà Nội
        "first": dt.datetime(2021, 7, 31, 17, 0, tzinfo=dt.UTC),  # 01/08 00:00
        "last": dt.datetime(2021, 8, 31, 16, 59, tzinfo=dt.UTC),  # 31/08 23:59
        "after": dt.datetime(2021, 8, 31, 17, 0, tzinfo=dt.UTC),  # 01/09 00:00
    }
    for name, when in at.items():
        Case.objects.filter(pk=CaseFactory(full_name=name).pk).update(created_at=when)
    client.force_login(cdc_user)
    response = client.get(
        reverse("cases:list"), {"date_from": "2021-08-01", "date_to": "2021-08-31"}
    )
    assert {p.full_name for p in response.context["people"]} == {"first", "last"}


def test_person_page_shows_full_phone_and_audits_the_view(client, cdc_user):
    person = CaseFactory(phone="+84912345678")
    client.force_login(cdc_user)
    body = client.get(person.get_absolute_url()).content.decode()
    assert "0912 345 678" in body
    event = AuditEvent.objects.get(action="phone_viewed")
    assert event.actor == cdc_user and event.object_id == str(person.pk)


def test_official_sees_masked_phone_and_no_audit(client, official_user):
    person = CaseFactory(phone="+84912345678")
    client.force_login(official_user)
    body = client.get(person.get_absolute_url()).content.decode()
    assert "091****678" in body and "0912 345 678" not in body
    assert not AuditEvent.objects.filter(action="phone_viewed").exists()


def test_other_provinces_person_does_not_exist(client, make_user):
    hn_person = CaseFactory(province_id="01", code="HN-000001")
    client.force_login(make_user(Role.CDC, "30"))
    for name in ["detail", "update", "chain"]:
        assert client.get(reverse(f"cases:{name}", args=[hn_person.code])).status_code == 404
    assert client.post(reverse("cases:verify", args=[hn_person.code])).status_code == 404
    assert client.get(reverse("cases:source_search"), {"q": "HN-000001"}).json() == {"results": []}


def test_national_admin_sees_every_province(client, national_admin):
    hn_person = CaseFactory(province_id="01", code="HN-000002")
    client.force_login(national_admin)
    assert client.get(hn_person.get_absolute_url()).status_code == 200


# role -> (list, create, verify, relevel)
PAGE_MATRIX = {
    Role.CDC: (200, 200, 302, 302),
    Role.POLICE: (200, 200, 302, 403),
    Role.DIC: (200, 403, 403, 403),
    Role.OFFICIAL: (200, 403, 403, 403),
    Role.PROVINCE_ADMIN: (200, 403, 403, 403),
    Role.NATIONAL_ADMIN: (200, 403, 403, 403),
}


@pytest.mark.parametrize("role,expected", PAGE_MATRIX.items())
def test_role_page_permission_matrix(client, make_user, role, expected):
    person = CaseFactory(level=0)
    client.force_login(make_user(role))
    got = (
        client.get(reverse("cases:list")).status_code,
        client.get(reverse("cases:create")).status_code,
        client.post(reverse("cases:verify", args=[person.code])).status_code,
        client.post(
            reverse("cases:relevel", args=[person.code]), {"to": "f0", "f0_status": "confirmed"}
        ).status_code,
    )
    assert got == expected


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(reverse("cases:list"))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_create_form_builds_a_contact_and_says_so(client, police_user):
    source = CaseFactory(code="HD-000010", level=0)
    client.force_login(police_user)
    response = client.post(
        reverse("cases:create"),
        {
            "full_name": "Lê Văn Mới",
            "source_code": "hd-000010",
            "relation": "household",
            "level": "0",
            "sex": "male",
            "status": "active",
            "bluezone_status": "unknown",
            "quarantine": "home",
            "phone": "01681234567",
            "year_of_birth": "1990",
        },
        follow=True,
    )
    person = Case.objects.get(full_name="Lê Văn Mới")
    assert person.level == 1 and person.source == source
    assert person.phone == "+84381234567"
    body = response.content.decode()
    assert "01681234567" in body  # the conversion is reported


def test_create_form_rejects_bad_phone_with_field_error(client, police_user):
    client.force_login(police_user)
    response = client.post(
        reverse("cases:create"),
        {
            "full_name": "Sai Số",
            "level": "0",
            "sex": "male",
            "status": "active",
            "bluezone_status": "unknown",
            "quarantine": "none",
            "phone": "0212345678",
        },
    )
    assert response.status_code == 200
    assert "không phải số đã được cấp" in response.content.decode()
    assert not Case.objects.exists()


def test_create_warns_about_duplicates_until_confirmed(client, police_user):
    CaseFactory(phone="+84912345678", full_name="Nguyễn Văn A")
    client.force_login(police_user)
    data = {
        "full_name": "Nguyen Van A",
        "level": "0",
        "sex": "male",
        "status": "active",
        "bluezone_status": "unknown",
        "quarantine": "none",
        "phone": "0912345678",
    }
    response = client.post(reverse("cases:create"), data)
    assert response.status_code == 200
    assert len(response.context["duplicates"]) == 1
    assert Case.objects.count() == 1
    response = client.post(reverse("cases:create"), {**data, "confirm_duplicates": "on"})
    assert response.status_code == 302
    assert Case.objects.count() == 2


def test_stale_edit_shows_what_changed(client, cdc_user, police_user):
    from tracing_portal.cases.services import case_create, case_update

    person = case_create(actor=cdc_user, full_name="Hai Người Sửa").case
    loaded = person.version
    case_update(actor=police_user, case=person, version=loaded, address="Số 5 Thanh Niên")
    client.force_login(cdc_user)
    response = client.post(
        reverse("cases:update", args=[person.code]),
        {
            "full_name": "Hai Người Sửa",
            "level": "0",
            "sex": "unknown",
            "status": "active",
            "bluezone_status": "unknown",
            "quarantine": "none",
            "address": "Số 9 Ngô Quyền",
            "f0_status": "suspected",
            "version": str(loaded),
        },
    )
    assert response.status_code == 200
    assert "Số 5 Thanh Niên" in response.content.decode()
    person.refresh_from_db()
    assert person.address == "Số 5 Thanh Niên"


def test_add_contact_quick_form(client, police_user):
    source = CaseFactory(level=0)
    client.force_login(police_user)
    client.post(
        reverse("cases:add_contact", args=[source.code]),
        {"full_name": "Con Mới", "relation": "household"},
    )
    assert Case.objects.get(full_name="Con Mới").level == 1


def test_chain_picture_is_a_plotly_figure_of_everyone_below(client, cdc_user, police_user):
    from tracing_portal.cases.services import case_add_contact, case_create

    f0 = case_create(actor=cdc_user, full_name="Gốc").case
    f1 = case_add_contact(actor=police_user, source=f0, full_name="Một", relation="household").case
    case_add_contact(actor=police_user, source=f1, full_name="Hai", relation="household")
    client.force_login(cdc_user)
    response = client.get(reverse("cases:chain", args=[f0.code]))
    import json

    figure = json.loads(response.context["figure_json"])
    names = {trace.get("name") for trace in figure["data"]}
    assert {"F0", "F1", "F2"} <= names
    assert response.context["level_counts"] == [("F1", 1), ("F2", 1)]


def test_opening_the_chain_picture_is_audited(client, cdc_user, make_user, police_user):
    from tracing_portal.cases.services import case_add_contact, case_create

    f0 = case_create(actor=cdc_user, full_name="Gốc").case
    case_add_contact(actor=police_user, source=f0, full_name="Một", relation="household")
    official = make_user(Role.OFFICIAL)
    client.force_login(official)
    assert client.get(reverse("cases:chain", args=[f0.code])).status_code == 200
    event = AuditEvent.objects.get(action="chain_viewed")
    assert (event.actor, event.object_id, event.province_id) == (official, str(f0.pk), "30")
    assert event.details == {"people": 1}
    assert event.get_action_display() == "Xem sơ đồ chuỗi lây"
    # Another province's chain does not exist for the user, and nothing is recorded.
    hn_f0 = CaseFactory(province_id="01", code="HN-000004")
    assert client.get(reverse("cases:chain", args=[hn_f0.code])).status_code == 404
    assert AuditEvent.objects.filter(action="chain_viewed").count() == 1


def test_dic_ticks_people_on_the_list_to_text_them(client, dic_user, cdc_user):
    people = [CaseFactory(bluezone_status="not_installed") for _ in range(3)]
    client.force_login(dic_user)
    body = client.get(reverse("cases:list")).content.decode()
    assert 'form="bulk-sms"' in body and reverse("notifications:bulk") in body
    response = client.post(reverse("notifications:bulk"), {"case_ids": [p.pk for p in people[:2]]})
    assert response.status_code == 200
    shown = response.content.decode()
    assert people[0].code in shown and people[1].code in shown and people[2].code not in shown
    client.force_login(cdc_user)
    assert 'form="bulk-sms"' not in client.get(reverse("cases:list")).content.decode()


EDIT_DATA = {
    "full_name": "Hai Người Sửa",
    "level": "0",
    "sex": "unknown",
    "status": "active",
    "bluezone_status": "unknown",
    "quarantine": "none",
    "f0_status": "suspected",
}


def _hidden_version(body: str) -> str:
    import re

    return re.search(r'name="version" value="([^"]*)"', body).group(1)


def test_after_a_stale_edit_the_form_carries_the_current_version(client, cdc_user, police_user):
    from tracing_portal.cases.services import case_create, case_update

    person = case_create(actor=cdc_user, full_name="Hai Người Sửa").case
    loaded = person.version
    case_update(actor=police_user, case=person, version=loaded, address="Số 5 Thanh Niên")
    client.force_login(cdc_user)
    url = reverse("cases:update", args=[person.code])
    response = client.post(url, {**EDIT_DATA, "address": "Số 9", "version": str(loaded)})
    person.refresh_from_db()
    assert _hidden_version(response.content.decode()) == str(person.version)
    # The editor re-applies the change on the current record: it is saved.
    response = client.post(url, {**EDIT_DATA, "address": "Số 9", "version": str(person.version)})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.address == "Số 9"


def test_an_invalid_edit_keeps_the_loaded_version(client, cdc_user, police_user):
    from tracing_portal.cases.services import case_create, case_update

    person = case_create(actor=cdc_user, full_name="Hai Người Sửa").case
    loaded = person.version
    client.force_login(cdc_user)
    url = reverse("cases:update", args=[person.code])
    response = client.post(url, {**EDIT_DATA, "phone": "0212345678", "version": str(loaded)})
    assert response.status_code == 200
    assert _hidden_version(response.content.decode()) == str(loaded)
    # Someone saves meanwhile: the corrected form is still refused, not saved over them.
    case_update(actor=police_user, case=person, version=loaded, address="Số 5 Thanh Niên")
    response = client.post(url, {**EDIT_DATA, "address": "Số 9", "version": str(loaded)})
    assert response.status_code == 200
    person.refresh_from_db()
    assert person.address == "Số 5 Thanh Niên"


def test_quick_contact_form_warns_about_duplicates_and_the_full_form_confirms(client, police_user):
    source = CaseFactory(level=0)
    on_file = CaseFactory(phone="+84912345678", full_name="Lê Văn Đã Có")
    client.force_login(police_user)
    response = client.post(
        reverse("cases:add_contact", args=[source.code]),
        {"full_name": "Le Van Da Co", "relation": "household", "phone": "0912 345 678"},
    )
    assert response.status_code == 200
    assert [d.pk for d in response.context["duplicates"]] == [on_file.pk]
    assert not Case.objects.filter(source=source).exists()
    form = response.context["form"]
    assert form.initial["source_code"] == source.code
    assert form.initial["full_name"] == "Le Van Da Co"
    assert f'action="{reverse("cases:create")}"' in response.content.decode()
    response = client.post(
        reverse("cases:create"),
        {
            **{k: v for k, v in form.initial.items()},
            "level": "0",
            "sex": "unknown",
            "status": "active",
            "bluezone_status": "unknown",
            "quarantine": "none",
            "confirm_duplicates": "on",
        },
    )
    assert response.status_code == 302
    assert Case.objects.get(source=source).level == 1


def test_person_page_shows_the_chain_above_the_tree_below_and_the_history(
    client, cdc_user, police_user
):
    from tracing_portal.cases.services import case_add_contact, case_create

    f0 = case_create(actor=cdc_user, full_name="Gốc Chuỗi").case
    f1 = case_add_contact(actor=police_user, source=f0, full_name="Một", relation="household")
    f1 = f1.case
    f2 = case_add_contact(actor=police_user, source=f1, full_name="Hai", relation="household")
    f2 = f2.case
    for name in ("Ba A", "Ba B"):
        case_add_contact(actor=police_user, source=f2, full_name=name, relation="neighbour")
    client.force_login(cdc_user)
    response = client.get(f2.get_absolute_url())
    assert [p.code for p in response.context["chain_above"]] == [f1.code, f0.code]
    assert response.context["level_counts"] == [("F3", 2)]
    assert [e.kind for e in response.context["history"]] == ["created"]
    response = client.get(f0.get_absolute_url())
    assert response.context["chain_above"] == []
    assert response.context["level_counts"] == [("F1", 1), ("F2", 1), ("F3", 2)]


def test_source_search_finds_people_by_code_name_or_phone(client, police_user):
    person = CaseFactory(full_name="Nguyễn Thị Tìm", phone="+84987654321")
    CaseFactory(full_name="Người Khác")
    client.force_login(police_user)

    def codes(q):
        response = client.get(reverse("cases:source_search"), {"q": q})
        return [r["code"] for r in response.json()["results"]]

    assert codes(person.code.lower()) == [person.code]
    assert codes("nguyen thi tim") == [person.code]
    assert codes("0987 654 321") == [person.code]


def test_list_searches_by_code(client, cdc_user):
    person = CaseFactory(full_name="Theo Mã")
    CaseFactory(full_name="Khác")
    client.force_login(cdc_user)
    response = client.get(reverse("cases:list"), {"q": person.code.lower()})
    assert [p.pk for p in response.context["people"]] == [person.pk]


def test_reject_and_ask_to_install_from_the_person_page_are_audited(client, cdc_user, police_user):
    person = CaseFactory(bluezone_status="not_installed")
    client.force_login(police_user)
    client.post(reverse("cases:ask_install", args=[person.code]))
    assert person.install_asks.get().asked_by == police_user
    client.force_login(cdc_user)
    client.post(reverse("cases:reject", args=[person.code]), {"reason": "Nhập nhầm"})
    person.refresh_from_db()
    assert (person.verification, person.rejected_by, person.rejection_reason) == (
        "rejected",
        cdc_user,
        "Nhập nhầm",
    )
    assert set(
        AuditEvent.objects.filter(object_id=str(person.pk)).values_list("action", flat=True)
    ) >= {"case_asked_to_install", "case_rejected"}


def test_every_action_on_another_provinces_person_is_not_found(client, make_user):
    hn_person = CaseFactory(province_id="01", code="HN-000003", level=0)
    own = CaseFactory(level=0)
    client.force_login(make_user(Role.CDC, "30"))
    posts = {
        "add_contact": {"full_name": "X", "relation": "household"},
        "verify": {},
        "reject": {"reason": "x"},
        "ask_install": {},
        "relevel": {"to": "f0", "f0_status": "confirmed"},
        "merge": {"other_code": own.code},
        "update": {**EDIT_DATA, "version": "1"},
    }
    for name, data in posts.items():
        response = client.post(reverse(f"cases:{name}", args=[hn_person.code]), data)
        assert response.status_code == 404, name
    # Nor can it be merged into one's own person by its code.
    response = client.post(reverse("cases:merge", args=[own.code]), {"other_code": hn_person.code})
    assert response.status_code == 404
    hn_person.refresh_from_db()
    assert hn_person.merged_into is None and hn_person.version == 1
    assert not Case.objects.filter(source=hn_person).exists()


# role -> (person page, edit page, chain picture)
READ_EDIT_MATRIX = {
    Role.CDC: (200, 200, 200),
    Role.POLICE: (200, 200, 200),
    Role.DIC: (200, 403, 200),
    Role.OFFICIAL: (200, 403, 200),
    Role.PROVINCE_ADMIN: (200, 403, 200),
    Role.NATIONAL_ADMIN: (200, 403, 200),
}


@pytest.mark.parametrize("role,expected", READ_EDIT_MATRIX.items())
def test_role_read_and_edit_matrix(client, make_user, role, expected):
    person = CaseFactory(level=0)
    client.force_login(make_user(role))
    got = tuple(
        client.get(reverse(f"cases:{name}", args=[person.code])).status_code
        for name in ("detail", "update", "chain")
    )
    assert got == expected


def test_chain_picture_colours_each_person_by_level_and_status(client, cdc_user, police_user):
    import json

    from tracing_portal.cases.charts import LEVEL_COLOURS, STATUS_OUTLINES
    from tracing_portal.cases.services import case_add_contact, case_create

    f0 = case_create(actor=cdc_user, full_name="Gốc").case
    for status in ("active", "negative"):
        case_add_contact(
            actor=police_user, source=f0, full_name=status, relation="household", status=status
        )
    client.force_login(cdc_user)
    figure = json.loads(client.get(reverse("cases:chain", args=[f0.code])).context["figure_json"])
    f1_trace = next(t for t in figure["data"] if t.get("name") == "F1")
    assert f1_trace["marker"]["color"] == LEVEL_COLOURS[1]
    outlines = dict(zip(f1_trace["text"], f1_trace["marker"]["line"]["color"], strict=True))
    statuses = dict(zip(f1_trace["text"], f1_trace["marker"]["symbol"], strict=True))
    negative = Case.objects.get(full_name="negative").code
    active = Case.objects.get(full_name="active").code
    assert outlines[negative] == STATUS_OUTLINES["negative"] != outlines[active]
    assert (statuses[negative], statuses[active]) == ("x", "circle")
