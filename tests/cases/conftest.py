import pytest

from tracing_portal.cases.services import case_add_contact, case_create


@pytest.fixture
def f0(cdc_user):
    return case_create(
        actor=cdc_user,
        level=0,
        f0_status="confirmed",
        full_name="Nguyễn Văn Thành",
        year_of_birth=1974,
        phone="0912 345 678",
    ).case


@pytest.fixture
def chain(f0, police_user):
    """F0 -> F1 -> F2 -> F3 -> F4 (one person per level), plus a second F1 with an F2."""
    f1 = case_add_contact(
        actor=police_user, source=f0, full_name="Trần Văn Một", relation="household"
    ).case
    f2 = case_add_contact(
        actor=police_user, source=f1, full_name="Lê Thị Hai", relation="workplace"
    ).case
    f3 = case_add_contact(
        actor=police_user, source=f2, full_name="Phạm Văn Ba", relation="neighbour"
    ).case
    f4 = case_add_contact(
        actor=police_user, source=f3, full_name="Vũ Thị Bốn", relation="relative"
    ).case
    other_f1 = case_add_contact(
        actor=police_user, source=f0, full_name="Đỗ Văn Năm", relation="travel"
    ).case
    other_f2 = case_add_contact(
        actor=police_user, source=other_f1, full_name="Ngô Thị Sáu", relation="household"
    ).case
    return {
        "f0": f0,
        "f1": f1,
        "f2": f2,
        "f3": f3,
        "f4": f4,
        "other_f1": other_f1,
        "other_f2": other_f2,
    }
