"""Bluezone data kept no longer than needed (Decree 13/2023).

RETENTION_SIGHTINGS_DAYS (21) after a trace's contacts were fetched (`ingested_at`):
- every raw sighting of the trace goes;
- every contact CDC did not accept goes (pending, rejected, below the threshold);
- an accepted contact stays, as the record of why a person became an F1 (score, first and
  last seen, review, the person it made or linked), but loses its exposure windows.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from .models import Lookup, Review, Sighting, TracedContact, TraceRequest


@dataclass
class SightingsPurge:
    traces: int = 0
    sightings: int = 0
    contacts: int = 0
    windows_cleared: int = 0
    by_province: dict[str, int] = field(default_factory=dict)


def traces_due_for_purge(*, now: datetime, days: int):
    """Trace ids ingested at least `days` ago that still hold sightings or contacts CDC did
    not accept."""
    cutoff = now - timedelta(days=days)
    return (
        TraceRequest.objects.filter(ingested_at__lte=cutoff)
        .filter(
            Exists(
                TracedContact.objects.filter(trace=OuterRef("pk")).exclude(review=Review.ACCEPTED)
            )
            | Exists(Sighting.objects.filter(contact__trace=OuterRef("pk")))
        )
        .order_by("pk")
    )


@transaction.atomic
def trace_purge(*, trace_id: int) -> tuple[int, int, int]:
    """Purge one trace's sightings and unaccepted contacts; returns (sightings, contacts,
    accepted contacts whose windows were cleared)."""
    contacts = TracedContact.objects.filter(trace_id=trace_id)
    sightings, _by_model = Sighting.objects.filter(contact__in=contacts.values("pk")).delete()
    _total, by_model = contacts.exclude(review=Review.ACCEPTED).delete()
    cleared = contacts.filter(review=Review.ACCEPTED).exclude(windows=[]).update(windows=[])
    return sightings, by_model.get(TracedContact._meta.label, 0), cleared


def sightings_purge(*, now: datetime | None = None, days: int | None = None) -> SightingsPurge:
    """Purge every trace that is due, one transaction per trace (a large table is never
    locked for long, and a second run finds nothing left to do)."""
    now = now or timezone.now()
    days = settings.RETENTION_SIGHTINGS_DAYS if days is None else days
    result = SightingsPurge()
    done: set[int] = set()
    while True:
        batch = [
            (pk, province)
            for pk, province in traces_due_for_purge(now=now, days=days).values_list(
                "pk", "province_id"
            )[:200]
            if pk not in done
        ]
        if not batch:
            return result
        for trace_id, province_id in batch:
            sightings, contacts, cleared = trace_purge(trace_id=trace_id)
            done.add(trace_id)
            result.traces += 1
            result.sightings += sightings
            result.contacts += contacts
            result.windows_cleared += cleared
            result.by_province[province_id] = result.by_province.get(province_id, 0) + 1


def bluezone_forget_case(*, case_id: int) -> None:
    """An anonymised person's phone number leaves the Bluezone records that name them: their
    lookups, their own trace requests (number and code), and the contacts that matched
    them."""
    Lookup.objects.filter(case_id=case_id).update(phone="")
    TraceRequest.objects.filter(case_id=case_id).update(msisdn="", verification_code="")
    TracedContact.objects.filter(resulting_case_id=case_id).update(phone="", windows=[])
    TracedContact.objects.filter(matched_case_id=case_id).update(phone="", windows=[])
