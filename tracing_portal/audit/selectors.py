from tracing_portal.accounts.scoping import scope_to_province

from .models import AuditEvent


def audit_event_list(*, actor, filters: dict | None = None):
    filters = filters or {}
    qs = scope_to_province(AuditEvent.objects.select_related("actor", "province"), actor=actor)
    if filters.get("action"):
        qs = qs.filter(action=filters["action"])
    if filters.get("object_type"):
        qs = qs.filter(object_type=filters["object_type"], object_id=filters.get("object_id", ""))
    if filters.get("actor"):
        qs = qs.filter(actor_id=filters["actor"])
    if filters.get("date_from"):
        qs = qs.filter(created_at__date__gte=filters["date_from"])
    if filters.get("date_to"):
        qs = qs.filter(created_at__date__lte=filters["date_to"])
    return qs
