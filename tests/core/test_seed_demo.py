"""`manage.py seed_demo`, as `make run` calls it: one user per role in Hải Dương and in
Hà Nội, the passwords printed, an August 2020 investigation that gives every figure of the
dashboard, nothing changed by a second run, and each demo user signs in through the login
page to their role's home page."""

import datetime as dt
import io
import re

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.signin import totp_code
from tracing_portal.accounts import demo
from tracing_portal.accounts.models import User
from tracing_portal.accounts.roles import Role
from tracing_portal.bluezone.models import Lookup, TraceRequest
from tracing_portal.cases.demo import DEMO_PERIOD
from tracing_portal.cases.models import Case, InstallAsk
from tracing_portal.notifications.models import SmsMessage


def row_counts() -> dict[str, int]:
    return {m._meta.label: m._default_manager.count() for m in apps.get_models()}


def demo_times() -> dict[str, list]:
    """The times the demo sets on its rows, which a second run must leave alone."""
    return {
        "people": list(
            Case.objects.order_by("pk").values_list(
                "pk", "level", "source", "created_at", "verified_at", "bluezone_checked_at"
            )
        ),
        "traces": list(
            TraceRequest.objects.order_by("pk").values_list(
                "pk", "status", "created_at", "uploaded_at"
            )
        ),
        "asks": list(InstallAsk.objects.order_by("pk").values_list("pk", "asked_at")),
        "lookups": list(Lookup.objects.order_by("pk").values_list("pk", "checked_at")),
        "sms": list(SmsMessage.objects.order_by("pk").values_list("pk", "status", "queued_at")),
    }


def assert_every_chain_holds():
    """Each contact is one level below its source, in the same province."""
    for person in Case.objects.filter(source__isnull=False).select_related("source"):
        assert person.level == person.source.level + 1, person.code
        assert person.province_id == person.source.province_id, person.code


def investigation_figures(client) -> dict:
    """The dashboard's tracing figures over the investigation's weeks, as hd.official."""
    client.force_login(User.objects.get(username="hd.official"))
    date_from, date_to = DEMO_PERIOD
    response = client.get(
        reverse("stats:dashboard"),
        {"date_from": date_from.isoformat(), "date_to": date_to.isoformat()},
    )
    assert response.status_code == 200
    body = response.content.decode()

    def shown(testid: str) -> str:
        match = re.search(rf'data-testid="{testid}">([^<]*)<', body)
        assert match, testid
        return match.group(1).strip()

    return {"tracing": response.context["tracing"], "shown": shown}


def test_seed_demo_makes_a_user_per_role_per_province_and_a_second_run_changes_nothing(
    transactional_db, client
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

    # The investigation's figures: some of the people asked to install Bluezone did, as a
    # later Bluezone check found; DIC opened each F0's trace hours after its verification.
    figures = investigation_figures(client)
    tracing, shown = figures["tracing"], figures["shown"]
    asks = tracing.install_asks
    assert 0 < asks.converted < asks.asked
    assert shown("tracing-converted").startswith(f"{asks.converted} ")
    delays = tracing.verification_to_trace
    assert delays.traced == 3
    assert dt.timedelta(hours=1) < delays.median < dt.timedelta(days=2)
    # The same every time the demo is loaded: the middle of 26 h, 6 h 40 and 3 h 10.
    assert delays.median == dt.timedelta(hours=6, minutes=40)
    assert shown("tracing-median") == "6 giờ 40 phút"
    assert tracing.traces.total == 3 and tracing.candidates.accepted > 0
    assert tracing.sms.delivered > 0 and tracing.sms.failed > 0
    assert_every_chain_holds()
    # Everything the investigation holds is dated in it, the imported sheet's F1s and
    # their Bluezone checks included ...
    date_from, date_to = DEMO_PERIOD
    hai_duong = Case.objects.filter(province_id="30")
    for day in [*hai_duong.values_list("created_at", flat=True)] + [
        *Lookup.objects.filter(province_id="30").values_list("checked_at", flat=True)
    ]:
        assert date_from <= timezone.localdate(day) <= date_to, day
    # ... so the dashboard opens on it: with no range asked, the 30 days up to its last entry.
    client.force_login(User.objects.get(username="hd.official"))
    default = client.get(reverse("stats:dashboard")).context["tracing"]
    latest = timezone.localdate(hai_duong.order_by("-created_at").first().created_at)
    assert default.period.date_to == latest
    assert default.traces.total == 3 and default.install_asks.converted > 0

    before = row_counts()
    times = demo_times()
    passwords = dict(User.objects.values_list("username", "password"))
    call_command("seed_demo", stdout=io.StringIO())
    assert row_counts() == before
    assert demo_times() == times
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
