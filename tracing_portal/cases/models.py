from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tracing_portal.accounts.models import Agency
from tracing_portal.core.models import TimeStampedModel

from .phones import format_vn, mask

MAX_LEVEL = 5


class Level(models.IntegerChoices):
    F0 = 0, "F0"
    F1 = 1, "F1"
    F2 = 2, "F2"
    F3 = 3, "F3"
    F4 = 4, "F4"
    F5 = 5, "F5"


class F0Status(models.TextChoices):
    SUSPECTED = "suspected", _("Suspected")
    CONFIRMED = "confirmed", _("Confirmed")


class CaseStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    NEGATIVE = "negative", _("Negative")
    RECOVERED = "recovered", _("Recovered")
    DECEASED = "deceased", _("Deceased")
    RELEASED = "released", _("Released from quarantine")


class Sex(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")
    UNKNOWN = "unknown", _("Unknown")


class Relation(models.TextChoices):
    HOUSEHOLD = "household", _("Household")
    RELATIVE = "relative", _("Relative")
    WORKPLACE = "workplace", _("Workplace")
    NEIGHBOUR = "neighbour", _("Neighbour")
    TRAVEL = "travel", _("Travel")
    HEALTHCARE = "healthcare", _("Healthcare")
    BLUEZONE = "bluezone", _("Bluezone proximity")
    OTHER = "other", _("Other")


class BluezoneStatus(models.TextChoices):
    INSTALLED = "installed", _("Installed")
    NOT_INSTALLED = "not_installed", _("Not installed")
    UNKNOWN = "unknown", _("Unknown")


class Verification(models.TextChoices):
    PENDING = "pending", _("Pending")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Rejected")


class Quarantine(models.TextChoices):
    NONE = "none", _("Not in quarantine")
    HOME = "home", _("At home")
    FACILITY = "facility", _("In a facility")


class QuarantineFacility(TimeStampedModel):
    province = models.ForeignKey(
        "geo.Province", on_delete=models.PROTECT, related_name="+", verbose_name=_("province")
    )
    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("address"), max_length=300, blank=True)
    capacity = models.PositiveIntegerField(_("capacity"))

    class Meta:
        verbose_name = _("quarantine facility")
        verbose_name_plural = _("quarantine facilities")
        constraints = [
            models.UniqueConstraint(fields=["province", "name"], name="facility_unique_name"),
        ]

    def __str__(self):
        return self.name


class CaseCodeCounter(models.Model):
    """The last number issued for a province's readable case codes (HD-000123)."""

    province = models.OneToOneField(
        "geo.Province", on_delete=models.PROTECT, primary_key=True, related_name="+"
    )
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.province_id}: {self.last_number}"


