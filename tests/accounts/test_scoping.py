import pytest
from django.http import Http404

from tracing_portal.accounts.models import User
from tracing_portal.accounts.roles import Role
from tracing_portal.accounts.scoping import (
    actor_can_see_province,
    get_scoped_or_404,
    scope_to_province,
)
from tracing_portal.audit.models import AuditEvent
from tracing_portal.audit.services import audit_record


@pytest.fixture
def events(make_user):
    hd_user = make_user(Role.CDC, "30")
    hn_user = make_user(Role.CDC, "01")
    return (
        audit_record(actor=hd_user, action="login", province="30"),
        audit_record(actor=hn_user, action="login", province="01"),
    )


def test_actor_sees_only_own_province(events, make_user):
    hd_event, hn_event = events
    actor = make_user(Role.OFFICIAL, "30")
    assert list(scope_to_province(AuditEvent.objects.all(), actor=actor)) == [hd_event]


def test_national_admin_sees_every_province(events, national_admin):
    assert scope_to_province(AuditEvent.objects.all(), actor=national_admin).count() == 2


def test_user_without_province_who_is_not_national_sees_nothing(events, make_user):
    actor = make_user(Role.CDC, "30")
    User.objects.filter(pk=actor.pk).update(province=None)
    actor.refresh_from_db()
    assert scope_to_province(AuditEvent.objects.all(), actor=actor).count() == 0


def test_anonymous_sees_nothing(events):
    from django.contrib.auth.models import AnonymousUser

    assert scope_to_province(AuditEvent.objects.all(), actor=AnonymousUser()).count() == 0


def test_scope_follows_a_relation(events, make_user):
    actor = make_user(Role.OFFICIAL, "01")
    qs = scope_to_province(AuditEvent.objects.all(), actor=actor, field="actor__province")
    assert [e.actor.province_id for e in qs] == ["01"]


def test_other_provinces_row_is_a_404(events, make_user):
    hd_event, hn_event = events
    actor = make_user(Role.CDC, "30")
    assert get_scoped_or_404(AuditEvent.objects.all(), actor=actor, pk=hd_event.pk) == hd_event
    with pytest.raises(Http404):
        get_scoped_or_404(AuditEvent.objects.all(), actor=actor, pk=hn_event.pk)


def test_actor_can_see_province(make_user, national_admin):
    actor = make_user(Role.DIC, "30")
    assert actor_can_see_province(actor, "30")
    assert not actor_can_see_province(actor, "01")
    assert actor_can_see_province(national_admin, "01")
