"""Celery beat runs the retention rules (schedule in settings, "# --- retention ---").
Each run is idempotent: what was purged is not found again."""

from celery import shared_task

from . import retention


@shared_task(name="retention.purge_sightings")
def purge_sightings() -> dict:
    return retention.retention_purge_sightings()


@shared_task(name="retention.anonymise_closed_cases")
def anonymise_closed_cases() -> dict:
    return retention.retention_anonymise_closed_cases()
