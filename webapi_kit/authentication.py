"""Who is calling: pluggable authentication.

An authenticator looks at a request and answers one of three ways: ``None``
(no credentials of its kind: let the next one look), a
:class:`Credentials` (the caller is known), or an exception — ``LoginFailed``
for credentials that are present and wrong. The first authenticator that
recognises credentials wins; when none does, the caller is anonymous and a
permission that needs a login answers ``401`` with the ``WWW-Authenticate``
challenge of the first authenticator that has one.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.http import HttpRequest, HttpResponse, QueryDict
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.functional import SimpleLazyObject, empty
from django.utils.datastructures import MultiValueDict

from webapi_kit.conf import api_settings
from webapi_kit.errors import LoginFailed, PermissionDenied, RateLimitExceeded
from webapi_kit.login_sessions import cross_site_reason, load_login_session
from webapi_kit.throttling import parse_rate, remote_addr, window_counter

__all__ = [
    "Authentication",
    "BasicAuthentication",
    "Credentials",
    "KeyAuthentication",
    "LoginSessionAuthentication",
    "SessionAuthentication",
    "hash_key",
]


@dataclass(frozen=True, slots=True)
class Credentials:
    """A recognised caller: a Django user, and/or what the key stood for."""

    user: Any = None
    auth: Any = None


class Authentication:
    """Base class; subclasses implement :meth:`authenticate`."""

    #: Whether a user this lets in starts an API login session on an
    #: ``API(login_sessions=True)`` (credentials sent once, then a cookie).
    starts_session: bool = False

    #: The ``WWW-Authenticate`` challenge for a 401, or ``None``.
    def challenge(self) -> str | None:
        return None

    def authenticate(self, request: HttpRequest) -> Credentials | None:
        raise NotImplementedError


class _LoginFailureLimit:
    """Counts failed logins per username and per address (setting ``LOGIN_FAILURE_LIMIT``)."""

    def check(self, request: HttpRequest, username: str) -> None:
        """Refuse (429) before checking the password once the limit is reached,
        so that guessing on cannot tell a right password from a wrong one."""
        limit, window = parse_rate(api_settings.LOGIN_FAILURE_LIMIT)
        for key in self._keys(request, username):
            count, reset = window_counter(key, window, increment=False)
            if count >= limit:
                raise RateLimitExceeded("Too many failed logins; try again later", retry_after=reset, limit=limit)

    def record(self, request: HttpRequest, username: str) -> None:
        _, window = parse_rate(api_settings.LOGIN_FAILURE_LIMIT)
        for key in self._keys(request, username):
            window_counter(key, window)

    @staticmethod
    def _keys(request: HttpRequest, username: str) -> tuple[str, str]:
        # Usernames may hold characters cache keys cannot (Memcached: spaces).
        user = hashlib.sha256(username.encode("utf-8")).hexdigest()[:32]
        return f"login-failures:user:{user}", f"login-failures:addr:{remote_addr(request)}"


class BasicAuthentication(Authentication):
    """HTTP Basic against Django's authentication backends."""

    failure_limit = _LoginFailureLimit()
    starts_session = True

    def challenge(self) -> str:
        return f'Basic realm="{api_settings.AUTH_REALM}"'

    def authenticate(self, request: HttpRequest) -> Credentials | None:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "basic":
            return None
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise LoginFailed("The Authorization header is not valid HTTP Basic", www_authenticate=self.challenge()) from None
        username, sep, password = decoded.partition(":")
        if not sep:
            raise LoginFailed("The Authorization header is not valid HTTP Basic", www_authenticate=self.challenge())
        self.failure_limit.check(request, username)
        user = authenticate(request, username=username, password=password)
        if user is None or not user.is_active:
            self.failure_limit.record(request, username)
            raise LoginFailed(www_authenticate=self.challenge())
        # Browsers resend Basic credentials they were once given to any
        # request, other sites' forms included.
        reason = cross_site_reason(request)
        if reason:
            raise PermissionDenied(f"CSRF Failed: {reason}")
        return Credentials(user=user)


