from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "tracing_portal.api"
    label = "api"
    verbose_name = _("API")
    # Django REST framework's messages that the API answers with (field errors, 404, 405,
    # 406, 415, 429, cursors), translated in locale/rest_framework/: DRF's own Vietnamese
    # holds 21 of them. The settings put that catalogue in LOCALE_PATHS so it wins over
    # DRF's; `manage.py portal_messages api` extracts them from these modules of the
    # installed DRF (throttling, parsers and negotiation raise the exceptions.py ones).
    package_catalogues = {
        "locale/rest_framework": (
            "rest_framework",
            (
                "authentication.py",
                "exceptions.py",
                "fields.py",
                "pagination.py",
                "relations.py",
                "serializers.py",
                "validators.py",
            ),
        ),
    }

    def ready(self):
        # Registers the OpenAPI description of the bearer token scheme.
        from . import schema  # noqa: F401
