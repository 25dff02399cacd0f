"""Security schemes from a resource's authenticators.

HTTP Basic, the Django session cookie, an API login session's cookie and
``Authorization: <scheme> <key>`` keys are known; an authenticator of your own describes itself with a
method ``openapi_security_scheme()`` returning ``(name, scheme object)``,
and is left out of the document without one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from django.conf import settings

from webapi_kit.authentication import (
    BasicAuthentication,
    KeyAuthentication,
    LoginSessionAuthentication,
    SessionAuthentication,
)
from webapi_kit.conf import api_settings
from webapi_kit.permissions import IsAuthenticated, IsAuthenticatedOrReadOnly, IsStaff

if TYPE_CHECKING:
    from webapi_kit.resource import WebAPIResource

__all__ = ["DescribedAuthentication", "operation_security", "security_scheme"]


@runtime_checkable
class DescribedAuthentication(Protocol):
    """An authenticator that names its own security scheme."""

    def openapi_security_scheme(self) -> tuple[str, dict[str, Any]]: ...


def security_scheme(authenticator: Any) -> tuple[str, dict[str, Any]] | None:
    """``(name, OpenAPI security scheme)`` for one authenticator, if it can be described."""
    if isinstance(authenticator, DescribedAuthentication):
        return authenticator.openapi_security_scheme()
    if isinstance(authenticator, BasicAuthentication):
        return "basic", {
            "type": "http",
            "scheme": "basic",
            "description": "HTTP Basic with a user's name and password (Django's authentication backends).",
        }
    if isinstance(authenticator, SessionAuthentication):
        return "session", {
            "type": "apiKey",
            "in": "cookie",
            "name": settings.SESSION_COOKIE_NAME,
            "description": "The Django session of a logged-in browser; methods other than GET, HEAD and OPTIONS "
                           "must also send the CSRF token in X-CSRFToken.",
        }
    if isinstance(authenticator, LoginSessionAuthentication):
        return "loginSession", {
            "type": "apiKey",
            "in": "cookie",
            "name": api_settings.LOGIN_SESSION_COOKIE_NAME,
            "description": "The cookie of an API login session, set by a successful HTTP Basic or token "
                           "login; DELETE on the root's `session` link ends it.",
        }
    if isinstance(authenticator, KeyAuthentication):
        scheme = authenticator.scheme
        return f"{scheme.lower()}Key", {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": f"An API key, sent as `Authorization: {scheme} <key>`.",
        }
    return None


def operation_security(
    resource: WebAPIResource, method: str, schemes: dict[str, dict[str, Any]]
) -> list[dict[str, list[str]]] | None:
    """An operation's ``security``: its authenticators' schemes (added to ``schemes``), and ``{}``
    when anonymous callers may pass; ``None`` when none can be described."""
    requirements: list[dict[str, list[str]]] = []
    for authenticator in resource._authenticators:
        described = security_scheme(authenticator)
        if described is None:
            continue
        name, scheme = described
        schemes.setdefault(name, scheme)
        requirements.append({name: []})
    if not requirements:
        return None
    if _anonymous_allowed(resource, method):
        requirements.append({})
    return requirements


def _anonymous_allowed(resource: WebAPIResource, method: str) -> bool:
    for permission in resource._permissions:
        if isinstance(permission, (IsAuthenticated, IsStaff)):
            return False
        if isinstance(permission, IsAuthenticatedOrReadOnly) and method not in ("GET", "HEAD", "OPTIONS"):
            return False
    return True
