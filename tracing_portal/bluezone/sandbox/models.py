"""The sandbox's own tables. They stand in for Bluezone's back end, not for the portal."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MAX_CODE_ATTEMPTS = 5


class SandboxTraceStatus(models.TextChoices):
    CODE_ISSUED = "code_issued", _("Code issued")
    UPLOADED = "uploaded", _("Uploaded")
    MATCHING = "matching", _("Matching")
    COMPLETED = "completed", _("Completed")
    EXPIRED = "expired", _("Expired")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATUSES = (
    SandboxTraceStatus.CODE_ISSUED,
    SandboxTraceStatus.UPLOADED,
    SandboxTraceStatus.MATCHING,
)


class SandboxSubscriber(models.Model):
    """A subscriber set up by a scenario. It wins over the synthetic population."""

    class Os(models.TextChoices):
        ANDROID = "android", "Android"
        IOS = "ios", "iOS"

    msisdn = models.CharField(max_length=11, unique=True)
    installed = models.BooleanField(default=True)
    phone_verified = models.BooleanField(default=True)
    province_code = models.CharField(max_length=2)
    os = models.CharField(max_length=7, choices=Os.choices, default=Os.ANDROID)
    registered_at = models.DateTimeField(default=timezone.now)
    last_active_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "sandbox subscriber"

    def __str__(self):
        return self.msisdn


class SandboxTraceRequest(models.Model):
    id = models.CharField(primary_key=True, max_length=40, editable=False)
    msisdn = models.CharField(max_length=11, db_index=True)
    case_ref = models.CharField(max_length=100)
    window_days = models.PositiveSmallIntegerField(default=14)
    callback_url = models.URLField(max_length=500)
    status = models.CharField(
        max_length=12, choices=SandboxTraceStatus.choices, default=SandboxTraceStatus.CODE_ISSUED
    )
    verification_code = models.CharField(max_length=6)
    code_expires_at = models.DateTimeField()
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    uploaded_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    expired_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    sightings_count = models.PositiveIntegerField(null=True, blank=True)
    contacts_count = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = "sandbox trace request"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["msisdn"],
                condition=models.Q(status__in=[s.value for s in OPEN_STATUSES]),
                name="bz_sandbox_one_open_request_per_msisdn",
            ),
            models.CheckConstraint(
                condition=models.Q(window_days__gte=1, window_days__lte=14),
                name="bz_sandbox_window_days_1_to_14",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=SandboxTraceStatus.values),
                name="bz_sandbox_trace_status_valid",
            ),
        ]

    def __str__(self):
        return f"{self.id} ({self.status})"

    @property
    def is_locked(self) -> bool:
        return self.failed_attempts >= MAX_CODE_ATTEMPTS


class SandboxIdempotencyKey(models.Model):
    """The first answer given to an Idempotency-Key, replayed for a repeat of the same call."""

    key = models.CharField(max_length=255, unique=True)
    fingerprint = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField()
    response_body = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "sandbox idempotency key"

    def __str__(self):
        return self.key


class SandboxMeeting(models.Model):
    """Two numbers that met: a trace of either lists the other as a near, long contact."""

    msisdn_a = models.CharField(max_length=11, db_index=True)
    msisdn_b = models.CharField(max_length=11, db_index=True)
    minutes = models.PositiveSmallIntegerField(default=40)
    rssi = models.SmallIntegerField(default=-60)
    days_ago = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "sandbox meeting"
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(msisdn_a=models.F("msisdn_b")),
                name="bz_sandbox_meeting_two_numbers",
            ),
            models.CheckConstraint(
                condition=models.Q(minutes__gte=1, minutes__lte=24 * 60),
                name="bz_sandbox_meeting_minutes_range",
            ),
            models.CheckConstraint(
                condition=models.Q(rssi__gte=-110, rssi__lte=-20),
                name="bz_sandbox_meeting_rssi_range",
            ),
        ]

    def __str__(self):
        return f"{self.msisdn_a} ↔ {self.msisdn_b}"


class SandboxWebhookDelivery(models.Model):
    class Outcome(models.TextChoices):
        DELIVERED = "delivered", "delivered"
        REJECTED = "rejected", "rejected (non-2xx answer)"
        FAILED = "failed", "failed (connection error or timeout)"
        LOST = "lost", "lost (fault injection: never sent)"

    trace_request = models.ForeignKey(
        SandboxTraceRequest, on_delete=models.CASCADE, related_name="webhook_deliveries"
    )
    status = models.CharField(max_length=12, choices=SandboxTraceStatus.choices)
    url = models.URLField(max_length=500)
    body = models.TextField()
    timestamp = models.CharField(max_length=20)
    signature = models.CharField(max_length=80)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "sandbox webhook delivery"
        ordering = ["id"]

    def __str__(self):
        return f"{self.trace_request_id} {self.status} {self.outcome}"
