"""Days in the portal's time zone (Asia/Ho_Chi_Minh)."""

import datetime

from django.utils import timezone


def day_start(day: datetime.date | None = None) -> datetime.datetime:
    """Midnight at the start of `day` (today by default) in the portal's time zone.

    A filter on whole days is written as `at >= day_start(first)` and
    `at < day_start(last + 1 day)`: bounds on the column itself, which its indexes serve
    (`at__date` would convert every row's time first)."""
    day = day or timezone.localdate()
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
