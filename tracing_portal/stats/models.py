from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tracing_portal.core.models import TimeStampedModel


class SnapshotSource(models.TextChoices):
    BLUEZONE_API = "bluezone_api", _("Bluezone API (daily fetch)")
    IMPORT = "import", _("Imported file")
    BACKFILL = "backfill", _("Bluezone API (backfill)")


class InstallSnapshot(TimeStampedModel):
    """One province's Bluezone install figures on one day, as Bluezone reported them."""

    province = models.ForeignKey(
        "geo.Province",
        on_delete=models.PROTECT,
        related_name="install_snapshots",
        verbose_name=_("province"),
    )
    date = models.DateField(_("date"))
    installs = models.PositiveIntegerField(_("installs"))
    installs_with_phone = models.PositiveIntegerField(_("installs with a verified phone number"))
    smartphone_users = models.PositiveIntegerField(
        _("smartphone users"),
        null=True,
        blank=True,
        help_text=_("Empty where no figure for the province's smartphone users exists."),
    )
    source = models.CharField(_("source"), max_length=16, choices=SnapshotSource.choices)

    class Meta:
        verbose_name = _("install snapshot")
        verbose_name_plural = _("install snapshots")
        ordering = ["-date", "province_id"]
        permissions = [("view_dashboard", _("Can view the install and tracing dashboards"))]
        constraints = [
            # Also the (province, date) index used by a province's trend.
            models.UniqueConstraint(
                fields=["province", "date"], name="stats_snapshot_one_per_province_day"
            ),
            models.CheckConstraint(
                condition=Q(installs__gte=0) & Q(installs_with_phone__gte=0),
                name="stats_snapshot_installs_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(smartphone_users__isnull=True) | Q(smartphone_users__gte=0),
                name="stats_snapshot_smartphone_users_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(installs_with_phone__lte=models.F("installs")),
                name="stats_snapshot_with_phone_within_installs",
            ),
        ]
        indexes = [models.Index(fields=["date"], name="stats_snapshot_date_idx")]

    def __str__(self):
        return f"{self.province_id} {self.date:%Y-%m-%d}: {self.installs}"