class SessionAuthentication(Authentication):
    """The Django session, for browsers; unsafe methods must pass CSRF."""

    def authenticate(self, request: HttpRequest) -> Credentials | None:
        # The user AuthenticationMiddleware set, lazily. Without a session
        # cookie nobody can be logged in: don't load a session to learn that.
        user = request.__dict__.get("user")
        if (
            isinstance(user, SimpleLazyObject)
            and user._wrapped is empty
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
        ):
            return None
        if user is None or not user.is_authenticated:
            return None
        if request.method not in ("GET", "HEAD", "OPTIONS", "TRACE"):
            reason = _csrf_failure(request)
            if reason:
                raise PermissionDenied(f"CSRF Failed: {reason}")
        return Credentials(user=user)


class LoginSessionAuthentication(Authentication):
    """The cookie of an API login session (:mod:`webapi_kit.login_sessions`).

    An ``API(login_sessions=True)`` adds it to every resource that has an
    authenticator that ``starts_session``. Writes need no CSRF token (API
    clients have none); the cookie is ``SameSite=Strict`` and a request a
    browser labels cross-site is refused.
    """

    def authenticate(self, request: HttpRequest) -> Credentials | None:
        if api_settings.LOGIN_SESSION_COOKIE_NAME not in request.COOKIES:
            return None
        loaded = load_login_session(request)
        if loaded is None:
            return None
        reason = cross_site_reason(request)
        if reason:
            raise PermissionDenied(f"CSRF Failed: {reason}")
        return Credentials(user=loaded[1])


class _CSRFCheck(CsrfViewMiddleware):
    def _reject(self, request: HttpRequest, reason: str) -> Any:
        return reason


def _never_called(request: HttpRequest) -> HttpResponse:
    # The middleware wants a next step and a view; the check calls neither.
    raise AssertionError("unreachable")


def _csrf_failure(request: HttpRequest) -> str | None:
    check = _CSRFCheck(_never_called)
    check.process_request(request)
    # Django's check reads request.POST for a form token. For multipart that
    # consumes the body stream before webapi_kit's parser sees it, so
    # multipart requests must send the token in the X-CSRFToken header.
    # (Urlencoded bodies are safe: Django keeps them in request.body.)
    hide_body = request.content_type == "multipart/form-data" and not hasattr(request, "_post")
    if hide_body:
        request._post, request._files = QueryDict(), MultiValueDict()  # type: ignore[attr-defined]
    try:
        result = check.process_view(request, _never_called, (), {})
    finally:
        if hide_body:
            del request._post, request._files  # type: ignore[attr-defined]
    return result if isinstance(result, str) else None


def hash_key(key: str) -> str:
    """The digest an API key is stored as (keys are random, so one SHA-256 is enough)."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class KeyAuthentication(Authentication):
    """``Authorization: <scheme> <key>`` for API keys.

    Subclasses set ``scheme`` and implement :meth:`get_principal`, which looks
    the key up (by :func:`hash_key` — keys are stored hashed) and returns what
    it stands for, or ``None`` for an unknown key.
    """

    scheme: str = "Key"
    #: Keys name principals, not necessarily users: set ``True`` where
    #: :meth:`get_user` answers one and a login session should start.
    starts_session = False

    def challenge(self) -> str:
        return f'{self.scheme} realm="{api_settings.AUTH_REALM}"'

    def get_principal(self, key: str) -> Any:
        raise NotImplementedError

    def get_user(self, principal: Any) -> Any:
        """The Django user a key acts as, if any (``request.user``); ``None`` leaves it anonymous."""
        return None

    def authenticate(self, request: HttpRequest) -> Credentials | None:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        scheme, _, key = header.partition(" ")
        if scheme.lower() != self.scheme.lower():
            return None
        key = key.strip()
        principal = self.get_principal(key) if key else None
        if principal is None:
            raise LoginFailed("The key is not valid", www_authenticate=self.challenge())
        return Credentials(user=self.get_user(principal), auth=principal)
