from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _check_new_phone(sender, case_id, phone, actor_id=None, **kwargs):
    """A phone set or changed on a person: ask Bluezone whether it has the app."""
    from tracing_portal.cases.models import Case

    from .services import lookup_request

    case = Case.objects.filter(pk=case_id, phone=phone).first()
    if case is not None:
        lookup_request(actor=None, case=case, reason="phone_changed")


def _check_imported_phones(sender, created_ids, updated_ids, actor_id=None, **kwargs):
    """People imported from a spreadsheet: check their phones against Bluezone in batches."""
    from django.db import transaction

    from .services import lookups_request_many

    with transaction.atomic():
        lookups_request_many(case_ids=[*created_ids, *updated_ids], reason="import")


class BluezoneConfig(AppConfig):
    name = "tracing_portal.bluezone"
    label = "bluezone"
    verbose_name = _("Bluezone tracing")

    def ready(self):
        from tracing_portal.cases.signals import phone_changed

        phone_changed.connect(_check_new_phone, dispatch_uid="bluezone.check_new_phone")

        from tracing_portal.exchange.signals import people_imported

        people_imported.connect(_check_imported_phones, dispatch_uid="bluezone.imported_phones")
