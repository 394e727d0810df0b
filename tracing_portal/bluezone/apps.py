from django.apps import AppConfig


class BluezoneConfig(AppConfig):
    name = "tracing_portal.bluezone"
    label = "bluezone"
