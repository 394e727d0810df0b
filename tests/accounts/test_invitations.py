"""Accounts are made by administrators, without a password; the person sets it through a
single-use, expiring, signed link."""

import datetime as dt

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from tracing_portal.accounts import services
from tracing_portal.accounts.models import Invitation, User
from tracing_portal.accounts.roles import Role
from tracing_portal.audit.models import AuditAction, AuditEvent
from tracing_portal.core.exceptions import ApplicationError

NEW_PASSWORD = "Hai-Duong-2020!x"


def create(actor, **kwargs):
    fields = {
        "username": "hd.cdc2",
        "full_name": "Nguyễn Thị Mới",
        "agency": "cdc",
        "role": Role.CDC,
        "province_id": "30",
    }
    fields.update(kwargs)
    return services.user_create(actor=actor, **fields)


def link(issued) -> str:
    return reverse("accounts:invitation", args=[issued.token])


def test_admin_creates_a_user_without_a_password_and_gets_a_link(client, province_admin):
    client.force_login(province_admin)
    response = client.post(
        reverse("accounts:user_create"),
        {
            "username": "hd.cdc2",
            "full_name": "Nguyễn Thị Mới",
            "agency": "cdc",
            "role": Role.CDC,
            "province": "30",
        },
    )
    assert response.status_code == 200
    user = User.objects.get(username="hd.cdc2")
    assert not user.has_usable_password()
    assert user.has_role(Role.CDC) and user.province_id == "30"
    shown = response.context["link"]
    assert shown.startswith("http://testserver/accounts/invitation/")
    invitation = Invitation.objects.get(user=user)
    # Only a hash is stored: the link's secret is nowhere in the row.
    token = shown.rstrip("/").rsplit("/", 1)[1]
    assert signing.loads(token, salt=services.INVITATION_SALT)["s"] not in invitation.token_hash
    assert len(invitation.token_hash) == 64
    assert invitation.expires_at - invitation.created_at == dt.timedelta(hours=72)
    event = AuditEvent.objects.get(action=AuditAction.USER_CHANGED, details__event="created")
    assert event.actor == province_admin and event.object_id == str(user.pk)


