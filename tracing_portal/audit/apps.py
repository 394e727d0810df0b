from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "tracing_portal.audit"
    label = "audit"
