"""The synthetic subscriber population: who has Bluezone is a hash of (seed, number)."""

import hashlib
import re
from bisect import bisect_left
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.utils import timezone

from .installs import LAUNCH, subscriber_province_table
from .models import SandboxSubscriber

MSISDN_RE = re.compile(r"^84\d{9}$")
REGISTERED_SHARE = 0.25
PHONE_VERIFIED_SHARE = 0.60
ANDROID_SHARE = 0.70
# Mobile prefixes in use (after 84): Viettel 3x/86/96-98, VinaPhone 8x/91/94, MobiFone 7x/90/93,
# Vietnamobile 52/56/58/92, Gmobile 59/99.
MOBILE_PREFIXES = (
    "90 91 93 94 96 97 98 99 81 82 83 84 85 86 88 89 "
    "32 33 34 35 36 37 38 39 70 76 77 78 79 56 58 59"
).split()

_REGISTRATION_SPAN = datetime(2021, 6, 26, tzinfo=UTC) - datetime(
    LAUNCH.year, LAUNCH.month, LAUNCH.day, tzinfo=UTC
)


def current_seed() -> int:
    return int(getattr(settings, "BLUEZONE_SANDBOX_SEED", 2020))


def is_msisdn(value: object) -> bool:
    return isinstance(value, str) and bool(MSISDN_RE.match(value))


@dataclass(frozen=True)
class Subscriber:
    msisdn: str
    phone_verified: bool
    province_code: str
    os: str
    registered_at: datetime
    last_active_at: datetime


def _fractions(seed: int, msisdn: str) -> list[float]:
    digest = hashlib.blake2b(f"{seed}:subscriber:{msisdn}".encode(), digest_size=48).digest()
    return [int.from_bytes(digest[i : i + 8], "big") / 2**64 for i in range(0, 48, 8)]


def block_province(seed: int, block: str) -> str:
    """The province of a block of 100 numbers (the number without its last two digits).

    Blocks make it cheap to find a number in a given province; nobody sees them.
    """
    digest = hashlib.blake2b(f"{seed}:block:{block}".encode(), digest_size=8).digest()
    codes, cumulative = subscriber_province_table(seed)
    u = int.from_bytes(digest, "big") / 2**64
    return codes[min(bisect_left(cumulative, u), len(codes) - 1)]


def registered_and_verified(seed: int, msisdn: str) -> tuple[bool, bool]:
    u = _fractions(seed, msisdn)
    return u[0] < REGISTERED_SHARE, u[1] < PHONE_VERIFIED_SHARE


def synthetic_traits(seed: int, msisdn: str) -> tuple[bool, bool, str]:
    """(registered, phone_verified, province_code) of a number in the synthetic population."""
    registered, verified = registered_and_verified(seed, msisdn)
    return registered, verified, block_province(seed, msisdn[:-2])


def synthetic_subscriber(seed: int, msisdn: str) -> Subscriber | None:
    registered, verified, province = synthetic_traits(seed, msisdn)
    if not registered:
        return None
    u = _fractions(seed, msisdn)
    launch = datetime(LAUNCH.year, LAUNCH.month, LAUNCH.day, tzinfo=UTC)
    registered_at = launch + timedelta(seconds=int(u[4] * _REGISTRATION_SPAN.total_seconds()))
    today = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    last_active_at = max(registered_at, today - timedelta(seconds=int(u[5] * 30 * 86400)))
    return Subscriber(
        msisdn=msisdn,
        phone_verified=verified,
        province_code=province,
        os="android" if u[3] < ANDROID_SHARE else "ios",
        registered_at=registered_at,
        last_active_at=last_active_at,
    )


def find_subscriber(msisdn: str, *, seed: int | None = None) -> Subscriber | None:
    """The subscriber with this number: a scenario's row if there is one, else the synthetic one."""
    seed = current_seed() if seed is None else seed
    row = SandboxSubscriber.objects.filter(msisdn=msisdn).first()
    if row is not None:
        if not row.installed:
            return None
        return Subscriber(
            msisdn=row.msisdn,
            phone_verified=row.phone_verified,
            province_code=row.province_code,
            os=row.os,
            registered_at=row.registered_at,
            last_active_at=row.last_active_at,
        )
    return synthetic_subscriber(seed, msisdn)