class Case(TimeStampedModel):
    """A person in an investigation: an F0, or a contact F1..F5 under a source."""

    province = models.ForeignKey(
        "geo.Province",
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("province"),
        db_index=False,  # every index in Meta.indexes begins with it
    )
    code = models.CharField(_("code"), max_length=16, editable=False)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    f0_status = models.CharField(
        _("F0 classification"), max_length=10, choices=F0Status.choices, blank=True
    )
    status = models.CharField(
        _("status"), max_length=10, choices=CaseStatus.choices, default=CaseStatus.ACTIVE
    )
    full_name = models.CharField(_("full name"), max_length=150)
    name_folded = models.CharField(max_length=150, editable=False)
    year_of_birth = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices, default=Sex.UNKNOWN)
    national_id = models.CharField(_("national ID"), max_length=12, blank=True)
    phone = models.CharField(_("phone"), max_length=16, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    district = models.ForeignKey(
        "geo.District",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("district"),
        db_index=False,  # in Meta.indexes, without a LIKE index on its code
    )
    source = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contacts",
        verbose_name=_("source case"),
    )
    relation = models.CharField(
        _("relation to the source"), max_length=12, choices=Relation.choices, blank=True
    )
    exposure_date = models.DateField(_("exposure date"), null=True, blank=True)
    bluezone_status = models.CharField(
        _("Bluezone"),
        max_length=14,
        choices=BluezoneStatus.choices,
        default=BluezoneStatus.UNKNOWN,
    )
    bluezone_checked_at = models.DateTimeField(_("confirmed by Bluezone at"), null=True, blank=True)
    quarantine = models.CharField(
        _("quarantine"), max_length=10, choices=Quarantine.choices, default=Quarantine.NONE
    )
    facility = models.ForeignKey(
        QuarantineFacility,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("quarantine facility"),
        db_index=False,  # partial, in Meta.indexes
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("entered by"),
    )
    entering_agency = models.CharField(_("entering agency"), max_length=10, choices=Agency.choices)
    verification = models.CharField(
        _("verification"),
        max_length=10,
        choices=Verification.choices,
        default=Verification.PENDING,
    )
    classification_verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # partial, in Meta.indexes
    )
    classification_verified_at = models.DateTimeField(null=True, blank=True)
    identity_verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # partial, in Meta.indexes
    )
    identity_verified_at = models.DateTimeField(null=True, blank=True)
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # partial, in Meta.indexes
    )
    rejected_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_records",
        verbose_name=_("merged into"),
        db_index=False,  # partial, in Meta.indexes
    )
    flagged_for_tracing = models.BooleanField(
        _("flagged for Bluezone tracing"),
        default=False,
        help_text=_("CDC asks DIC to trace this contact through Bluezone as well."),
    )
    notes = models.TextField(_("notes"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["-created_at", "-id"]
        permissions = [
            ("verify_classification", _("Can verify a person's classification (CDC)")),
            ("verify_identity", _("Can verify a person's identity and phone (police)")),
            ("relevel_case", _("Can re-level a person (F1 tested positive, F0 negative)")),
            ("merge_case", _("Can merge duplicate people")),
            ("view_full_phone", _("Can see full phone numbers")),
        ]
        # The rules across rows (level = the source's level + 1, the source in the same
        # province; with both, no cycle) are triggers, not constraints here: migration
        # cases/0006_chain_rules_in_the_database. PostgreSQL checks them at commit, also for
        # a person's contacts when its level changes; SQLite, which cannot defer, checks each
        # written row against its own source at once.
        constraints = [
            # A constraint rather than unique=True: the same index, without the LIKE index
            # PostgreSQL would get beside it (a code fragment is searched by trigram).
            models.UniqueConstraint(fields=["code"], name="case_code_unique"),
            models.CheckConstraint(condition=Q(level__lte=MAX_LEVEL), name="case_level_max"),
            models.CheckConstraint(condition=~Q(source=F("id")), name="case_not_own_source"),
            # An F0 heads its chain: it has no source. A contact's source may be unknown.
            models.CheckConstraint(
                condition=Q(level__gte=1) | Q(source__isnull=True),
                name="case_f0_has_no_source",
            ),
            models.CheckConstraint(
                condition=Q(level=0) | Q(f0_status=""), name="case_f0_status_only_for_f0"
            ),
            models.CheckConstraint(
                condition=Q(quarantine="facility", facility__isnull=False)
                | (~Q(quarantine="facility") & Q(facility__isnull=True)),
                name="case_facility_iff_quarantined_there",
            ),
            models.CheckConstraint(
                condition=Q(year_of_birth__isnull=True)
                | Q(year_of_birth__gte=1900, year_of_birth__lte=2100),
                name="case_year_of_birth_range",
            ),
        ]
        # Each index is written on every insert: a 100,000-row import pays for each one.
        # Province-scoped queries use these composites; level, verification and name alone
        # are not indexed (few values, or the province's index and the trigram index serve).
        # References that are mostly empty are indexed where set, so a new person (none of
        # them set) costs those indexes nothing.
        indexes = [
            models.Index(fields=["province", "-created_at"], name="case_province_recent"),
            # A level's people, newest first: the people list and the API filtered by level.
            models.Index(
                fields=["province", "level", "-created_at", "-id"], name="case_level_recent"
            ),
            # The people waiting for verification, newest first; the dashboard's backlog.
            # (PostgreSQL reads the backlog's levels from the index alone.)
            models.Index(
                fields=["province", "verification", "-created_at"],
                include=["level", "merged_into"],
                name="case_queue",
            ),
            models.Index(fields=["province", "name_folded"], name="case_province_name"),
            # The dashboard's F0s verified in a date range.
            models.Index(fields=["province", "level", "verified_at"], name="case_verified_f0"),
            models.Index(fields=["phone"], name="case_phone"),
            models.Index(fields=["national_id"], name="case_national_id"),
            models.Index(fields=["district"], name="case_district"),
            *(
                models.Index(fields=[field], condition=Q(**{f"{field}__isnull": False}), name=name)
                for field, name in (
                    ("merged_into", "case_merged_into"),
                    ("facility", "case_facility"),
                    ("classification_verified_by", "case_classification_verifier"),
                    ("identity_verified_by", "case_identity_verifier"),
                    ("rejected_by", "case_rejected_by"),
                )
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.full_name}"

    def get_absolute_url(self):
        return reverse("cases:detail", kwargs={"code": self.code})

    @property
    def level_label(self) -> str:
        return f"F{self.level}"

    @property
    def phone_display(self) -> str:
        return format_vn(self.phone)

    @property
    def phone_masked(self) -> str:
        return mask(self.phone)


class ContactLink(TimeStampedModel):
    """A further known source of a person, beside `Case.source` (the one that sets the level).

    A person met two F0s, or an F1 became F0 and its old source is kept here.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="extra_links")
    source = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="extra_contacts")
    relation = models.CharField(max_length=12, choices=Relation.choices, blank=True)
    exposure_date = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("further source")
        verbose_name_plural = _("further sources")
        constraints = [
            models.UniqueConstraint(fields=["case", "source"], name="contact_link_unique"),
            models.CheckConstraint(condition=~Q(case=F("source")), name="contact_link_not_self"),
        ]

    def __str__(self):
        return f"{self.case_id} <- {self.source_id}"


class InstallAsk(models.Model):
    """A time a person was asked to install Bluezone."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="install_asks")
    asked_at = models.DateTimeField(db_index=True)
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(max_length=10, default="in_person")

    class Meta:
        ordering = ["-asked_at"]
        verbose_name = _("request to install Bluezone")
        verbose_name_plural = _("requests to install Bluezone")

    def __str__(self):
        return f"{self.case_id} {self.asked_at:%Y-%m-%d %H:%M}"


class HistoryKind(models.TextChoices):
    CREATED = "created", _("Created")
    UPDATED = "updated", _("Edited")
    VERIFIED_CLASSIFICATION = "verified_classification", _("Classification verified")
    VERIFIED_IDENTITY = "verified_identity", _("Identity and phone verified")
    REJECTED = "rejected", _("Rejected")
    RELEVELLED = "relevelled", _("Level changed")
    MERGED = "merged", _("Merged")
    ASKED_TO_INSTALL = "asked_to_install", _("Asked to install Bluezone")
    BLUEZONE_CHECKED = "bluezone_checked", _("Bluezone checked")


class CaseHistory(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="history")
    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=24, choices=HistoryKind.choices)
    version = models.PositiveIntegerField(help_text="The record's version after this change.")
    changes = models.JSONField(default=dict, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("history entry")
        verbose_name_plural = _("history")

    def __str__(self):
        return f"{self.case_id} {self.kind} v{self.version}"
