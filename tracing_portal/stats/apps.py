from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "tracing_portal.stats"
    label = "stats"
