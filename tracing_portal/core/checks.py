"""Deployment checks of the portal's own (`manage.py check --deploy`): a production site
must not serve the stand-ins for Bluezone and the SMS operator, nor use their secrets."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def check_no_sandboxes_in_production(app_configs, **kwargs):
    problems = []
    if settings.BLUEZONE_SANDBOX_ENABLED:
        problems.append(
            Warning(
                "The Bluezone sandbox is served under /bluezone-sandbox/ because "
                "BLUEZONE_API_URL is not set.",
                hint="Set BLUEZONE_API_URL, BLUEZONE_API_KEY and BLUEZONE_WEBHOOK_SECRET to "
                "the real Bluezone back end.",
                id="core.W001",
            )
        )
    elif settings.BLUEZONE_API_KEY.startswith("sandbox-") or (
        settings.BLUEZONE_WEBHOOK_SECRET.startswith("sandbox-")
    ):
        problems.append(
            Warning(
                "The real Bluezone API is used with the sandbox's key or webhook secret.",
                hint="Set BLUEZONE_API_KEY and BLUEZONE_WEBHOOK_SECRET.",
                id="core.W002",
            )
        )
    if settings.SMS_BACKEND == "http" and settings.SMS_SANDBOX_ENABLED:
        problems.append(
            Warning(
                "SMS go to the operator sandbox under /sms-sandbox/ because SMS_HTTP_URL is "
                "not set.",
                hint="Set SMS_HTTP_URL and the operator's credentials.",
                id="core.W003",
            )
        )
    return problems
