from django.apps import AppConfig


class SmsSandboxConfig(AppConfig):
    name = "tracing_portal.notifications.sandbox"
    label = "sms_sandbox"
    verbose_name = "SMS operator sandbox"
