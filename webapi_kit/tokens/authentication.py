"""``Authorization: token <key>``, as djblets and RBTools spell it."""

from __future__ import annotations

from typing import Any

from webapi_kit.authentication import KeyAuthentication
from webapi_kit.tokens.models import APIToken
from webapi_kit.tokens.services import token_for_key

__all__ = ["TokenAuthentication"]


class TokenAuthentication(KeyAuthentication):
    """A user's API token; ``request.user`` is its user, ``request.auth`` the token.

    It starts a login session on an ``API(login_sessions=True)``, as a
    password does: RBTools sends the token once and then the cookie.
    """

    scheme = "token"
    starts_session = True

    def get_principal(self, key: str) -> APIToken | None:
        return token_for_key(key)

    def get_user(self, principal: Any) -> Any:
        return principal.user
