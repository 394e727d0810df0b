import pytest
from django.db import IntegrityError, transaction

from tracing_portal.audit.models import AuditEvent
from tracing_portal.cases.models import Case, CaseHistory, ContactLink, InstallAsk
from tracing_portal.cases.services import (
    StaleEditError,
    case_add_contact,
    case_create,
    case_mark_asked_to_install,
    case_merge,
    case_reject,
    case_relevel,
    case_update,
    case_verify,
)
from tracing_portal.cases.signals import phone_changed
from tracing_portal.core.exceptions import ApplicationError


def levels(chain):
    return {name: Case.objects.get(pk=c.pk).level for name, c in chain.items()}


def test_create_gives_a_readable_code_per_province(f0, cdc_user, make_user):
    second = case_create(actor=cdc_user, full_name="Lê Văn Hai").case
    hn = case_create(actor=make_user("cdc", "01"), full_name="Hoàng Văn Hà Nội").case
    assert f0.code == "HD-000001"
    assert second.code == "HD-000002"
    assert hn.code == "HN-000001"


def test_create_stores_e164_and_reports_a_converted_retired_number(cdc_user):
    result = case_create(actor=cdc_user, full_name="Bùi Văn Cũ", phone="0168 123 4567")
    assert result.case.phone == "+84381234567"
    assert "01681234567" in result.messages[0]


def test_create_refuses_a_bad_phone_and_saves_nothing(cdc_user):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        case_create(actor=cdc_user, full_name="Sai Số", phone="0212345678")
    assert not Case.objects.exists()


def test_create_is_audited_and_recorded_in_history(f0, cdc_user):
    assert AuditEvent.objects.filter(action="case_created", object_id=str(f0.pk)).exists()
    assert CaseHistory.objects.get(case=f0).kind == "created"


def test_contact_is_one_level_below_its_source(chain):
    assert levels(chain) == {
        "f0": 0,
        "f1": 1,
        "f2": 2,
        "f3": 3,
        "f4": 4,
        "other_f1": 1,
        "other_f2": 2,
    }
    assert chain["f1"].f0_status == ""


def test_source_must_be_in_the_same_province(f0, make_user):
    hn_police = make_user("police", "01")
    with pytest.raises(ApplicationError, match="cùng tỉnh"):
        case_add_contact(actor=hn_police, source=f0, full_name="Người Hà Nội", relation="travel")


def test_no_contact_below_f5(chain, police_user):
    f5 = case_add_contact(
        actor=police_user, source=chain["f4"], full_name="Năm Cấp", relation="household"
    ).case
    assert f5.level == 5
    with pytest.raises(ApplicationError, match="F5"):
        case_add_contact(actor=police_user, source=f5, full_name="Sáu Cấp", relation="household")


def test_cycle_guard_refuses_a_source_below_the_person(chain, cdc_user):
    f1 = Case.objects.get(pk=chain["f1"].pk)
    with pytest.raises(ApplicationError, match="vòng lặp"):
        case_update(actor=cdc_user, case=f1, version=f1.version, source=chain["f3"])
    assert Case.objects.get(pk=f1.pk).source_id == chain["f0"].pk


def test_database_refuses_an_f0_with_a_source(chain):
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=chain["f1"].pk).update(level=0)


def test_changing_source_moves_the_subtree(chain, cdc_user):
    f2 = Case.objects.get(pk=chain["f2"].pk)
    case_update(actor=cdc_user, case=f2, version=f2.version, source=chain["f0"])
    assert levels(chain)["f2"] == 1
    assert levels(chain)["f3"] == 2
    assert levels(chain)["f4"] == 3


def test_stale_edit_is_refused_and_says_what_changed(f0, cdc_user, police_user):
    loaded_version = f0.version
    case_update(actor=police_user, case=f0, version=loaded_version, address="Số 5 Thanh Niên")
    with pytest.raises(StaleEditError) as info:
        case_update(actor=cdc_user, case=f0, version=loaded_version, address="Số 9 Ngô Quyền")
    assert info.value.changes[0]["changes"]["address"] == ["", "Số 5 Thanh Niên"]
    assert Case.objects.get(pk=f0.pk).address == "Số 5 Thanh Niên"


def test_phone_change_announces_after_commit(f0, cdc_user, django_capture_on_commit_callbacks):
    received = []

    def receiver(sender, case_id, phone, **kwargs):
        received.append((case_id, phone))

    phone_changed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            case_update(actor=cdc_user, case=f0, version=f0.version, phone="0987 654 321")
        assert received == []
        for callback in callbacks:
            callback()
    finally:
        phone_changed.disconnect(receiver)
    assert received == [(f0.pk, "+84987654321")]


