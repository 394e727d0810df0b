from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "tracing_portal.api"
    label = "api"
