from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "tracing_portal.api"
    label = "api"
    verbose_name = _("API")

    def ready(self):
        # Registers the OpenAPI description of the bearer token scheme.
        from . import schema  # noqa: F401