def test_cdc_verifies_classification_and_police_identity(f0, cdc_user, police_user):
    case_verify(actor=police_user, case=f0)
    f0.refresh_from_db()
    assert f0.identity_verified_by == police_user
    assert f0.verification == "pending"
    case_verify(actor=cdc_user, case=f0)
    f0.refresh_from_db()
    assert f0.verification == "verified"
    assert f0.classification_verified_by == cdc_user
    assert AuditEvent.objects.filter(action="case_verified", object_id=str(f0.pk)).count() == 2


def test_dic_cannot_verify(f0, dic_user):
    with pytest.raises(ApplicationError):
        case_verify(actor=dic_user, case=f0)


def test_reject_needs_a_reason(f0, cdc_user):
    with pytest.raises(ApplicationError):
        case_reject(actor=cdc_user, case=f0, reason="  ")
    case_reject(actor=cdc_user, case=f0, reason="Trùng với ca đã có")
    f0.refresh_from_db()
    assert f0.verification == "rejected"
    assert f0.rejection_reason == "Trùng với ca đã có"


def test_f1_becomes_f0_moves_descendants_up_one_level(chain, cdc_user):
    case_relevel(actor=cdc_user, case=chain["f1"], to="f0")
    assert levels(chain) == {
        "f0": 0,
        "f1": 0,
        "f2": 1,
        "f3": 2,
        "f4": 3,
        "other_f1": 1,
        "other_f2": 2,
    }
    f1 = Case.objects.get(pk=chain["f1"].pk)
    assert f1.source is None and f1.f0_status == "confirmed"
    # The old source is kept as a further source, and the history keeps both levels.
    assert ContactLink.objects.filter(case=f1, source=chain["f0"]).exists()
    entry = CaseHistory.objects.filter(case=chain["f3"], kind="relevelled").get()
    assert entry.changes["level"] == [3, 2]
    assert AuditEvent.objects.filter(action="case_relevelled").count() == 1


def test_f3_becomes_f0_in_a_four_level_chain(chain, cdc_user):
    case_relevel(actor=cdc_user, case=chain["f3"], to="f0")
    assert levels(chain)["f3"] == 0
    assert levels(chain)["f4"] == 1
    assert levels(chain)["f2"] == 2


def test_negative_f0_returns_under_its_source_and_contacts_move_back_down(chain, cdc_user):
    case_relevel(actor=cdc_user, case=chain["f1"], to="f0")
    case_relevel(actor=cdc_user, case=chain["f1"], to="negative")
    assert levels(chain) == {
        "f0": 0,
        "f1": 1,
        "f2": 2,
        "f3": 3,
        "f4": 4,
        "other_f1": 1,
        "other_f2": 2,
    }
    f1 = Case.objects.get(pk=chain["f1"].pk)
    assert f1.status == "negative" and f1.source_id == chain["f0"].pk
    assert not ContactLink.objects.filter(case=f1).exists()


def test_contact_with_another_source_keeps_the_nearer_one(chain, cdc_user, police_user):
    # f2 also met other_f1: when f1 (f2's main source) goes negative after being F0,
    # f2 stays F2 via other_f1 rather than moving down.
    case_relevel(actor=cdc_user, case=chain["f1"], to="f0")
    ContactLink.objects.create(case=chain["f2"], source=chain["other_f1"], relation="travel")
    # A third F0 that f2 is linked to as well, at level 0 -> f2 would be F1 through it.
    third = case_create(actor=cdc_user, full_name="Ca thứ ba").case
    ContactLink.objects.create(case=chain["f2"], source=third, relation="travel")
    case_relevel(actor=cdc_user, case=chain["f1"], to="negative")
    f2 = Case.objects.get(pk=chain["f2"].pk)
    assert f2.level == 1
    assert f2.source_id in {chain["f1"].pk, third.pk}
    assert levels(chain)["f3"] == 2


def test_asked_to_install_is_logged(f0, police_user):
    case_mark_asked_to_install(actor=police_user, case=f0, channel="in_person")
    assert InstallAsk.objects.filter(case=f0, asked_by=police_user).count() == 1
    assert AuditEvent.objects.filter(action="case_asked_to_install").exists()


def test_merge_moves_contacts_and_history(chain, cdc_user, police_user):
    duplicate = case_create(
        actor=police_user, full_name="Nguyen Van Thanh", phone="0912 345 678"
    ).case
    dup_contact = case_add_contact(
        actor=police_user, source=duplicate, full_name="Con Trùng", relation="household"
    ).case
    keep = case_merge(actor=cdc_user, keep=chain["f0"], remove=duplicate)
    duplicate.refresh_from_db()
    assert duplicate.merged_into == keep
    assert Case.objects.get(pk=dup_contact.pk).source == keep
    assert CaseHistory.objects.filter(case=keep, kind="merged").exists()
    assert AuditEvent.objects.filter(action="case_merged").exists()


