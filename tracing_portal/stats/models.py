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


class PeopleDay(models.Model):
    """People entered on one day (Asia/Ho_Chi_Minh) in one province, by level, status,
    Bluezone status, F0 classification and verification, merged duplicates left out: the
    dashboard's counts, read instead of aggregating a wave month's people (100,000 rows).

    On PostgreSQL, statement triggers on the people table add a row of changes for every
    write, in the same transaction: a form, a service, an import's COPY, a merge, a deletion
    (migration 0002). A count is the sum of its rows. Rows are only ever added, so writers
    never wait on one another (an import holding a counter row would stall every form of its
    province until it commits); `people_days_compact` folds them together every few minutes.
    On other databases the table stays empty and the dashboard aggregates the people table.
    """

    province = models.ForeignKey(
        "geo.Province", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    day = models.DateField()
    level = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=10)
    bluezone_status = models.CharField(max_length=14)
    f0_status = models.CharField(max_length=10)
    verification = models.CharField(max_length=10)
    people = models.IntegerField()

    class Meta:
        indexes = [models.Index(fields=["province", "day"], name="stats_peopleday_province_day")]

    def __str__(self):
        return f"{self.province_id} {self.day} F{self.level}: {self.people:+d}"
