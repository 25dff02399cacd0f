"""Issuing and checking tokens: the rules the resource, the admin and authentication share."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from django.utils import timezone

from webapi_kit.authentication import hash_key
from webapi_kit.tokens.models import APIToken

__all__ = ["PREFIX", "issue_token", "new_key", "set_key", "token_for_key"]

#: Every token starts with this, so that secret scanners can spot a leaked one.
PREFIX = "wkt_"
#: ``last_used`` is written at most this often per token (a write per request would be waste).
_LAST_USED_GRANULARITY = timedelta(minutes=1)


def new_key() -> str:
    """A fresh random token (256 bits)."""
    return PREFIX + secrets.token_urlsafe(32)


def set_key(token: APIToken, key: str) -> None:
    """Make ``key`` the (unsaved) token's: its hash and the prefix its owner sees."""
    token.token_hash = hash_key(key)
    token.prefix = key[:12]


def issue_token(user: Any, note: str = "") -> tuple[APIToken, str]:
    """A new token for ``user``: the stored row, and the token itself (not kept anywhere)."""
    key = new_key()
    token = APIToken(user=user, note=note)
    set_key(token, key)
    token.save()
    return token, key


def token_for_key(key: str) -> APIToken | None:
    """The token ``key`` is, if it exists and its user is active; notes its use."""
    token = APIToken.objects.select_related("user").filter(token_hash=hash_key(key)).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used is None or now - token.last_used >= _LAST_USED_GRANULARITY:
        APIToken.objects.filter(pk=token.pk).update(last_used=now)
        token.last_used = now
    return token
