"""Sign-in hardening: lockout per account, the second step (TOTP), idle sessions and
password rules, through the real pages and real codes."""

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.signin import enroll_totp, force_login_password_only, totp_code
from tracing_portal.accounts.roles import Role
from tracing_portal.audit.models import AuditAction, AuditEvent

LOGIN = "/accounts/login/"


def post_login(client, username, password, ip="10.0.0.7"):
    return client.post(
        reverse("accounts:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=ip,
    )


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


# Lockout per account (django-axes)


def test_five_wrong_passwords_lock_the_account_even_for_the_right_password(
    client, cdc_user, password, settings
):
    for _i in range(settings.AXES_FAILURE_LIMIT - 1):
        assert post_login(client, cdc_user.username, "wrong-password").status_code == 200
    locking = post_login(client, cdc_user.username, "wrong-password")
    assert locking.status_code == 429
    response = post_login(client, cdc_user.username, password)
    assert response.status_code == 429
    assert not signed_in(client)
    body = response.content.decode()
    assert 'data-testid="locked"' in body
    assert "Tài khoản này bị khóa 15 phút" in body
    # The page is still the sign-in form, with the username kept.
    assert f'value="{cdc_user.username}"' in body


def test_lockout_is_per_account_not_per_address(client, make_user, password, settings):
    victim, colleague = make_user(Role.CDC), make_user(Role.POLICE)
    for _i in range(settings.AXES_FAILURE_LIMIT):
        post_login(client, victim.username, "wrong-password", ip="10.0.0.7")
    # A colleague behind the same office address signs in normally.
    response = post_login(client, colleague.username, password, ip="10.0.0.7")
    assert response.status_code == 302
    assert signed_in(client)


def test_lockout_follows_the_account_across_addresses(client, cdc_user, password, settings):
    for n in range(settings.AXES_FAILURE_LIMIT):
        post_login(client, cdc_user.username, "wrong-password", ip=f"10.0.1.{n}")
    assert post_login(client, cdc_user.username, password, ip="10.9.9.9").status_code == 429


def test_lockout_ends_after_the_cool_off(client, cdc_user, password, settings):
    for _i in range(settings.AXES_FAILURE_LIMIT):
        post_login(client, cdc_user.username, "wrong-password")
    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME)
    assert post_login(client, cdc_user.username, password).status_code == 302


def test_fewer_failures_than_the_limit_do_not_lock(client, cdc_user, password, settings):
    for _i in range(settings.AXES_FAILURE_LIMIT - 1):
        post_login(client, cdc_user.username, "wrong-password")
    assert post_login(client, cdc_user.username, password).status_code == 302


def test_province_admin_unlocks_a_locked_account(client, make_user, password, settings):
    admin, locked = make_user(Role.PROVINCE_ADMIN), make_user(Role.CDC)
    for _i in range(settings.AXES_FAILURE_LIMIT):
        post_login(client, locked.username, "wrong-password")
    client.force_login(admin)
    page = client.get(reverse("accounts:users")).content.decode()
    assert reverse("accounts:user_action", args=[locked.pk, "unlock"]) in page
    client.post(reverse("accounts:user_action", args=[locked.pk, "unlock"]))
    client.logout()
    assert post_login(client, locked.username, password).status_code == 302
    event = AuditEvent.objects.filter(action=AuditAction.USER_CHANGED, object_id=locked.pk).get()
    assert event.details["event"] == "unlocked"
    assert event.actor == admin


def test_province_admin_cannot_unlock_another_provinces_account(client, make_user):
    admin, other = make_user(Role.PROVINCE_ADMIN, "30"), make_user(Role.CDC, "01")
    client.force_login(admin)
    response = client.post(reverse("accounts:user_action", args=[other.pk, "unlock"]))
    assert response.status_code == 404


# The second step (TOTP)


