from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "tracing_portal.cases"
    label = "cases"
