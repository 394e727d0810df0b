import pytest
from django.contrib.auth.models import Group

from tracing_portal.accounts.roles import ROLE_PERMISSIONS, Role, sync_role_permissions


def group_perms(name):
    return {
        f"{app}.{code}"
        for app, code in Group.objects.get(name=name).permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


def test_every_role_is_a_group(db):
    assert set(Group.objects.values_list("name", flat=True)) >= set(Role.values)


@pytest.mark.parametrize("role", Role.values)
def test_group_holds_exactly_the_roles_permissions(db, role):
    # A permission named in ROLE_PERMISSIONS but missing from the database shows up here.
    assert group_perms(role) == ROLE_PERMISSIONS[role]


# The whole matrix, written out: a change to ROLE_PERMISSIONS must change this table too.
MATRIX = {
    "geo.view_province": {"cdc", "police", "dic", "official", "province_admin", "national_admin"},
    "geo.view_district": {"cdc", "police", "dic", "official", "province_admin", "national_admin"},
    "accounts.manage_province_users": {"province_admin", "national_admin"},
    "accounts.view_user": {"province_admin", "national_admin"},
    "accounts.add_user": {"province_admin", "national_admin"},
    "accounts.change_user": {"province_admin", "national_admin"},
    "accounts.view_all_provinces": {"national_admin"},
    "audit.view_auditevent": {"province_admin", "national_admin"},
    "stats.view_dashboard": {
        "cdc",
        "police",
        "dic",
        "official",
        "province_admin",
        "national_admin",
    },
    "cases.view_case": {"cdc", "police", "dic", "official", "province_admin", "national_admin"},
    "cases.add_case": {"cdc", "police"},
    "cases.change_case": {"cdc", "police"},
    "cases.verify_classification": {"cdc"},
    "cases.verify_identity": {"police"},
    "cases.relevel_case": {"cdc"},
    "cases.merge_case": {"cdc", "police"},
    "cases.view_full_phone": {"cdc", "police", "dic", "province_admin"},
    "cases.view_quarantinefacility": {
        "cdc",
        "police",
        "dic",
        "official",
        "province_admin",
        "national_admin",
    },
    "cases.add_quarantinefacility": {"province_admin"},
    "cases.change_quarantinefacility": {"province_admin"},
    "bluezone.view_tracerequest": {"cdc", "dic", "official", "province_admin", "national_admin"},
    "bluezone.open_trace": {"dic"},
    "bluezone.review_candidate": {"cdc"},
    "bluezone.request_lookup": {"cdc", "police", "dic"},
}


# --- notifications
MATRIX.update(
    {
        "notifications.send_sms": {"dic"},
        "notifications.view_smsmessage": {"dic", "cdc", "province_admin", "national_admin"},
        "notifications.view_sms_figures": {
            "dic",
            "cdc",
            "official",
            "province_admin",
            "national_admin",
        },
        "notifications.view_smstemplate": {"province_admin", "national_admin"},
        "notifications.add_smstemplate": {"province_admin", "national_admin"},
        "notifications.change_smstemplate": {"province_admin", "national_admin"},
    }
)
# --- end notifications


# --- exchange
MATRIX.update(
    {
        "exchange.import_data": {"cdc", "police", "province_admin"},
        "exchange.export_data": {"province_admin", "national_admin"},
    }
)
# --- end exchange


# --- api
MATRIX.update(
    {
        "api.view_apitoken": {"province_admin", "national_admin"},
        "api.add_apitoken": {"province_admin", "national_admin"},
        "api.change_apitoken": {"province_admin", "national_admin"},
    }
)
# --- end api


# --- audit
MATRIX["audit.report_personal_data"] = {"province_admin", "national_admin"}
# --- end audit


@pytest.mark.parametrize("role", Role.values)
def test_matrix_is_the_whole_of_role_permissions(role):
    # A permission granted in roles.py but missing from MATRIX (or the reverse) fails here.
    assert {perm for perm, roles in MATRIX.items() if role in roles} == ROLE_PERMISSIONS[role]


@pytest.mark.parametrize("perm,roles", MATRIX.items())
def test_role_permission_matrix(make_user, perm, roles):
    for role in Role.values:
        user = make_user(role)
        assert user.has_perm(perm) is (role in roles), (role, perm)


def test_official_cannot_manage_users_or_see_other_provinces(official_user):
    assert not official_user.has_perm("accounts.add_user")
    assert not official_user.sees_all_provinces


def test_sync_restores_a_permission_removed_by_hand(db):
    group = Group.objects.get(name=Role.PROVINCE_ADMIN)
    group.permissions.clear()
    sync_role_permissions()
    assert group_perms(Role.PROVINCE_ADMIN) == ROLE_PERMISSIONS[Role.PROVINCE_ADMIN]
