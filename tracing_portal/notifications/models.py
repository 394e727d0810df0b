from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tracing_portal.cases.phones import mask
from tracing_portal.core.models import TimeStampedModel

from .text import TemplateTextError, template_placeholders
from .variables import VARIABLES


class TemplateKind(models.TextChoices):
    VERIFICATION_CODE = "verification_code", _("Verification code (F0)")
    EXPOSURE_NOTICE = "exposure_notice", _("Exposure notice (F1)")
    INSTALL_REQUEST = "install_request", _("Please install Bluezone")
    REMINDER = "reminder", _("Reminder")


# Placeholders a kind cannot do without: a code message without the code is useless.
REQUIRED_VARIABLES = {
    TemplateKind.VERIFICATION_CODE: ["ma_xac_thuc", "het_han"],
    TemplateKind.EXPOSURE_NOTICE: ["ngay_tiep_xuc"],
}


class Encoding(models.TextChoices):
    GSM7 = "gsm7", _("GSM-7 (no diacritics)")
    UCS2 = "ucs2", _("UCS-2 (Unicode)")


class SmsStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


class SmsTemplate(TimeStampedModel):
    """A message text with placeholders. A template without a province is the default; a
    province's own template of the same kind replaces it there."""

    kind = models.CharField(_("kind"), max_length=20, choices=TemplateKind.choices)
    province = models.ForeignKey(
        "geo.Province",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("province"),
        help_text=_("Empty: the default for every province without its own template."),
    )
    body = models.TextField(
        _("text"),
        help_text=_(
            "Write it with diacritics; messages go without them unless the sender chooses "
            "otherwise. Placeholders: {ho_ten}, {ma}, {tinh}, {dau_so}, {ngay_tiep_xuc}, "
            "{ma_xac_thuc}, {het_han}. Write {{ and }} for a literal brace."
        ),
    )
    is_active = models.BooleanField(_("in use"), default=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("last changed by"),
    )

    class Meta:
        ordering = ["kind", "province_id"]
        verbose_name = _("SMS template")
        verbose_name_plural = _("SMS templates")
        constraints = [
            models.UniqueConstraint(fields=["kind", "province"], name="sms_template_unique_kind"),
            models.UniqueConstraint(
                fields=["kind"],
                condition=Q(province__isnull=True),
                name="sms_template_unique_default",
            ),
        ]

    def __str__(self):
        where = self.province.short_name if self.province_id else _("all provinces")
        return f"{self.get_kind_display()} ({where})"

    def clean(self):
        super().clean()
        try:
            used = template_placeholders(self.body or "", known=VARIABLES)
        except TemplateTextError as exc:
            if exc.code == "brace":
                message = _("A brace is not closed. Write {{ and }} for a literal brace.")
                raise ValidationError({"body": message}) from exc
            raise ValidationError(
                {
                    "body": _("Unknown placeholder %(names)s. The placeholders are: %(known)s.")
                    % {
                        "names": ", ".join(f"{{{n}}}" for n in exc.names),
                        "known": ", ".join(f"{{{n}}}" for n in VARIABLES),
                    }
                }
            ) from exc
        missing = [n for n in REQUIRED_VARIABLES.get(self.kind, []) if n not in used]
        if missing:
            raise ValidationError(
                {
                    "body": _("This kind of message must contain %(names)s.")
                    % {"names": ", ".join(f"{{{n}}}" for n in missing)}
                }
            )


def idempotency_key(*, case_id: int, template_kind: str, purpose: str) -> str:
    """One notice of a kind, for a purpose, per person; a deliberate resend adds ":r1"..."""
    return f"case:{case_id}:{template_kind}:{purpose}"


