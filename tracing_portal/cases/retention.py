"""Closed people are anonymised RETENTION_ANONYMISE_DAYS (180) after they were closed
(negative, recovered, deceased, released): the name becomes "Ẩn danh", and the phone,
national ID, address and notes are cleared. Year of birth, sex, district, level, status
and dates stay, so the aggregate figures do not change. The person's history keeps what
happened but not the old values of those fields, nor their name where a contact's history
named them as a source.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from tracing_portal.core.text import fold

from .models import Case, CaseHistory, ContactLink, HistoryKind
from .services import CLOSED_STATUSES

ANONYMOUS_NAME = "Ẩn danh"
PERSONAL_FIELDS = ["full_name", "phone", "national_id", "address", "notes"]


def cases_due_for_anonymising(*, now: datetime, days: int):
    return Case.objects.filter(
        anonymised_at__isnull=True,
        closed_at__isnull=False,
        closed_at__lte=now - timedelta(days=days),
        status__in=CLOSED_STATUSES,
    ).order_by("pk")


def _scrub(value, *, named: str, code: str):
    """The value with every mention of `named` ("HD-000123 Full Name") replaced by the
    code alone."""
    if isinstance(value, str):
        return value.replace(named, code)
    if isinstance(value, list):
        return [_scrub(v, named=named, code=code) for v in value]
    if isinstance(value, dict):
        return {k: _scrub(v, named=named, code=code) for k, v in value.items()}
    return value


def _scrub_history(case: Case, *, old_name: str) -> None:
    named = f"{case.code} {old_name}"
    for entry in CaseHistory.objects.filter(case=case).only("pk", "changes", "note"):
        changes = {
            key: ([None] * len(value) if isinstance(value, list) else None)
            if key in PERSONAL_FIELDS
            else _scrub(value, named=named, code=case.code)
            for key, value in entry.changes.items()
        }
        note = entry.note.replace(named, case.code).replace(old_name, ANONYMOUS_NAME)
        if changes != entry.changes or note != entry.note:
            CaseHistory.objects.filter(pk=entry.pk).update(changes=changes, note=note)
    # Contacts' histories name this person as their source ("HD-000123 Full Name").
    related = (
        Q(case__source=case)
        | Q(case__in=ContactLink.objects.filter(source=case).values("case"))
        | Q(case__merged_into=case)
    )
    if case.merged_into_id:
        related |= Q(case=case.merged_into_id)
    others = CaseHistory.objects.filter(related).exclude(case=case).only("pk", "changes", "note")
    for entry in others:
        changes = _scrub(entry.changes, named=named, code=case.code)
        note = entry.note.replace(named, case.code)
        if changes != entry.changes or note != entry.note:
            CaseHistory.objects.filter(pk=entry.pk).update(changes=changes, note=note)


@transaction.atomic
def case_anonymise(*, case_id: int, now: datetime | None = None) -> Case | None:
    """Anonymise one closed person; None if they are not (or no longer) due. Returns the
    person with `old_name` set, for the callers that clear what other apps hold."""
    now = now or timezone.now()
    case = Case.objects.select_for_update().get(pk=case_id)
    if case.anonymised_at is not None or case.closed_at is None:
        return None
    if case.status not in CLOSED_STATUSES:
        return None
    old_name = case.full_name
    case.full_name = ANONYMOUS_NAME
    case.name_folded = fold(ANONYMOUS_NAME)
    case.phone = ""
    case.national_id = ""
    case.address = ""
    case.notes = ""
    case.anonymised_at = now
    case.version += 1
    case.save(
        update_fields=[
            *PERSONAL_FIELDS,
            "name_folded",
            "anonymised_at",
            "version",
            "updated_at",
        ]
    )
    _scrub_history(case, old_name=old_name)
    CaseHistory.objects.create(
        case=case,
        at=now,
        actor=None,
        kind=HistoryKind.UPDATED,
        version=case.version,
        changes={"anonymised": PERSONAL_FIELDS},
    )
    case.old_name = old_name
    return case
