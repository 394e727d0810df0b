"""The retention runs (Celery beat, tasks.py): each purges what is due through the owning
app's retention module, then writes one log line and one audit event with the counts."""

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import AuditAction
from .services import audit_forget_name, audit_record

logger = logging.getLogger("tracing_portal.retention")


def retention_purge_sightings(*, now=None) -> dict:
    """Sightings and unaccepted Bluezone contacts, RETENTION_SIGHTINGS_DAYS after ingestion."""
    from tracing_portal.bluezone.retention import sightings_purge

    now = now or timezone.now()
    result = sightings_purge(now=now)
    counts = {
        "rule": "sightings",
        "days": settings.RETENTION_SIGHTINGS_DAYS,
        "traces": result.traces,
        "sightings_deleted": result.sightings,
        "contacts_deleted": result.contacts,
        "accepted_windows_cleared": result.windows_cleared,
        "traces_by_province": result.by_province,
    }
    _record(counts)
    return counts


def retention_anonymise_closed_cases(*, now=None) -> dict:
    """Closed people, RETENTION_ANONYMISE_DAYS after closing; each person in a transaction
    of their own, with what other apps hold about them."""
    from tracing_portal.cases.retention import case_anonymise, cases_due_for_anonymising

    now = now or timezone.now()
    days = settings.RETENTION_ANONYMISE_DAYS
    anonymised, by_province = 0, {}
    due = list(cases_due_for_anonymising(now=now, days=days).values_list("pk", flat=True))
    for case_id in due:
        with transaction.atomic():
            case = case_anonymise(case_id=case_id, now=now)
            if case is None:
                continue
            _forget_elsewhere(case)
        anonymised += 1
        by_province[case.province_id] = by_province.get(case.province_id, 0) + 1
    counts = {
        "rule": "anonymise_closed_cases",
        "days": days,
        "cases_anonymised": anonymised,
        "cases_by_province": by_province,
    }
    _record(counts)
    return counts


def _forget_elsewhere(case) -> None:
    """What other apps hold that names the person: Bluezone lookups and traces, the SMS
    sent to them (the message stays as a record, without number or text), audit events."""
    from tracing_portal.bluezone.retention import bluezone_forget_case
    from tracing_portal.notifications.models import SmsMessage

    bluezone_forget_case(case_id=case.pk)
    SmsMessage.objects.filter(case_id=case.pk).update(recipient="", body="")
    audit_forget_name(obj=case, replacement=case.code)


def _record(counts: dict) -> None:
    logger.info("Retention %(rule)s: %(counts)s", {"rule": counts["rule"], "counts": counts})
    audit_record(actor=None, action=AuditAction.RETENTION, details=counts)