@pytest.mark.parametrize("role", [Role.DIC, Role.PROVINCE_ADMIN, Role.NATIONAL_ADMIN])
def test_roles_that_need_a_code_reach_nothing_before_it(client, make_user, password, role):
    user = make_user(role)
    enroll_totp(user)
    response = post_login(client, user.username, password)
    assert response.status_code == 302
    assert signed_in(client)
    for url in ["/", "/cases/", "/tracing/", "/audit/", "/admin/", "/stats/"]:
        blocked = client.get(url)
        assert blocked.status_code == 302, url
        assert blocked.url.startswith(reverse("accounts:otp_verify")), url
    api = client.get("/api/v1/me/")
    assert api.status_code == 403
    assert api.json() == {  # the API's one error shape
        "error": {
            "code": "second_step_required",
            "message": "Hãy hoàn tất đăng nhập bằng mã xác thực.",
            "details": {},
        }
    }
    assert client.get(reverse("accounts:otp_verify")).status_code == 200


def test_a_real_code_opens_the_portal_and_a_wrong_one_does_not(client, dic_user, password):
    device = enroll_totp(dic_user)
    post_login(client, dic_user.username, password)
    wrong = client.post(reverse("accounts:otp_verify"), {"token": "000000"})
    assert wrong.status_code == 200
    assert "error" in wrong.content.decode()
    assert client.get("/").status_code == 302
    # Each wrong code makes the device wait longer before the next try; let that pass.
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - dt.timedelta(minutes=1)
    )
    right = client.post(
        reverse("accounts:otp_verify"), {"token": totp_code(device), "next": "/cases/"}
    )
    assert right.status_code == 302 and right.url == "/cases/"
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(
        action=AuditAction.LOGIN, actor=dic_user, details__step="otp"
    ).exists()


def test_a_code_cannot_be_used_twice(client, dic_user, password):
    device = enroll_totp(dic_user)
    code = totp_code(device)
    post_login(client, dic_user.username, password)
    assert client.post(reverse("accounts:otp_verify"), {"token": code}).status_code == 302
    client.logout()
    post_login(client, dic_user.username, password)
    replay = client.post(reverse("accounts:otp_verify"), {"token": code})
    assert replay.status_code == 200
    assert client.get("/").status_code == 302


def test_the_next_address_must_be_on_this_site(client, dic_user, password):
    device = enroll_totp(dic_user)
    post_login(client, dic_user.username, password)
    response = client.post(
        reverse("accounts:otp_verify"),
        {"token": totp_code(device), "next": "https://evil.example/"},
    )
    assert response.url == "/"


def test_required_role_without_an_authenticator_sets_one_up_first(client, make_user, password):
    admin = make_user(Role.PROVINCE_ADMIN)
    post_login(client, admin.username, password)
    response = client.get("/audit/")
    assert response.url.startswith(reverse("accounts:otp_setup"))
    setup = client.get(response.url)
    body = setup.content.decode()
    device = TOTPDevice.objects.get(user=admin, confirmed=False)
    # The QR code is an inline SVG drawn on the server, with the otpauth URI and the key.
    assert "<svg" in body and 'class="qr-code"' in body
    assert "otpauth://totp/" in body
    assert "secret=" in setup.context["otpauth_uri"]
    assert setup.context["otpauth_uri"] == device.config_url
    # Reloading shows the same key.
    assert client.get(reverse("accounts:otp_setup")).context["otpauth_uri"] == device.config_url

    wrong = client.post(reverse("accounts:otp_setup"), {"token": "123456"})
    assert wrong.status_code == 200 and not TOTPDevice.objects.filter(confirmed=True).exists()
    done = client.post(reverse("accounts:otp_setup"), {"token": totp_code(device)})
    assert done.status_code == 200
    codes = done.context["codes"]
    assert len(codes) == 10
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/audit/").status_code == 200


def test_a_backup_code_works_once(client, make_user, password):
    user = make_user(Role.DIC)
    post_login(client, user.username, password)
    client.get(reverse("accounts:otp_setup"))
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    codes = client.post(reverse("accounts:otp_setup"), {"token": totp_code(device)}).context[
        "codes"
    ]
    client.logout()
    post_login(client, user.username, password)
    assert client.post(reverse("accounts:otp_verify"), {"token": codes[0]}).status_code == 302
    assert not StaticToken.objects.filter(token=codes[0]).exists()
    client.logout()
    post_login(client, user.username, password)
    assert client.post(reverse("accounts:otp_verify"), {"token": codes[0]}).status_code == 200


