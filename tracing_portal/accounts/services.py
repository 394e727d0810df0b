"""Writes to user accounts: invitations, two-step sign-in devices, unlocking. Each records
its audit event."""

import hashlib
import secrets
from base64 import b32encode
from dataclasses import dataclass
from datetime import timedelta

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import verify_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tracing_portal.audit.models import AuditAction
from tracing_portal.audit.services import audit_record
from tracing_portal.core.exceptions import ApplicationError

from .models import Invitation, User
from .roles import Role
from .selectors import user_can_manage

INVITATION_SALT = "accounts.invitation"
TOTP_DEVICE_NAME = "Authenticator app"
BACKUP_DEVICE_NAME = "Backup codes"
BACKUP_CODES = 10


class InvitationError(ApplicationError):
    """An invitation link that cannot be used; `reason` is expired, used or invalid."""

    def __init__(self, message, *, reason: str):
        super().__init__(message, extra={"reason": reason})
        self.reason = reason


@dataclass(frozen=True)
class IssuedInvitation:
    invitation: Invitation
    token: str  # goes in the link; never stored


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


# Users and invitations


def _check_can_manage(actor, *, province_id, role: str) -> None:
    if not actor.has_perm("accounts.manage_province_users"):
        raise ApplicationError(_("Only administrators create and change user accounts."))
    if role == Role.NATIONAL_ADMIN and not actor.sees_all_provinces:
        raise ApplicationError(_("Only national administrators create national administrators."))
    if role != Role.NATIONAL_ADMIN and province_id is None:
        raise ApplicationError(_("Only national administrators may have no province."))
    if not actor.sees_all_provinces and province_id != actor.province_id:
        raise ApplicationError(_("You can create accounts in your own province only."))


@transaction.atomic
def user_create(
    *,
    actor,
    username: str,
    full_name: str,
    agency: str,
    role: str,
    province_id: str | None,
    email: str = "",
    phone: str = "",
) -> IssuedInvitation:
    """An administrator makes an account without a password; the person sets it through
    the invitation link returned here (shown once)."""
    if role == Role.NATIONAL_ADMIN:
        province_id = None
    _check_can_manage(actor, province_id=province_id, role=role)
    user = User(
        username=username.strip(),
        full_name=" ".join(full_name.split()),
        agency=agency,
        province_id=province_id,
        email=email.strip(),
        phone=phone.strip(),
        is_staff=role in (Role.PROVINCE_ADMIN, Role.NATIONAL_ADMIN),
    )
    user.set_unusable_password()
    user.full_clean()
    user.save()
    user.groups.add(Group.objects.get(name=role))
    audit_record(
        actor=actor,
        action=AuditAction.USER_CHANGED,
        obj=user,
        details={"event": "created", "role": role, "agency": agency},
    )
    return invitation_issue(actor=actor, user=user)


@transaction.atomic
def invitation_issue(*, actor, user: User) -> IssuedInvitation:
    """A new link for the user; any earlier unused link stops working."""
    if not user_can_manage(actor=actor, user=user):
        raise ApplicationError(_("You cannot manage this account."))
    now = timezone.now()
    Invitation.objects.filter(user=user, used_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=now
    )
    secret = secrets.token_urlsafe(32)
    invitation = Invitation(
        user=user,
        token_hash=_hash(secret),
        created_by=actor,
        created_at=now,
        expires_at=now + timedelta(hours=settings.INVITATION_TTL_HOURS),
    )
    invitation.full_clean()
    invitation.save()
    token = signing.dumps({"i": invitation.pk, "s": secret}, salt=INVITATION_SALT, compress=True)
    audit_record(
        actor=actor,
        action=AuditAction.USER_CHANGED,
        obj=user,
        details={"event": "invitation_issued", "expires_at": invitation.expires_at.isoformat()},
    )
    return IssuedInvitation(invitation=invitation, token=token)


