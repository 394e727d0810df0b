from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "tracing_portal.notifications"
    label = "notifications"