def test_the_person_sets_a_password_once_and_is_signed_in(client, province_admin):
    issued = create(province_admin)
    page = client.get(link(issued))
    assert page.status_code == 200 and "hd.cdc2" in page.content.decode()
    response = client.post(
        link(issued), {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 302 and response.url == "/"
    user = User.objects.get(username="hd.cdc2")
    assert user.check_password(NEW_PASSWORD)
    assert client.get("/").status_code == 200
    client.logout()
    again = client.get(link(issued))
    assert again.status_code == 410
    assert "đã được sử dụng" in again.content.decode()


def test_a_role_that_needs_a_code_sets_up_the_authenticator_next(client, province_admin):
    issued = create(province_admin, username="hd.dic2", agency="dic", role=Role.DIC)
    response = client.post(
        link(issued), {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.url == reverse("accounts:otp_setup")
    assert client.get("/cases/").url.startswith(reverse("accounts:otp_setup"))


def test_an_expired_link_is_refused(client, province_admin):
    issued = create(province_admin)
    # Made 72 hours and a second ago.
    Invitation.objects.filter(pk=issued.invitation.pk).update(
        created_at=timezone.now() - dt.timedelta(hours=72, seconds=1),
        expires_at=timezone.now() - dt.timedelta(seconds=1),
    )
    response = client.post(
        link(issued), {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 410
    assert not User.objects.get(username="hd.cdc2").has_usable_password()


def test_a_link_still_works_just_before_it_expires(client, province_admin):
    issued = create(province_admin)
    Invitation.objects.filter(pk=issued.invitation.pk).update(
        expires_at=timezone.now() + dt.timedelta(minutes=1)
    )
    assert client.get(link(issued)).status_code == 200


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),
        lambda t: signing.dumps({"i": 1, "s": "guess"}, salt="accounts.invitation"),
        lambda t: "not-a-token",
    ],
)
def test_a_tampered_link_is_refused(client, province_admin, tamper):
    issued = create(province_admin)
    response = client.get(reverse("accounts:invitation", args=[tamper(issued.token)]))
    assert response.status_code == 404
    assert "không hợp lệ" in response.content.decode()


def test_a_link_to_a_disabled_account_is_refused(client, province_admin):
    issued = create(province_admin)
    User.objects.filter(pk=issued.invitation.user.pk).update(is_active=False)
    response = client.post(
        link(issued), {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 410
    user = User.objects.get(pk=issued.invitation.user.pk)
    assert not user.is_active and not user.has_usable_password()


def test_a_new_link_replaces_the_old_one(client, province_admin):
    first = create(province_admin)
    client.force_login(province_admin)
    second = client.post(reverse("accounts:user_action", args=[first.invitation.user.pk, "invite"]))
    client.logout()
    assert client.get(link(first)).status_code == 410
    token = second.context["link"].rstrip("/").rsplit("/", 1)[1]
    assert client.get(reverse("accounts:invitation", args=[token])).status_code == 200


def test_a_weak_password_is_refused_on_the_invitation_page(client, province_admin):
    issued = create(province_admin)
    response = client.post(link(issued), {"new_password1": "12345678", "new_password2": "12345678"})
    assert response.status_code == 200
    assert not User.objects.get(username="hd.cdc2").has_usable_password()
    assert Invitation.objects.get().used_at is None


def test_province_admin_cannot_create_national_admins_or_other_provinces_staff(province_admin):
    with pytest.raises(ApplicationError):
        create(province_admin, role=Role.NATIONAL_ADMIN)
    with pytest.raises(ApplicationError):
        create(province_admin, province_id="01")
    assert not User.objects.filter(username="hd.cdc2").exists()


def test_national_admin_creates_a_national_admin(national_admin):
    issued = create(national_admin, username="vn.admin2", role=Role.NATIONAL_ADMIN)
    assert issued.invitation.user.province_id is None
    assert issued.invitation.user.is_staff


@pytest.mark.parametrize("role", [Role.CDC, Role.POLICE, Role.DIC, Role.OFFICIAL])
def test_only_a_national_admin_account_may_have_no_province(national_admin, role):
    with pytest.raises(ApplicationError):
        create(national_admin, role=role, province_id=None)
    assert not User.objects.filter(username="hd.cdc2").exists()


@pytest.mark.parametrize("role", [Role.CDC, Role.POLICE, Role.DIC, Role.OFFICIAL])
def test_staff_cannot_create_users(client, make_user, role):
    client.force_login(make_user(role))
    assert client.get(reverse("accounts:user_create")).status_code == 403
    with pytest.raises(ApplicationError):
        create(make_user(role))


def test_there_is_no_self_registration(client, db):
    for url in ["/accounts/signup/", "/accounts/register/", "/register/", "/signup/"]:
        assert client.get(url).status_code == 404
    # The admin's "add user" leads to the invitation page, not to a password form.
    from django.urls import resolve

    assert resolve("/accounts/users/new/").url_name == "user_create"


def test_admin_add_user_goes_to_the_invitation_page(client, province_admin):
    client.force_login(province_admin)
    response = client.get(reverse("admin:accounts_user_add"))
    assert response.url == reverse("accounts:user_create")


def test_changes_in_the_admin_are_audited(client, province_admin, cdc_user):
    client.force_login(province_admin)
    url = reverse("admin:accounts_user_change", args=[cdc_user.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "password"}
    data.update(
        {
            "full_name": "Tên Mới",
            "groups": [g.pk for g in cdc_user.groups.all()],
            "province": "30",
            "last_login_0": "",
            "last_login_1": "",
            "date_joined_0": "01/01/2026",
            "date_joined_1": "00:00:00",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get(action=AuditAction.USER_CHANGED, details__event="changed")
    assert "full_name" in event.details["fields"]


def test_user_list_is_scoped_and_shows_the_state(client, make_user, province_admin):
    hn = make_user(Role.CDC, "01")
    invited = create(province_admin).invitation.user
    client.force_login(province_admin)
    response = client.get(reverse("accounts:users"))
    body = response.content.decode()
    assert invited.username in body and hn.username not in body
    row = next(u for u in response.context["users"] if u.pk == invited.pk)
    assert row.invitation_open and not row.has_authenticator
