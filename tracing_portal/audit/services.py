from django.db import models

from .context import current_ip
from .models import AuditEvent


def audit_record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    province=None,
    details: dict | None = None,
) -> AuditEvent:
    """Append one audit event. The province defaults to the object's province."""
    if province is None and obj is not None:
        province = getattr(obj, "province", None)
    province_id = getattr(province, "pk", province)
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        province_id=province_id,
        ip=current_ip.get(),
        details=details or {},
    )


def audit_forget_name(*, obj: models.Model, replacement: str) -> int:
    """The one change the audit log allows: once a person is anonymised, the events about
    them name them by `replacement` (their case code) instead of "code full name". Who did
    what, when and from where stays as it was."""
    return (
        models.QuerySet(AuditEvent)
        .filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
        .update(object_repr=replacement[:200])
    )


def data_report_record(*, actor, report, fmt: str) -> AuditEvent:
    """A data report is itself personal data seen: record who asked, when, and what was
    found (the number only masked, with a keyed hash to find the report again)."""
    from tracing_portal.cases.phones import mask

    from .models import AuditAction
    from .selectors import phone_key

    return audit_record(
        actor=actor,
        action=AuditAction.DATA_REPORT,
        province=actor.province_id,
        details={
            "phone": mask(report.phone),
            "phone_key": phone_key(report.phone),
            "format": fmt,
            "counts": report.counts,
        },
    )
