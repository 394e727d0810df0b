"""`manage.py seed_demo`, as `make run` calls it: one user per role in Hải Dương and in
Hà Nội, the passwords printed, nothing changed by a second run, and each demo user signs in
through the login page to their role's home page."""

import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse
from django.utils.html import escape
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.signin import totp_code
from tracing_portal.accounts import demo
from tracing_portal.accounts.models import User
from tracing_portal.accounts.roles import Role


def row_counts() -> dict[str, int]:
    return {m._meta.label: m._default_manager.count() for m in apps.get_models()}


def test_seed_demo_makes_a_user_per_role_per_province_and_a_second_run_changes_nothing(
    transactional_db,
):
    # Real commits, as under `make run`: each app's after-commit work (SMS...) runs when its
    # part of the demo commits.
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    for role in Role.values:
        if role == Role.NATIONAL_ADMIN:
            assert User.objects.filter(groups__name=role, province__isnull=True).exists()
            continue
        for province in ("30", "01"):
            assert User.objects.filter(groups__name=role, province_id=province).count() == 1
    printed = out.getvalue()
    assert demo.DEMO_PASSWORD in printed
    assert all(username in printed for username, *_rest in demo.DEMO_USERS)
    assert User.objects.get(username="hd.cdc").check_password(demo.DEMO_PASSWORD)

    before = row_counts()
    passwords = dict(User.objects.values_list("username", "password"))
    call_command("seed_demo", stdout=io.StringIO())
    assert row_counts() == before
    assert dict(User.objects.values_list("username", "password")) == passwords


@pytest.mark.parametrize(
    "username,role,province",
    [(username, role, province) for username, _name, _agency, role, province in demo.DEMO_USERS],
)
def test_each_demo_user_signs_in_to_their_roles_home(client, db, username, role, province):
    demo.seed(stdout=io.StringIO())
    page = client.get(reverse("accounts:login"))
    assert page.headers["Content-Language"] == "vi"
    response = client.post(
        reverse("accounts:login"),
        {"username": username, "password": demo.DEMO_PASSWORD},
        follow=True,
    )
    device = TOTPDevice.objects.filter(user__username=username).first()
    if device is not None:
        # DIC operators and administrators type the demo authenticator's code next.
        assert response.redirect_chain[-1][0].startswith(reverse("accounts:otp_verify"))
        response = client.post(
            response.redirect_chain[-1][0], {"token": totp_code(device)}, follow=True
        )
    assert response.redirect_chain[-1][0] == reverse("home")
    assert response.context["role_label"] == Role(role).label
    assert response.context["next_steps"]
    body = response.content.decode()
    assert escape(str(Role(role).label)) in body
    user = User.objects.get(username=username)
    assert user.province_id == province
