from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tracing_portal.core.models import TimeStampedModel


class ImportKind(models.TextChoices):
    PEOPLE = "people", _("People (F0, F1, F2…)")
    FACILITIES = "facilities", _("Quarantine facilities")
    SNAPSHOTS = "snapshots", _("Bluezone install figures")


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded")
    VALIDATING = "validating", _("Checking the file")
    READY = "ready", _("Checked: waiting for confirmation")
    REJECTED = "rejected", _("The file cannot be read")
    CONFIRMED = "confirmed", _("Confirmed: waiting to import")
    IMPORTING = "importing", _("Importing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Import failed")
    CANCELLED = "cancelled", _("Cancelled")


# Statuses in which a worker is (or will be) busy with the job: the page polls them.
ACTIVE_STATUSES = {
    ImportStatus.UPLOADED,
    ImportStatus.VALIDATING,
    ImportStatus.CONFIRMED,
    ImportStatus.IMPORTING,
}


def _upload_to(job: "ImportJob", filename: str) -> str:
    return f"exchange/imports/{job.created_at:%Y/%m}/{filename}"


class ImportJob(TimeStampedModel):
    """One uploaded spreadsheet: checked as a dry run (the preview), then, once the user
    confirms, imported by a worker. Counts and the first errors are kept for the page; the
    full list of bad rows is in the error files."""

    kind = models.CharField(_("what is imported"), max_length=12, choices=ImportKind.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=ImportStatus.choices, default=ImportStatus.UPLOADED
    )
    province = models.ForeignKey(
        "geo.Province", on_delete=models.PROTECT, related_name="+", verbose_name=_("province")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    language = models.CharField(max_length=8, default="vi")
    file = models.FileField(_("file"), upload_to=_upload_to, blank=True, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    size_bytes = models.PositiveBigIntegerField(_("size"), default=0)
    file_format = models.CharField(_("format"), max_length=8, blank=True)
    encoding = models.CharField(_("encoding"), max_length=16, blank=True)
    valid_rows_only = models.BooleanField(_("import the valid rows only"), default=False)

    total_rows = models.PositiveIntegerField(_("rows in the file"), default=0)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    to_create = models.PositiveIntegerField(_("rows to create"), default=0)
    to_update = models.PositiveIntegerField(_("rows to update"), default=0)
    unchanged = models.PositiveIntegerField(_("rows unchanged"), default=0)
    error_rows = models.PositiveIntegerField(_("rows with errors"), default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    skipped_count = models.PositiveIntegerField(_("skipped"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    notes = models.JSONField(_("notes"), default=list, blank=True)
    message = models.TextField(_("message"), blank=True)
    error_file = models.FileField(upload_to="exchange/errors/%Y/%m/", blank=True, max_length=300)
    error_csv = models.FileField(upload_to="exchange/errors/%Y/%m/", blank=True, max_length=300)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        permissions = [
            ("import_data", _("Can import spreadsheets of people, facilities and figures")),
            ("export_data", _("Can export spreadsheets of people and reports")),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="import_progress_max"),
        ]
        indexes = [
            models.Index(fields=["created_by", "-created_at"], name="import_job_owner_recent"),
            models.Index(fields=["status", "updated_at"], name="import_job_status"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.original_name}"

    def get_absolute_url(self):
        return reverse("exchange:job", kwargs={"pk": self.pk})

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def can_confirm(self) -> bool:
        return self.status == ImportStatus.READY and self.to_create + self.to_update > 0
