"""Exposure from raw sightings: how long and how near a contact's phone was to the F0's.

Sightings less than `gap` apart belong to one window. Within a window, each interval
between consecutive sightings counts its minutes, weighted by the RSSI bucket of the
stronger of its two ends (a nearer phone shows a stronger signal). A lone sighting counts
no time.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings


@dataclass(frozen=True)
class Bucket:
    label: str
    min_rssi: int  # the bucket holds RSSI >= min_rssi (and below the previous bucket's)
    weight: float


@dataclass
class Window:
    start: datetime
    end: datetime
    sightings: int = 0
    minutes_by_bucket: dict[str, float] = field(default_factory=dict)

    @property
    def minutes(self) -> float:
        return (self.end - self.start).total_seconds() / 60


@dataclass
class Exposure:
    windows: list[Window]
    raw_minutes: float
    weighted_minutes: float
    minutes_by_bucket: dict[str, float]
    sightings: int

    def is_candidate(self, threshold: float) -> bool:
        return self.weighted_minutes >= threshold


def configured_buckets() -> list[Bucket]:
    return [Bucket(**b) for b in settings.BLUEZONE_EXPOSURE_BUCKETS]


def bucket_for(rssi: int, buckets: Sequence[Bucket]) -> Bucket:
    for bucket in buckets:
        if rssi >= bucket.min_rssi:
            return bucket
    return buckets[-1]


def score(
    sightings: Iterable[tuple[datetime, int]],
    *,
    buckets: Sequence[Bucket] | None = None,
    gap: timedelta | None = None,
) -> Exposure:
    """`sightings` are (time, rssi) pairs in any order."""
    buckets = sorted(buckets or configured_buckets(), key=lambda b: -b.min_rssi)
    gap = gap or timedelta(minutes=settings.BLUEZONE_WINDOW_GAP_MINUTES)
    ordered = sorted(sightings)
    windows: list[Window] = []
    totals = {b.label: 0.0 for b in buckets}
    weights = {b.label: b.weight for b in buckets}
    previous: tuple[datetime, int] | None = None
    current: Window | None = None
    for t, rssi in ordered:
        if previous is None or t - previous[0] >= gap:
            current = Window(start=t, end=t, sightings=1)
            windows.append(current)
        else:
            minutes = (t - previous[0]).total_seconds() / 60
            label = bucket_for(max(rssi, previous[1]), buckets).label
            current.minutes_by_bucket[label] = current.minutes_by_bucket.get(label, 0.0) + minutes
            totals[label] += minutes
            current.end = t
            current.sightings += 1
        previous = (t, rssi)
    raw = sum(totals.values())
    weighted = sum(minutes * weights[label] for label, minutes in totals.items())
    return Exposure(
        windows=windows,
        raw_minutes=round(raw, 2),
        weighted_minutes=round(weighted, 2),
        minutes_by_bucket={k: round(v, 2) for k, v in totals.items()},
        sightings=len(ordered),
    )