def invitation_check(*, token: str) -> Invitation:
    """The invitation a link stands for, or InvitationError: tampered, used, revoked or
    expired."""
    try:
        payload = signing.loads(token, salt=INVITATION_SALT)
        invitation = Invitation.objects.select_related("user").get(pk=int(payload["i"]))
        secret = str(payload["s"])
    except (signing.BadSignature, KeyError, TypeError, ValueError, Invitation.DoesNotExist):
        raise InvitationError(_("This invitation link is not valid."), reason="invalid") from None
    if not secrets.compare_digest(invitation.token_hash, _hash(secret)):
        raise InvitationError(_("This invitation link is not valid."), reason="invalid")
    if invitation.used_at is not None:
        raise InvitationError(
            _("This invitation link has already been used. Sign in with your password."),
            reason="used",
        )
    if invitation.revoked_at is not None:
        raise InvitationError(
            _("This invitation link was replaced by a newer one. Use the latest link."),
            reason="revoked",
        )
    if not invitation.user.is_active:
        raise InvitationError(
            _("This account has been disabled. Ask your administrator."), reason="revoked"
        )
    if invitation.expires_at <= timezone.now():
        raise InvitationError(
            _("This invitation link has expired. Ask your administrator for a new one."),
            reason="expired",
        )
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, password: str) -> User:
    """The person sets their password; the link is spent."""
    invitation = invitation_check(token=token)
    invitation = Invitation.objects.select_for_update().select_related("user").get(pk=invitation.pk)
    if invitation.used_at is not None:  # a second tab won the race
        raise InvitationError(
            _("This invitation link has already been used. Sign in with your password."),
            reason="used",
        )
    user = invitation.user
    validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    invitation.used_at = timezone.now()
    invitation.save(update_fields=["used_at"])
    audit_record(
        actor=user, action=AuditAction.USER_CHANGED, obj=user, details={"event": "password_set"}
    )
    return user


def user_audit_change(*, actor, user: User, fields: list[str]) -> None:
    """Record a change made to an account in the admin (which saves it itself)."""
    audit_record(
        actor=actor,
        action=AuditAction.USER_CHANGED,
        obj=user,
        details={"event": "changed", "fields": sorted(fields)},
    )


def user_unlock(*, actor, user: User) -> int:
    """Lift a sign-in lockout before its cool-off ends. Returns the attempts cleared."""
    if not user_can_manage(actor=actor, user=user):
        raise ApplicationError(_("You cannot manage this account."))
    cleared = axes_reset(username=user.username)
    audit_record(
        actor=actor,
        action=AuditAction.USER_CHANGED,
        obj=user,
        details={"event": "unlocked", "attempts_cleared": cleared},
    )
    return cleared


# Two-step sign-in


def totp_secret_b32(device: TOTPDevice) -> str:
    """The secret as authenticator apps take it when typed by hand (base32)."""
    return b32encode(device.bin_key).decode()


def totp_device_start(*, user: User) -> TOTPDevice:
    """The unconfirmed authenticator the user is setting up; the same one on every reload,
    so the QR code does not change under them."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


@transaction.atomic
def totp_device_confirm(*, user: User, device: TOTPDevice, token: str) -> list[str]:
    """Confirm the authenticator with a code it shows; replaces any earlier authenticator
    and issues fresh backup codes (returned, shown once)."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user)
    if not device.verify_token((token or "").strip()):
        raise ApplicationError(
            _("That code is not right. Check the time on your phone and try the newest code.")
        )
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    StaticDevice.objects.filter(user=user).delete()
    backup = StaticDevice.objects.create(user=user, name=BACKUP_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _i in range(BACKUP_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=backup, token=code) for code in codes)
    audit_record(
        actor=user, action=AuditAction.USER_CHANGED, obj=user, details={"event": "otp_enrolled"}
    )
    return codes


def otp_verify(*, user: User, token: str):
    """The device (authenticator, then backup codes) that accepts the code, or None. Each
    device throttles its own failures."""
    token = "".join((token or "").split())
    if not token:
        return None
    devices = [
        *TOTPDevice.objects.filter(user=user, confirmed=True),
        *StaticDevice.objects.filter(user=user, confirmed=True),
    ]
    for device in devices:
        if isinstance(device, TOTPDevice) and not token.isdigit():
            continue
        verified = verify_token(user, device.persistent_id, token)
        if verified is not None:
            audit_record(
                actor=user,
                action=AuditAction.LOGIN,
                obj=user,
                details={
                    "step": "otp",
                    "device": "backup" if isinstance(device, StaticDevice) else "totp",
                },
            )
            return verified
    return None


@transaction.atomic
def otp_reset(*, actor, user: User) -> None:
    """Remove a user's authenticator and backup codes (lost phone): they set up a new one at
    their next sign-in."""
    if not user_can_manage(actor=actor, user=user):
        raise ApplicationError(_("You cannot manage this account."))
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    audit_record(
        actor=actor, action=AuditAction.USER_CHANGED, obj=user, details={"event": "otp_reset"}
    )
