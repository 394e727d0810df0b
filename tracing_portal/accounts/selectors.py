from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Exists, OuterRef, Q, Sum
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import Invitation, User
from .navigation import places_for
from .roles import Role
from .scoping import scope_to_province


def home_summary(*, actor) -> dict:
    """What the actor's home page shows: their role and the places they work in next."""
    return {
        "role_label": actor.primary_role_label,
        "next_steps": [p for p in places_for(actor) if p["next"]],
    }


# Two-step sign-in


def user_otp_required(*, user) -> bool:
    """DIC operators and administrators must sign in with a second step."""
    return user.is_superuser or user.has_role(*settings.OTP_REQUIRED_ROLES)


def user_has_authenticator(*, user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def user_otp_throttled(*, user) -> bool:
    """Wrong codes make each device wait longer (1 s, 2 s, 4 s...) before the next try."""
    return any(
        not device.verify_is_allowed()[0]
        for device in TOTPDevice.objects.filter(user=user, confirmed=True)
    )


def user_otp_state(*, user) -> str:
    """ "verify" when the user must enter a code, "setup" when they must first set up an
    authenticator, "" when nothing is asked of them."""
    if user_has_authenticator(user=user):
        return "verify"
    if user_otp_required(user=user):
        return "setup"
    return ""


# User administration


def user_can_manage(*, actor, user) -> bool:
    if not actor.has_perm("accounts.manage_province_users"):
        return False
    if actor.sees_all_provinces:
        return True
    return user.province_id is not None and user.province_id == actor.province_id


def _locked_usernames(usernames) -> set[str]:
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    rows = (
        AccessAttempt.objects.filter(username__in=usernames, attempt_time__gte=since)
        .values("username")
        .annotate(failures=Sum("failures_since_start"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
    )
    return {row["username"] for row in rows}


def user_list(*, actor, filters: dict | None = None):
    """The accounts an administrator manages, with whether each set up an authenticator
    and holds a usable invitation. `locked` is set on the rows of the returned page by
    `users_mark_locked`."""
    filters = filters or {}
    now = timezone.now()
    qs = (
        scope_to_province(User.objects.all(), actor=actor)
        .select_related("province")
        .prefetch_related("groups")
        .annotate(
            has_authenticator=Exists(
                TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
            ),
            invitation_open=Exists(
                Invitation.objects.filter(
                    user=OuterRef("pk"),
                    used_at__isnull=True,
                    revoked_at__isnull=True,
                    expires_at__gt=now,
                )
            ),
        )
        .order_by("username")
    )
    if filters.get("q"):
        q = filters["q"]
        qs = qs.filter(Q(username__icontains=q) | Q(full_name__icontains=q))
    return qs


def users_mark_locked(users) -> list:
    """Set `locked` and `role_label` on each user of a page (one query; groups are
    prefetched)."""
    users = list(users)
    locked = _locked_usernames([u.username for u in users])
    for user in users:
        user.locked = user.username in locked
        names = {g.name for g in user.groups.all()}
        user.role_label = next((r.label for r in Role if r.value in names), "")
    return users


def user_get_managed(*, actor, pk: int) -> User:
    from .scoping import get_scoped_or_404

    return get_scoped_or_404(User.objects.all(), actor=actor, pk=pk)