def test_merge_refuses_people_in_each_others_chain(chain, cdc_user):
    with pytest.raises(ApplicationError):
        case_merge(actor=cdc_user, keep=chain["f0"], remove=chain["f2"])


def test_duplicates_are_found_by_phone_national_id_or_folded_name_and_year(cdc_user, make_user):
    from tracing_portal.cases.selectors import case_find_duplicates

    by_id = case_create(actor=cdc_user, full_name="Một Người", national_id="001099012345").case
    by_name = case_create(actor=cdc_user, full_name="Đặng Thị Hoà", year_of_birth=1990).case
    by_phone = case_create(actor=cdc_user, full_name="Ba Người", phone="0987 111 222").case
    case_create(actor=make_user("cdc", "01"), full_name="Dang Thi Hoa", year_of_birth=1990)

    def found(**kwargs):
        return {c.pk for c in case_find_duplicates(actor=cdc_user, **kwargs)}

    assert found(national_id="001099012345") == {by_id.pk}
    assert found(full_name="  DANG thi hoa ", year_of_birth=1990) == {by_name.pk}
    assert found(full_name="Dang Thi Hoa", year_of_birth=1991) == set()
    assert found(phone="+84987111222") == {by_phone.pk}
    # Someone of another province is not a duplicate here.
    assert found(full_name="Dang Thi Hoa", year_of_birth=1990, exclude_pk=by_name.pk) == set()


def test_district_and_facility_must_be_of_the_persons_province(f0, cdc_user):
    from tracing_portal.geo.models import District

    from .factories import FacilityFactory

    hanoi_district = District.objects.filter(province_id="01").first()
    hanoi_facility = FacilityFactory(province_id="01")
    with pytest.raises(ApplicationError, match="tỉnh"):
        case_create(actor=cdc_user, full_name="Sai Huyện", district=hanoi_district)
    with pytest.raises(ApplicationError, match="tỉnh"):
        case_update(
            actor=cdc_user,
            case=f0,
            version=f0.version,
            quarantine="facility",
            facility=hanoi_facility,
        )
    assert Case.objects.count() == 1
    assert Case.objects.get(pk=f0.pk).facility is None
    own = District.objects.filter(province_id="30").first()
    assert case_create(actor=cdc_user, full_name="Đúng Huyện", district=own).case.district == own


def test_asking_someone_who_has_bluezone_is_refused(f0, police_user):
    Case.objects.filter(pk=f0.pk).update(bluezone_status="installed")
    with pytest.raises(ApplicationError):
        case_mark_asked_to_install(actor=police_user, case=f0)
    assert not InstallAsk.objects.exists()


def test_a_nearer_further_source_becomes_the_main_one(chain, cdc_user):
    from tracing_portal.cases.services import case_link_source

    # f3 (F3 under f2) also met other_f1 (F1): it becomes F2 under it, f4 becomes F3.
    result = case_link_source(
        actor=cdc_user, case=chain["f3"], source=chain["other_f1"], relation="travel"
    )
    f3 = Case.objects.get(pk=chain["f3"].pk)
    assert (f3.level, f3.source_id) == (2, chain["other_f1"].pk)
    assert levels(chain)["f4"] == 3
    assert ContactLink.objects.filter(case=f3, source=chain["f2"]).exists()
    assert result.messages
    # A source below the person would make a cycle.
    with pytest.raises(ApplicationError, match="vòng lặp"):
        case_link_source(actor=cdc_user, case=chain["f1"], source=chain["f4"], relation="other")


def test_relevelling_is_all_or_nothing(chain, cdc_user, police_user):
    # f1 tests positive: f4 becomes F3; an F5 is entered below a new F4 under it.
    case_relevel(actor=cdc_user, case=chain["f1"], to="f0")
    f4 = Case.objects.get(pk=chain["f4"].pk)
    f4_contact = case_add_contact(
        actor=police_user, source=f4, full_name="Năm Mới", relation="household"
    ).case
    f5 = case_add_contact(
        actor=police_user, source=f4_contact, full_name="Sáu Mới", relation="household"
    ).case
    assert f5.level == 5
    before = levels(chain)
    history = CaseHistory.objects.count()
    # f1 tests negative: everyone under it would move down, and f5 would go below F5.
    with pytest.raises(ApplicationError, match="F5"):
        case_relevel(actor=cdc_user, case=chain["f1"], to="negative")
    assert levels(chain) == before
    assert Case.objects.get(pk=f5.pk).level == 5
    f1 = Case.objects.get(pk=chain["f1"].pk)
    assert (f1.level, f1.status, f1.source_id) == (0, "active", None)
    assert CaseHistory.objects.count() == history