class SmsMessage(models.Model):
    """One SMS from the short code. Rows are never deleted: they are the record of what was
    sent to whom."""

    recipient = models.CharField(_("recipient"), max_length=16, help_text="E.164")
    body = models.TextField(_("text"))
    encoding = models.CharField(_("encoding"), max_length=4, choices=Encoding.choices)
    segments = models.PositiveSmallIntegerField(_("parts"))
    sender = models.CharField(_("sender"), max_length=16)
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sms_messages",
        verbose_name=_("person"),
    )
    template = models.ForeignKey(
        SmsTemplate,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="messages",
        verbose_name=_("template"),
    )
    template_kind = models.CharField(
        _("kind"), max_length=20, choices=TemplateKind.choices, blank=True
    )
    purpose = models.CharField(_("purpose"), max_length=64)
    status = models.CharField(
        _("status"), max_length=10, choices=SmsStatus.choices, default=SmsStatus.QUEUED
    )
    provider_id = models.CharField(_("operator's message id"), max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.CharField(_("error"), max_length=300, blank=True)
    idempotency_key = models.CharField(max_length=200)
    resend_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="resends",
        verbose_name=_("resend of"),
    )
    resend_number = models.PositiveSmallIntegerField(default=0)
    with_diacritics = models.BooleanField(_("with diacritics"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("sent by"),
    )
    province = models.ForeignKey(
        "geo.Province", on_delete=models.PROTECT, related_name="+", verbose_name=_("province")
    )
    queued_at = models.DateTimeField(_("queued at"))
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    # When the next try is due; a queued message long past it lost its worker and is re-queued.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    failed_at = models.DateTimeField(_("failed at"), null=True, blank=True)

    class Meta:
        ordering = ["-queued_at", "-id"]
        verbose_name = _("SMS")
        verbose_name_plural = _("SMS messages")
        permissions = [
            ("send_sms", _("Can send SMS from the short code")),
            ("view_sms_figures", _("Can see SMS delivery figures")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["idempotency_key"], name="sms_unique_idempotency_key"),
            models.CheckConstraint(condition=Q(segments__gte=1), name="sms_segments_positive"),
            models.CheckConstraint(
                condition=~Q(status="delivered") | Q(delivered_at__isnull=False),
                name="sms_delivered_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="failed") | Q(failed_at__isnull=False),
                name="sms_failed_has_time",
            ),
            models.CheckConstraint(
                condition=Q(resend_number=0, resend_of__isnull=True)
                | Q(resend_number__gte=1, resend_of__isnull=False),
                name="sms_resend_has_original",
            ),
        ]
        indexes = [
            models.Index(fields=["province", "-queued_at"], name="sms_province_recent"),
            models.Index(fields=["status", "next_attempt_at"], name="sms_status_due"),
            models.Index(fields=["recipient", "queued_at"], name="sms_recipient_day"),
            models.Index(fields=["created_by", "queued_at"], name="sms_operator_day"),
            models.Index(fields=["provider_id"], name="sms_provider_id"),
        ]

    def __str__(self):
        return f"SMS {self.pk or '-'} {self.template_kind} {self.recipient_masked}"

    @property
    def recipient_masked(self) -> str:
        return mask(self.recipient)

    @property
    def status_badge(self) -> str:
        return {
            SmsStatus.DELIVERED: "badge-ok",
            SmsStatus.FAILED: "badge-danger",
            SmsStatus.SENT: "badge-warn",
        }.get(self.status, "")


class ReceiptStatus(models.TextChoices):
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


class SmsDeliveryReceipt(models.Model):
    """One delivery receipt from the operator. The unique key makes a replayed callback a
    no-op."""

    message = models.ForeignKey(SmsMessage, on_delete=models.CASCADE, related_name="receipts")
    provider_id = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=ReceiptStatus.choices)
    occurred_at = models.DateTimeField()
    error_code = models.CharField(max_length=64, blank=True)
    received_at = models.DateTimeField()
    payload = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-occurred_at"]
        verbose_name = _("delivery receipt")
        verbose_name_plural = _("delivery receipts")
        constraints = [
            models.UniqueConstraint(
                fields=["provider_id", "status", "occurred_at"], name="sms_receipt_unique"
            ),
        ]

    def __str__(self):
        return f"{self.provider_id} {self.status} {self.occurred_at:%Y-%m-%d %H:%M:%S}"
