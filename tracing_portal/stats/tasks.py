import datetime as dt
import logging

from celery import shared_task
from django.utils import timezone

from .models import SnapshotSource
from .services import people_days_compact, snapshots_fetch_from_bluezone

logger = logging.getLogger(__name__)


@shared_task(name="stats.fetch_install_snapshots")
def fetch_install_snapshots() -> dict[str, int | None]:
    """Yesterday's and today's install figures from Bluezone (Celery beat, every morning).

    Yesterday is fetched again because Bluezone completes a day's figures after midnight.
    An upsert per day makes a second run harmless. The Bluezone client retries transient
    faults itself; a failure that remains is left to the next morning's run."""
    today = timezone.localdate()
    saved = {}
    for day in (today - dt.timedelta(days=1), today):
        saved[day.isoformat()] = snapshots_fetch_from_bluezone(
            on=day, source=SnapshotSource.BLUEZONE_API
        )
    logger.info("Install snapshots fetched: %s", saved)
    return saved


@shared_task(name="stats.people_days_compact")
def people_days_compact_task() -> int:
    """Fold the dashboard's rows of changes together (Celery beat, every few minutes)."""
    return people_days_compact()
