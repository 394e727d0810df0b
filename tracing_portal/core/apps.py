from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "tracing_portal.core"
    label = "core"
