from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _check_new_phone(sender, case_id, phone, actor_id=None, **kwargs):
    """A phone set or changed on a person: ask Bluezone whether it has the app."""
    from tracing_portal.cases.models import Case

    from .services import lookup_request

    case = Case.objects.filter(pk=case_id, phone=phone).first()
    if case is not None:
        lookup_request(actor=None, case=case, reason="phone_changed")


class BluezoneConfig(AppConfig):
    name = "tracing_portal.bluezone"
    label = "bluezone"
    verbose_name = _("Bluezone tracing")

    def ready(self):
        from tracing_portal.cases.signals import phone_changed

        phone_changed.connect(_check_new_phone, dispatch_uid="bluezone.check_new_phone")
