from django.db import models
from django.utils import timezone


class SandboxSms(models.Model):
    """A message the sandbox operator accepted. One row per client_ref: a repeated request
    with the same client_ref is the same message and is not delivered again."""

    message_id = models.CharField(max_length=40, unique=True)
    client_ref = models.CharField(max_length=200, unique=True)
    request_hash = models.CharField(max_length=64)
    msisdn = models.CharField(max_length=16, db_index=True)
    sender = models.CharField(max_length=16)
    text = models.TextField()
    encoding = models.CharField(max_length=8)
    callback_url = models.URLField(max_length=500, blank=True)
    submissions = models.PositiveIntegerField(default=1)
    # What the handset network will report: "delivered", or "failed" with an error code.
    outcome = models.CharField(max_length=10, default="delivered")
    outcome_error = models.CharField(max_length=40, blank=True)
    status = models.CharField(max_length=10, default="accepted")
    received_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)
    receipt_attempts = models.PositiveSmallIntegerField(default=0)
    receipt_sent_at = models.DateTimeField(null=True, blank=True)
    receipt_response = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self):
        return f"{self.message_id} -> {self.msisdn} ({self.status})"
