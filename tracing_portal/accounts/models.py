from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from .roles import Role


class Agency(models.TextChoices):
    CDC = "cdc", _("CDC")
    POLICE = "police", _("Provincial police")
    DIC = "dic", _("Department of Information and Communications")
    HEALTH = "health", _("Department of Health")


class User(AbstractUser):
    full_name = models.CharField(_("full name"), max_length=150)
    agency = models.CharField(_("agency"), max_length=10, choices=Agency.choices)
    province = models.ForeignKey(
        "geo.Province",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("province"),
        help_text=_("Empty only for national administrators."),
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        permissions = [
            ("manage_province_users", _("Can manage the users of their own province")),
            ("view_all_provinces", _("Can see every province")),
        ]

    def __str__(self):
        return self.full_name or self.username

    def clean(self):
        super().clean()
        if self.province_id is None and not self.is_superuser and self.pk:
            if not self.groups.filter(name=Role.NATIONAL_ADMIN).exists():
                raise ValidationError(
                    {"province": _("Only national administrators may have no province.")}
                )

    @cached_property
    def role_names(self) -> frozenset[str]:
        return frozenset(self.groups.values_list("name", flat=True))

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_names.intersection(roles))

    @property
    def primary_role(self) -> str | None:
        for role in Role.values:
            if role in self.role_names:
                return role
        return None

    @property
    def primary_role_label(self) -> str:
        role = self.primary_role
        return Role(role).label if role else ""

    @property
    def sees_all_provinces(self) -> bool:
        return self.is_superuser or self.has_perm("accounts.view_all_provinces")


class Invitation(models.Model):
    """A single-use link by which a person sets the password of an account an administrator
    made for them. Only a hash of the link's secret is stored."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("user")
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")),
                name="invitation_expires_after_creation",
            ),
        ]

    def __str__(self):
        return f"{self.user} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_usable(self) -> bool:
        return self.used_at is None and self.revoked_at is None and self.expires_at > timezone.now()
