"""Times as Bluezone writes them: ISO 8601, whole seconds, Vietnam's +07:00 offset."""

from datetime import datetime, timedelta, timezone

from django.utils import timezone as dj_timezone

ICT = timezone(timedelta(hours=7))


def now() -> datetime:
    return dj_timezone.now().replace(microsecond=0)


def iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(ICT).isoformat(timespec="seconds")
