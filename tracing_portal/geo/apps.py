from django.apps import AppConfig


class GeoConfig(AppConfig):
    name = "tracing_portal.geo"
    label = "geo"
