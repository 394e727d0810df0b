import pytest

from tracing_portal.audit.models import AuditEvent
from tracing_portal.audit.services import audit_record


def test_audit_record_takes_the_province_and_request_ip(cdc_user, client):
    from tracing_portal.audit.context import current_ip

    token = current_ip.set("10.1.2.3")
    try:
        event = audit_record(actor=cdc_user, action="login", obj=cdc_user, details={"x": 1})
    finally:
        current_ip.reset(token)
    event.refresh_from_db()
    assert event.province_id == "30"
    assert event.ip == "10.1.2.3"
    assert event.object_type == "accounts.user"
    assert event.object_id == str(cdc_user.pk)
    assert event.details == {"x": 1}


def test_audit_events_cannot_be_changed_or_deleted(cdc_user):
    event = audit_record(actor=cdc_user, action="login")
    event.action = "exported"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.update(action="exported")
    assert AuditEvent.objects.get().action == "login"
