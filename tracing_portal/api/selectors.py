import hmac

from django.db.models import Q, QuerySet
from django.utils import timezone

from tracing_portal.accounts.scoping import scope_to_province

from .models import ApiToken
from .tokens import token_hash, token_key_id


def api_token_find_active(*, token: str) -> ApiToken | None:
    """The token presented, if it exists, is not revoked, has not expired, and belongs to an
    active user. The secret is compared by its hash, in constant time."""
    key_id = token_key_id(token)
    if key_id is None:
        return None
    found = (
        ApiToken.objects.select_related("user", "user__province")
        .filter(key_id=key_id, revoked_at__isnull=True, user__is_active=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()))
        .first()
    )
    if found is None or not hmac.compare_digest(found.key_hash, token_hash(token)):
        return None
    return found


def api_token_list(*, actor) -> QuerySet[ApiToken]:
    """The tokens of the users the actor administers (their province's; every one for
    national administrators)."""
    return scope_to_province(
        ApiToken.objects.select_related("user", "issued_by", "revoked_by"),
        actor=actor,
        field="user__province",
    )
