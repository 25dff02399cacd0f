"""Ways to say who is calling, as :class:`httpx.Auth` objects.

* :class:`BasicAuth` — HTTP Basic (``webapi_kit.authentication.BasicAuthentication``).
* :class:`TokenAuth` — ``Authorization: <scheme> <key>``, what
  ``webapi_kit.authentication.KeyAuthentication`` subclasses read: API
  tokens (``token``, the default, as Review Board spells it) or any other
  scheme (``TokenAuth(key, scheme="Application")`` for queuey).
* :class:`HeaderAuth` — fixed headers that name the caller
  (``X-Owner-ID``, ``X-ATT-DR-ON-BEHALF-OF``).

Session logins (cookies) are not an ``Auth``: see ``Client.login``.
Any other :class:`httpx.Auth` works too.
"""

from __future__ import annotations

from collections.abc import Generator, Mapping

import httpx

__all__ = ["BasicAuth", "HeaderAuth", "TokenAuth"]

BasicAuth = httpx.BasicAuth


class TokenAuth(httpx.Auth):
    """``Authorization: <scheme> <token>`` on every request."""

    def __init__(self, token: str, scheme: str = "token") -> None:
        if not token or any(char in token for char in "\r\n"):
            raise ValueError("a token must be non-empty and on one line")
        self._header = f"{scheme} {token}"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self._header
        yield request

    def __repr__(self) -> str:  # never show the token
        scheme = self._header.split(" ", 1)[0]
        return f"TokenAuth(scheme={scheme!r})"


class HeaderAuth(httpx.Auth):
    """Fixed headers on every request, for APIs that name the caller in their own header."""

    def __init__(self, headers: Mapping[str, str]) -> None:
        self._headers = dict(headers)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers.update(self._headers)
        yield request

    def __repr__(self) -> str:
        return f"HeaderAuth({sorted(self._headers)!r})"
