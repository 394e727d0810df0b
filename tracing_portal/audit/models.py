from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    LOGIN = "login", _("Signed in")
    PHONE_VIEWED = "phone_viewed", _("Full phone number viewed")
    CHAIN_VIEWED = "chain_viewed", _("Transmission chain picture viewed")
    CASE_CREATED = "case_created", _("Person created")
    CASE_UPDATED = "case_updated", _("Person edited")
    CASE_VERIFIED = "case_verified", _("Person verified")
    CASE_REJECTED = "case_rejected", _("Person rejected")
    CASE_RELEVELLED = "case_relevelled", _("Person re-levelled")
    CASE_MERGED = "case_merged", _("Duplicates merged")
    CASE_ASKED_TO_INSTALL = "case_asked_to_install", _("Asked to install Bluezone")
    LOOKUP = "lookup", _("Bluezone lookup")
    TRACE_OPENED = "trace_opened", _("Trace request opened")
    TRACE_CANCELLED = "trace_cancelled", _("Trace request cancelled")
    CANDIDATE_ACCEPTED = "candidate_accepted", _("Candidate accepted")
    CANDIDATE_REJECTED = "candidate_rejected", _("Candidate rejected")
    SMS_SENT = "sms_sent", _("SMS sent")
    EXPORTED = "exported", _("Data exported")
    IMPORTED = "imported", _("Data imported")
    USER_CHANGED = "user_changed", _("User account changed")
    DATA_REPORT = "data_report", _("Personal data report")
    RETENTION = "retention", _("Retention run")


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("Audit events are append-only.")

    def delete(self):
        raise PermissionError("Audit events are append-only.")


class AuditEvent(models.Model):
    """Append-only: rows are inserted by `audit.services.audit_record` and never changed."""

    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    action = models.CharField(_("action"), max_length=32, choices=AuditAction.choices)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    province = models.ForeignKey(
        "geo.Province",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("province"),
    )
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        permissions = [
            ("report_personal_data", _("Can report everything held about a phone number")),
        ]
        indexes = [
            models.Index(fields=["province", "-created_at"]),
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["action", "-created_at"]),
        ]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit events are append-only.")
