"""The permission backend: the same answers as Django's ModelBackend, in one query."""

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tracing_portal.accounts.backends import PortalModelBackend
from tracing_portal.accounts.models import User
from tracing_portal.accounts.roles import ROLE_PERMISSIONS, Role

from ..factories import UserFactory

pytestmark = pytest.mark.django_db


def _fresh(user):
    return User.objects.get(pk=user.pk)


@pytest.mark.parametrize("role", list(Role))
def test_each_role_gets_what_model_backend_gives_in_one_query(role):
    user = UserFactory(role=role)
    # A permission granted to the user directly, beside their role's.
    extra = Permission.objects.get(content_type__app_label="auth", codename="view_group")
    user.user_permissions.add(extra)

    with CaptureQueriesContext(connection) as queries:
        mine = PortalModelBackend().get_all_permissions(_fresh(user))
    expected = ModelBackend().get_all_permissions(_fresh(user))

    assert mine == expected
    assert "auth.view_group" in mine
    assert ROLE_PERMISSIONS[role] <= mine
    assert len(queries) == 2  # the user, then their permissions


def test_the_set_is_read_once_per_user_object():
    user = _fresh(UserFactory(role=Role.CDC))
    assert user.has_perm("cases.view_case")
    with CaptureQueriesContext(connection) as queries:
        assert user.has_perm("cases.add_case")
        assert not user.has_perm("accounts.manage_province_users")
    assert len(queries) == 0


def test_a_role_change_applies_to_the_next_request():
    user = UserFactory(role=Role.OFFICIAL)
    assert not _fresh(user).has_perm("cases.add_case")
    user.groups.add(Group.objects.get(name=Role.CDC))
    assert _fresh(user).has_perm("cases.add_case")
    user.groups.clear()
    assert not _fresh(user).has_perm("cases.view_case")


def test_superusers_hold_every_permission_and_inactive_users_none():
    admin = UserFactory(is_superuser=True, province_id=None)
    assert PortalModelBackend().get_all_permissions(_fresh(admin)) == {
        f"{app}.{codename}"
        for app, codename in Permission.objects.values_list("content_type__app_label", "codename")
    }
    sleeping = UserFactory(role=Role.CDC, is_active=False)
    assert PortalModelBackend().get_all_permissions(_fresh(sleeping)) == set()
    assert not _fresh(sleeping).has_perm("cases.view_case")
