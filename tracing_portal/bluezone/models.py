"""The portal's side of Bluezone tracing: install lookups, trace requests, the contacts
Bluezone matched with their sightings, and their review as F1 candidates."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tracing_portal.core.models import TimeStampedModel

from .contract import TraceStatus


class LookupStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for Bluezone")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class Lookup(TimeStampedModel):
    """One check of a phone number against Bluezone: is the app installed with it?"""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="lookups")
    province = models.ForeignKey("geo.Province", on_delete=models.PROTECT, related_name="+")
    phone = models.CharField(_("phone"), max_length=16)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=20, default="on_demand")
    status = models.CharField(
        _("status"), max_length=8, choices=LookupStatus.choices, default=LookupStatus.PENDING
    )
    installed = models.BooleanField(_("installed"), null=True)
    phone_verified = models.BooleanField(null=True)
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("Bluezone lookup")
        verbose_name_plural = _("Bluezone lookups")
        indexes = [models.Index(fields=["status", "created_at"], name="lookup_pending")]

    def __str__(self):
        return f"{self.phone} {self.status}"


class TraceState(models.TextChoices):
    """Bluezone's statuses, plus the portal's own before Bluezone has answered."""

    OPENING = "opening", _("Opening")
    CODE_ISSUED = TraceStatus.CODE_ISSUED.value, TraceStatus.CODE_ISSUED.label
    UPLOADED = TraceStatus.UPLOADED.value, TraceStatus.UPLOADED.label
    MATCHING = TraceStatus.MATCHING.value, TraceStatus.MATCHING.label
    COMPLETED = TraceStatus.COMPLETED.value, TraceStatus.COMPLETED.label
    EXPIRED = TraceStatus.EXPIRED.value, TraceStatus.EXPIRED.label
    CANCELLED = TraceStatus.CANCELLED.value, TraceStatus.CANCELLED.label
    FAILED = "failed", _("Could not be opened")


OPEN_STATES = [TraceState.OPENING, TraceState.CODE_ISSUED, TraceState.UPLOADED, TraceState.MATCHING]
# The order a trace moves through; a status never moves backwards.
STATE_ORDER = {
    TraceState.OPENING: 0,
    TraceState.CODE_ISSUED: 1,
    TraceState.UPLOADED: 2,
    TraceState.MATCHING: 3,
    TraceState.COMPLETED: 4,
    TraceState.EXPIRED: 4,
    TraceState.CANCELLED: 4,
    TraceState.FAILED: 4,
}


class IngestState(models.TextChoices):
    NOT_READY = "not_ready", _("Waiting for Bluezone")
    PENDING = "pending", _("Fetching contacts")
    DONE = "done", _("Contacts fetched")


class TraceRequest(TimeStampedModel):
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.PROTECT,
        related_name="trace_requests",
        verbose_name=_("person"),
    )
    province = models.ForeignKey("geo.Province", on_delete=models.PROTECT, related_name="+")
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("opened by"),
    )
    msisdn = models.CharField(max_length=15)
    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    bluezone_id = models.CharField(max_length=64, null=True, blank=True, unique=True)
    status = models.CharField(
        _("status"), max_length=12, choices=TraceState.choices, default=TraceState.OPENING
    )
    verification_code = models.CharField(_("verification code"), max_length=6, blank=True)
    code_expires_at = models.DateTimeField(_("code expires at"), null=True, blank=True)
    uploaded_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    sightings_count = models.PositiveIntegerField(null=True, blank=True)
    contacts_count = models.PositiveIntegerField(null=True, blank=True)
    ingest_state = models.CharField(
        max_length=10, choices=IngestState.choices, default=IngestState.NOT_READY
    )
    ingested_at = models.DateTimeField(null=True, blank=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("trace request")
        verbose_name_plural = _("trace requests")
        permissions = [
            ("open_trace", _("Can open and cancel Bluezone trace requests")),
            ("review_candidate", _("Can accept or reject F1 candidates")),
            ("request_lookup", _("Can check a phone number against Bluezone")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(status__in=OPEN_STATES),
                name="trace_one_open_per_person",
            ),
        ]
        indexes = [
            models.Index(fields=["province", "-created_at"], name="trace_province_recent"),
            models.Index(fields=["status", "ingest_state"], name="trace_open"),
            # A person's first trace since a time (the dashboard's verification-to-trace delay).
            models.Index(fields=["case", "created_at"], name="trace_case_created"),
        ]

    def __str__(self):
        return f"{self.case.code} · {self.get_status_display()}"

    def get_absolute_url(self):
        return reverse("bluezone:trace_detail", kwargs={"pk": self.pk})

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATES


class TraceEvent(models.Model):
    """The status timeline of a trace request, one row per status reached."""

    trace = models.ForeignKey(TraceRequest, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(max_length=12, choices=TraceState.choices)
    occurred_at = models.DateTimeField()
    source = models.CharField(max_length=10)  # portal, webhook, poll

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["trace", "status"], name="trace_event_once"),
        ]

    def __str__(self):
        return f"{self.trace_id} {self.status}"


class WebhookReceipt(models.Model):
    """Each webhook accepted; the unique key turns a replay away."""

    bluezone_id = models.CharField(max_length=64)
    status = models.CharField(max_length=12)
    occurred_at = models.DateTimeField()
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["bluezone_id", "status", "occurred_at"], name="webhook_once"
            ),
        ]

    def __str__(self):
        return f"{self.bluezone_id} {self.status}"


class Review(models.TextChoices):
    PENDING = "pending", _("To review")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class TracedContact(models.Model):
    """A phone Bluezone found near the F0, with its exposure score. Those at or above the
    threshold are F1 candidates for CDC to review."""

    trace = models.ForeignKey(TraceRequest, on_delete=models.CASCADE, related_name="contacts")
    contact_id = models.CharField(max_length=64)
    phone = models.CharField(_("phone"), max_length=16, blank=True)
    province_code = models.CharField(max_length=2, blank=True)
    sightings_count = models.PositiveIntegerField()
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()
    raw_minutes = models.FloatField(_("minutes near"))
    weighted_minutes = models.FloatField(_("weighted minutes"), db_index=True)
    minutes_by_bucket = models.JSONField(default=dict)
    windows = models.JSONField(default=list)
    is_candidate = models.BooleanField(default=False)
    matched_case = models.ForeignKey(
        "cases.Case",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("already on file"),
    )
    review = models.CharField(max_length=10, choices=Review.choices, default=Review.PENDING)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reject_reason = models.CharField(_("reason"), max_length=300, blank=True)
    resulting_case = models.ForeignKey(
        "cases.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-weighted_minutes", "id"]
        verbose_name = _("traced contact")
        verbose_name_plural = _("traced contacts")
        constraints = [
            models.UniqueConstraint(fields=["trace", "contact_id"], name="contact_once_per_trace"),
        ]
        indexes = [models.Index(fields=["trace", "is_candidate", "review"], name="candidates")]

    def __str__(self):
        return f"{self.trace_id}:{self.contact_id}"


class Sighting(models.Model):
    """One raw sighting of a contact's phone by the F0's phone (kept 21 days)."""

    id = models.BigAutoField(primary_key=True)
    contact = models.ForeignKey(TracedContact, on_delete=models.CASCADE, related_name="sightings")
    seen_at = models.DateTimeField()
    rssi = models.SmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["contact", "seen_at"], name="sighting_once"),
        ]

    def __str__(self):
        return f"{self.contact_id} {self.seen_at} {self.rssi}"
