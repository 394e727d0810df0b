from django.apps import AppConfig


class SandboxConfig(AppConfig):
    name = "tracing_portal.bluezone.sandbox"
    label = "bluezone_sandbox"
    verbose_name = "Bluezone sandbox"

    def ready(self):
        from . import faults  # noqa: F401  (connects the reset on setting changes)
