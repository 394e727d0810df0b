import pytest
from django.urls import reverse

from tracing_portal.accounts.roles import Role


def test_login_page_speaks_vietnamese_by_default(client, db):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "vi"
    assert "Đăng nhập" in response.content.decode()


def test_language_switch_to_english(client, db):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.get(reverse("accounts:login"))
    assert "Sign in" in response.content.decode()
    assert "Đăng nhập" not in response.content.decode()


def test_home_requires_login(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_login_lands_on_home_with_role(client, make_user, password):
    user = make_user(Role.POLICE)
    response = client.post(
        reverse("accounts:login"), {"username": user.username, "password": password}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("home")
    body = response.content.decode()
    assert "Cán bộ công an phối hợp" in body
    assert user.full_name in body


def test_wrong_password_is_refused_with_a_message(client, cdc_user):
    response = client.post(
        reverse("accounts:login"), {"username": cdc_user.username, "password": "nope"}
    )
    assert response.status_code == 200
    assert "error-summary" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    "role,sees_audit", [(Role.CDC, False), (Role.OFFICIAL, False), (Role.PROVINCE_ADMIN, True)]
)
def test_navigation_follows_role(client, make_user, role, sees_audit):
    client.force_login(make_user(role))
    body = client.get(reverse("home")).content.decode()
    assert (reverse("audit:list") in body) is sees_audit


def test_logout_is_a_post_and_ends_the_session(client, cdc_user):
    client.force_login(cdc_user)
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_password_change(client, cdc_user, password):
    client.force_login(cdc_user)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": password,
            "new_password1": "Hai-Duong-2020!x",
            "new_password2": "Hai-Duong-2020!x",
        },
    )
    assert response.status_code == 302
    cdc_user.refresh_from_db()
    assert cdc_user.check_password("Hai-Duong-2020!x")


def test_times_are_in_ho_chi_minh(settings):
    from django.utils import timezone

    assert settings.TIME_ZONE == "Asia/Ho_Chi_Minh"
    assert timezone.get_current_timezone_name() == "Asia/Ho_Chi_Minh"


def test_english_browser_still_gets_vietnamese_until_the_user_switches(client, db):
    response = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "Đăng nhập" in response.content.decode()
