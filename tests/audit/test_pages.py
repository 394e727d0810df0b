from django.urls import reverse

from tracing_portal.accounts.roles import Role
from tracing_portal.audit.services import audit_record


def test_province_admin_browses_own_provinces_events_only(client, make_user):
    admin = make_user(Role.PROVINCE_ADMIN, "30")
    audit_record(actor=admin, action="exported", province="30", details={"rows": 12})
    audit_record(
        actor=make_user(Role.CDC, "01"), action="exported", province="01", details={"rows": 99}
    )
    client.force_login(admin)
    body = client.get(reverse("audit:list")).content.decode()
    assert "12" in body and "99" not in body


def test_filter_by_action(client, make_user):
    admin = make_user(Role.PROVINCE_ADMIN, "30")
    audit_record(actor=admin, action="exported", province="30", details={"rows": 12})
    audit_record(actor=admin, action="login", province="30", details={"marker": "zz-login"})
    client.force_login(admin)
    body = client.get(reverse("audit:list"), {"action": "exported"}).content.decode()
    assert "12" in body and "zz-login" not in body


def test_cdc_cannot_browse_the_audit_log(client, cdc_user):
    client.force_login(cdc_user)
    assert client.get(reverse("audit:list")).status_code == 403
