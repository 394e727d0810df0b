"""Issuing and revoking API tokens. The token itself is returned once and never stored."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tracing_portal.accounts.scoping import actor_can_see_province
from tracing_portal.audit.models import AuditAction
from tracing_portal.audit.services import audit_record
from tracing_portal.core.exceptions import ApplicationError

from .models import ApiToken
from .tokens import token_generate, token_hash


@dataclass(frozen=True)
class IssuedToken:
    api_token: ApiToken
    token: str  # the whole token: give it to its holder now, it cannot be shown again


def _guard_manages(actor, user, *, permission: str) -> None:
    if not actor.has_perm(permission):
        raise ApplicationError(_("You may not manage API tokens."))
    if not actor_can_see_province(actor, user.province_id):
        raise ApplicationError(
            _("You may manage the API tokens of your own province's users only.")
        )


def api_token_default_expiry(now: datetime.datetime | None = None) -> datetime.datetime | None:
    days = settings.API_TOKEN_DEFAULT_DAYS
    return (now or timezone.now()) + datetime.timedelta(days=days) if days else None


@transaction.atomic
def api_token_issue(
    *, actor, user, name: str, expires_at: datetime.datetime | None = None
) -> IssuedToken:
    """Issue a token for `user`; the caller shows `IssuedToken.token` once."""
    _guard_manages(actor, user, permission="api.add_apitoken")
    if not user.is_active:
        raise ApplicationError(_("The user's account is not active."))
    now = timezone.now()
    if expires_at is not None and expires_at <= now:
        raise ApplicationError(_("The expiry date must be in the future."))
    key_id, token = token_generate()
    api_token = ApiToken(
        user=user,
        name=" ".join((name or "").split()),
        key_id=key_id,
        key_hash=token_hash(token),
        issued_by=actor,
        expires_at=expires_at,
        created_at=now,
    )
    try:
        api_token.full_clean(exclude=["user", "issued_by", "revoked_by"])
    except ValidationError as exc:
        raise ApplicationError("; ".join(exc.messages)) from exc
    api_token.save()
    audit_record(
        actor=actor,
        action=AuditAction.USER_CHANGED,
        obj=user,
        province=user.province_id,
        details={"api_token": "issued", "token": api_token.display_id, "name": api_token.name},
    )
    return IssuedToken(api_token=api_token, token=token)


@transaction.atomic
def api_token_revoke(*, actor, api_token: ApiToken) -> ApiToken:
    """Revoke a token at once; revoking it again changes nothing."""
    current = ApiToken.objects.select_for_update().select_related("user").get(pk=api_token.pk)
    _guard_manages(actor, current.user, permission="api.change_apitoken")
    if current.revoked_at is not None:
        return current
    current.revoked_at = timezone.now()
    current.revoked_by = actor
    current.save(update_fields=["revoked_at", "revoked_by", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.USER_CHANGED,
        obj=current.user,
        province=current.user.province_id,
        details={"api_token": "revoked", "token": current.display_id, "name": current.name},
    )
    return current


def api_token_mark_used(*, api_token: ApiToken, now: datetime.datetime | None = None) -> bool:
    """Record that the token was used, at most once per API_TOKEN_LAST_USED_SECONDS: one
    conditional UPDATE, so a burst of requests writes once. True if it wrote."""
    now = now or timezone.now()
    stale = now - datetime.timedelta(seconds=settings.API_TOKEN_LAST_USED_SECONDS)
    if api_token.last_used_at is not None and api_token.last_used_at > stale:
        return False  # as read with the token a moment ago: no query
    written = (
        ApiToken.objects.filter(pk=api_token.pk)
        .filter(Q(last_used_at__isnull=True) | Q(last_used_at__lte=stale))
        .update(last_used_at=now)
    )
    if written:
        api_token.last_used_at = now
    return bool(written)
