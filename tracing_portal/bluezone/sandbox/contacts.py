"""Contacts of an F0, generated from the F0's number and the seed.

Nothing is stored: the same request always gets the same contacts and sightings in the same
order, so pages can be cut from the list at any time. Times are kept as seconds before the
upload, and turned into timestamps when a page is served.

Most F0s have 10 to 120 contacts (log-normal, median 45), a few none, a few several hundred.
About 30% have no verified phone. About 15% were near (RSSI -55 to -70 dBm) for long
(15 to 90 minutes, up to three days); the rest were farther away, or only briefly nearby.
The phone logs a sighting every 5 to 20 seconds while another phone is in range.
"""

import hashlib
import math
import random
from dataclasses import dataclass, replace
from functools import lru_cache

from .population import (
    MOBILE_PREFIXES,
    block_province,
    registered_and_verified,
    synthetic_traits,
)

DAY = 86_400
MAX_WINDOW_DAYS = 14
NO_PHONE_SHARE = 0.30
SAME_PROVINCE_SHARE = 0.75

# kind: (share, encounters, minutes, rssi range)
KINDS = {
    "near_long": (0.15, (1, 1, 1, 2, 2, 3), (15, 90), (-70, -55)),
    "medium": (0.20, (1, 1, 2), (3, 20), (-80, -70)),
    "far": (0.40, (1, 1, 1, 2), (1, 15), (-95, -80)),
    "brief": (0.25, (1,), (0.3, 3), (-95, -55)),
}


@dataclass(frozen=True)
class MeetingSpec:
    """A scenario's meeting, seen from the F0: who, how long, how near, how many days ago."""

    key: str
    other_msisdn: str
    other_verified: bool
    other_province: str
    minutes: int
    rssi: int
    days_ago: int | None


@dataclass(frozen=True)
class GeneratedContact:
    contact_id: str
    msisdn: str | None
    province_code: str | None
    # (seconds before the upload, rssi), oldest first
    sightings: tuple[tuple[int, int], ...]


def _contact_id(*parts) -> str:
    return hashlib.blake2b(":".join(map(str, parts)).encode(), digest_size=8).hexdigest()


def _encounter(rng: random.Random, start_before: int, seconds: int, rssi_range) -> list:
    lo, hi = rssi_range
    base = rng.randint(lo, hi)
    draw = rng.random
    out, elapsed = [], 0
    while elapsed <= seconds:
        rssi = max(lo, min(hi, base + int(draw() * 7) - 3))
        out.append((start_before - elapsed, rssi))
        elapsed += 5 + int(draw() * 16)  # a sighting every 5 to 20 s
    return out


def _start_before(rng: random.Random, day: int, seconds: int) -> int:
    """When an encounter starts, in seconds before the upload, ending before the upload."""
    start = day * DAY + rng.randint(0, DAY - 1)
    if start - seconds < 0:
        start = seconds + rng.randint(60, 3600)
    return min(start, MAX_WINDOW_DAYS * DAY - 1)


def _phone_number(rng: random.Random, seed: int, province: str | None, taken: set[str]) -> str:
    """A number in the synthetic population with a verified phone (in the province, if given)."""
    while True:
        block = f"84{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**5):05d}"
        if province is not None and block_province(seed, block) != province:
            continue
        for _ in range(20):
            msisdn = f"{block}{rng.randrange(100):02d}"
            if msisdn not in taken and all(registered_and_verified(seed, msisdn)):
                taken.add(msisdn)
                return msisdn


def _kind(draw: float):
    cumulative = 0.0
    for kind in KINDS.values():
        cumulative += kind[0]
        if draw < cumulative:
            return kind
    return kind


def contact_count(rng: random.Random) -> int:
    if rng.random() < 0.03:
        return rng.randint(0, 5)
    return max(1, min(400, round(math.exp(rng.gauss(math.log(45), 0.65)))))


def _generated(seed: int, f0: str, f0_province: str, taken: set[str]) -> list[GeneratedContact]:
    rng = random.Random(f"bluezone-sandbox:contacts:{seed}:{f0}")
    contacts = []
    for index in range(contact_count(rng)):
        has_phone = rng.random() >= NO_PHONE_SHARE
        same_province = rng.random() < SAME_PROVINCE_SHARE
        if has_phone:
            msisdn = _phone_number(rng, seed, f0_province if same_province else None, taken)
            province = synthetic_traits(seed, msisdn)[2]
        else:
            msisdn = None
            known = rng.random() < 0.5
            province = f0_province if known and same_province else None
        _share, encounter_counts, minutes, rssi_range = _kind(rng.random())
        days = rng.sample(range(MAX_WINDOW_DAYS), rng.choice(encounter_counts))
        sightings = []
        for day in days:
            seconds = round(rng.uniform(*minutes) * 60)
            sightings += _encounter(rng, _start_before(rng, day, seconds), seconds, rssi_range)
        sightings.sort(key=lambda s: -s[0])
        contacts.append(
            GeneratedContact(_contact_id(seed, f0, index), msisdn, province, tuple(sightings))
        )
    return contacts


def _met(seed: int, f0: str, other: str, meetings: list[MeetingSpec]) -> GeneratedContact:
    first = meetings[0]
    sightings = []
    for meeting in meetings:
        rng = random.Random(f"bluezone-sandbox:meeting:{seed}:{f0}:{meeting.key}")
        days_ago = meeting.days_ago if meeting.days_ago is not None else rng.randint(1, 5)
        seconds = meeting.minutes * 60
        start = days_ago * DAY + rng.randint(0, DAY // 2)
        if start - seconds < 0:
            start = seconds + rng.randint(60, 3600)
        low, high = meeting.rssi - 2, meeting.rssi + 2
        sightings += _encounter(rng, start, seconds, (low, high))
    sightings.sort(key=lambda s: -s[0])
    return GeneratedContact(
        _contact_id(seed, "met", f0, other),
        other if first.other_verified else None,
        first.other_province,
        tuple(sightings),
    )


@lru_cache(maxsize=64)
def generate(
    seed: int,
    f0: str,
    f0_province: str,
    window_days: int,
    meetings: tuple[MeetingSpec, ...] = (),
) -> tuple[GeneratedContact, ...]:
    """The F0's contacts within the window: generated ones, then the scenario's meetings."""
    others = {m.other_msisdn for m in meetings}
    contacts = _generated(seed, f0, f0_province, taken={f0, *others})
    for other in sorted(others):
        contacts.append(_met(seed, f0, other, [m for m in meetings if m.other_msisdn == other]))
    window = window_days * DAY
    result = []
    for contact in contacts:
        sightings = tuple(s for s in contact.sightings if s[0] < window)
        if sightings:
            result.append(replace(contact, sightings=sightings))
    return tuple(result)
