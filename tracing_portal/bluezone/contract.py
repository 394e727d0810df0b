"""The Bluezone API contract as types: what the portal reads from Bluezone (BLUEZONE_API.md).

This is the one place in the portal where the shapes of Bluezone's answers live. The
client (client.py) parses every response into these frozen dataclasses; nothing else in
the portal reads Bluezone's JSON.
"""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class TraceStatus(models.TextChoices):
    CODE_ISSUED = "code_issued", _("Code issued")
    UPLOADED = "uploaded", _("History uploaded")
    MATCHING = "matching", _("Matching")
    COMPLETED = "completed", _("Completed")
    EXPIRED = "expired", _("Code expired")
    CANCELLED = "cancelled", _("Cancelled")


# Bluezone allows one open request per number; the others are final.
OPEN_TRACE_STATUSES = frozenset(
    {TraceStatus.CODE_ISSUED, TraceStatus.UPLOADED, TraceStatus.MATCHING}
)
FINAL_TRACE_STATUSES = frozenset(
    {TraceStatus.COMPLETED, TraceStatus.EXPIRED, TraceStatus.CANCELLED}
)

WEBHOOK_EVENT = "trace_request.updated"


def _time(value: Any) -> datetime | None:
    if value is None:
        return None
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError(f"time without an offset: {value!r}")
    return parsed


def _int(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"not an integer: {value!r}")
    return value


@dataclass(frozen=True, slots=True)
class Subscriber:
    msisdn: str
    installed: bool
    phone_verified: bool
    registered_at: datetime | None
    last_active_at: datetime | None
    os: str
    province_code: str | None

    @classmethod
    def from_json(cls, data: dict) -> "Subscriber":
        return cls(
            msisdn=str(data["msisdn"]),
            installed=bool(data["installed"]),
            phone_verified=bool(data["phone_verified"]),
            registered_at=_time(data.get("registered_at")),
            last_active_at=_time(data.get("last_active_at")),
            os=str(data["os"]),
            province_code=data.get("province_code"),
        )


@dataclass(frozen=True, slots=True)
class TraceRequest:
    """A trace request. The code and its expiry come only in the answer that creates it."""

    id: str
    status: TraceStatus
    verification_code: str | None = None
    code_expires_at: datetime | None = None
    created_at: datetime | None = None
    uploaded_at: datetime | None = None
    sightings_count: int | None = None
    contacts_count: int | None = None
    completed_at: datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_TRACE_STATUSES

    @classmethod
    def from_json(cls, data: dict) -> "TraceRequest":
        return cls(
            id=str(data["id"]),
            status=TraceStatus(data["status"]),
            verification_code=data.get("verification_code"),
            code_expires_at=_time(data.get("code_expires_at")),
            created_at=_time(data.get("created_at")),
            uploaded_at=_time(data.get("uploaded_at")),
            sightings_count=_int(data.get("sightings_count")),
            contacts_count=_int(data.get("contacts_count")),
            completed_at=_time(data.get("completed_at")),
        )


@dataclass(frozen=True, slots=True)
class Sighting:
    t: datetime
    rssi: int

    @classmethod
    def from_json(cls, data: dict) -> "Sighting":
        return cls(t=_time(data["t"]), rssi=_int(data["rssi"]))


@dataclass(frozen=True, slots=True)
class Contact:
    contact_id: str
    msisdn: str | None
    province_code: str | None
    sightings: list[Sighting]

    @classmethod
    def from_json(cls, data: dict) -> "Contact":
        return cls(
            contact_id=str(data["contact_id"]),
            msisdn=data.get("msisdn"),
            province_code=data.get("province_code"),
            sightings=[Sighting.from_json(s) for s in data["sightings"]],
        )


@dataclass(frozen=True, slots=True)
class ContactsPage:
    contacts: list[Contact]
    next_cursor: str | None

    @classmethod
    def from_json(cls, data: dict) -> "ContactsPage":
        return cls(
            contacts=[Contact.from_json(c) for c in data["contacts"]],
            next_cursor=data.get("next_cursor") or None,
        )


@dataclass(frozen=True, slots=True)
class ProvinceInstalls:
    province_code: str
    installs: int
    installs_with_phone: int
    smartphone_users: int | None

    @classmethod
    def from_json(cls, data: dict) -> "ProvinceInstalls":
        return cls(
            province_code=str(data["province_code"]),
            installs=_int(data["installs"]),
            installs_with_phone=_int(data["installs_with_phone"]),
            smartphone_users=_int(data.get("smartphone_users")),
        )


@dataclass(frozen=True, slots=True)
class InstallStats:
    date: date
    provinces: list[ProvinceInstalls]

    @classmethod
    def from_json(cls, data: dict) -> "InstallStats":
        return cls(
            date=date.fromisoformat(data["date"]),
            provinces=[ProvinceInstalls.from_json(p) for p in data["provinces"]],
        )


@dataclass(frozen=True, slots=True)
class WebhookEvent:
    """The body of Bluezone's webhook. (id, status, occurred_at) identifies a delivery."""

    event: str
    id: str
    status: TraceStatus
    occurred_at: datetime

    @classmethod
    def from_json(cls, data: dict) -> "WebhookEvent":
        return cls(
            event=str(data["event"]),
            id=str(data["id"]),
            status=TraceStatus(data["status"]),
            occurred_at=_time(data["occurred_at"]),
        )
