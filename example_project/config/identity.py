"""Who calls a service's /api/ tree: a site user, or the service's own header.

Every service tree accepts Django users — HTTP Basic, API tokens, the
browser's session and API login sessions — beside the header its scripts
send (``X-Owner-ID``, ``X-ATT-DR-ON-BEHALF-OF``, ``Authorization:
Application``). A user acts as the service identity their service layer
names for them. The header does not let a logged-in user act as someone
else: a header naming another identity is refused.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from webapi_kit.authentication import BasicAuthentication, LoginSessionAuthentication, SessionAuthentication
from webapi_kit.errors import PermissionDenied
from webapi_kit.tokens.authentication import TokenAuthentication

__all__ = ["USER_AUTHENTICATION", "agreeing_header", "site_user"]

#: How a site user is recognised. The login session's cookie is read after
#: credentials sent with the request, which start a new one.
USER_AUTHENTICATION = (SessionAuthentication, BasicAuthentication, TokenAuthentication, LoginSessionAuthentication)


def site_user(request: HttpRequest) -> Any | None:
    """The logged-in Django user, or ``None``."""
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def agreeing_header(request: HttpRequest, header: str, identity: str) -> None:
    """Refuse (403) a ``header`` that names another identity than the logged-in user's."""
    value = request.headers.get(header)
    if value is not None and value.strip() and value.strip() != identity:
        raise PermissionDenied(f"You are logged in as {identity!r}; {header} may not name another")
