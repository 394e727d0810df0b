"""The token format: generating, hashing and splitting a token. No database here."""

import hashlib
import secrets

from .models import TOKEN_PREFIX

KEY_ID_BYTES = 4  # 8 hex characters: the public id shown in the admin
SECRET_BYTES = 36  # 48 URL-safe characters: the part that is never stored


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_generate() -> tuple[str, str]:
    """A new (key id, whole token) pair: "tp_1a2b3c4d.<48 random characters>"."""
    key_id = secrets.token_hex(KEY_ID_BYTES)
    return key_id, f"{TOKEN_PREFIX}{key_id}.{secrets.token_urlsafe(SECRET_BYTES)}"


def token_key_id(token: str) -> str | None:
    """The public id of a token as presented, or None if it is not shaped like one."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    key_id, dot, secret = token[len(TOKEN_PREFIX) :].partition(".")
    if not dot or len(key_id) != KEY_ID_BYTES * 2 or len(secret) < 40:
        return None
    return key_id