@pytest.mark.parametrize("role", [Role.CDC, Role.POLICE, Role.OFFICIAL])
def test_other_roles_need_no_code_until_they_enrol(client, make_user, password, role):
    user = make_user(role)
    post_login(client, user.username, password)
    assert client.get("/").status_code == 200
    device = enroll_totp(user)
    client.logout()
    post_login(client, user.username, password)
    assert client.get("/").url.startswith(reverse("accounts:otp_verify"))
    client.post(reverse("accounts:otp_verify"), {"token": totp_code(device)})
    assert client.get("/").status_code == 200


def test_admin_resets_a_lost_authenticator(client, make_user, password):
    admin, dic = make_user(Role.PROVINCE_ADMIN), make_user(Role.DIC)
    enroll_totp(dic)
    client.force_login(admin)
    client.post(reverse("accounts:user_action", args=[dic.pk, "reset-otp"]))
    assert not TOTPDevice.objects.filter(user=dic).exists()
    client.logout()
    post_login(client, dic.username, password)
    assert client.get("/").url.startswith(reverse("accounts:otp_setup"))


def test_the_password_alone_cannot_replace_the_authenticator(client, dic_user, password):
    device = enroll_totp(dic_user)
    post_login(client, dic_user.username, password)
    response = client.get(reverse("accounts:otp_setup"))
    assert response.url.startswith(reverse("accounts:otp_verify"))
    client.post(reverse("accounts:otp_setup"), {"token": "123456"})
    assert list(TOTPDevice.objects.filter(user=dic_user)) == [device]
    assert client.get("/").url.startswith(reverse("accounts:otp_verify"))


def test_a_verified_user_may_replace_their_authenticator(client, dic_user):
    old = enroll_totp(dic_user)
    client.force_login(dic_user)
    client.get(reverse("accounts:otp_setup"))
    new = TOTPDevice.objects.get(user=dic_user, confirmed=False)
    assert client.post(reverse("accounts:otp_setup"), {"token": totp_code(new)}).status_code == 200
    assert list(TOTPDevice.objects.filter(user=dic_user, confirmed=True)) == [new]
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()


def test_sign_out_is_reachable_before_the_code(client, dic_user):
    force_login_password_only(client, dic_user)
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert not signed_in(client)


# Sessions and passwords


def test_idle_session_is_signed_out(client, cdc_user, settings):
    client.force_login(cdc_user)
    assert client.get("/").status_code == 200
    assert settings.SESSION_COOKIE_AGE == 30 * 60 and settings.SESSION_SAVE_EVERY_REQUEST
    session = client.session
    session.set_expiry(timezone.now() - dt.timedelta(seconds=1))
    session.save()
    response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_activity_pushes_the_expiry_back(client, cdc_user, settings):
    from django.contrib.sessions.models import Session

    client.force_login(cdc_user)
    key = client.session.session_key
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() + dt.timedelta(minutes=1)
    )
    client.get("/")
    expire = Session.objects.get(session_key=key).expire_date
    assert expire > timezone.now() + dt.timedelta(minutes=29)


@pytest.mark.parametrize(
    "candidate,reason",
    [
        ("Ab1-short", "password_too_short"),
        ("password1234", "password_too_common"),
        ("4815162342108", "password_entirely_numeric"),
        ("nguyenvanthanh", "password_too_similar"),
    ],
)
def test_password_rules(make_user, candidate, reason):
    user = make_user(Role.CDC, username="nguyenvanthanh", full_name="Nguyễn Văn Thành")
    with pytest.raises(ValidationError) as exc:
        validate_password(candidate, user)
    assert reason in {e.code for e in exc.value.error_list}


def test_a_good_password_passes_the_rules(make_user):
    validate_password("Hai-Duong-2020!x", make_user(Role.CDC))
