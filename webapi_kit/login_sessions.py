"""API login sessions: log in once with Basic or a token, then carry a cookie.

This is what djblets' API login does and what RBTools relies on: it sends
its credentials with the first request only and expects a session cookie
back. On an ``API(login_sessions=True)``, a request that an authenticator
with ``starts_session`` (HTTP Basic, API tokens) lets in starts such a
session; later requests that carry its cookie are the same user.

Kept apart from the site's browser login, on purpose (see the threat model
in ``docs/guide/auth.rst``):

* its own cookie (``LOGIN_SESSION_COOKIE_NAME``), scoped to the API's path,
  ``HttpOnly`` and ``SameSite=Strict``, so a page on another site cannot
  make a browser send it;
* the session is marked as an API login (:data:`API_LOGIN_KEY`); only
  marked sessions are read from that cookie;
* unsafe methods need no CSRF token (RBTools has none), but a request a
  browser labels cross-site (``Origin`` of another site, ``Sec-Fetch-Site``)
  is refused. A browser login (Django's session cookie) keeps needing the
  CSRF token: :class:`~webapi_kit.authentication.SessionAuthentication`.

The data lives in Django's session engine (``SESSION_ENGINE``), stored the
way :func:`django.contrib.auth.login` stores a login, so expiry,
``clearsessions`` and password changes (which end sessions) work as usual.
"""

from __future__ import annotations

from importlib import import_module
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user, logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware

from webapi_kit.conf import api_settings

__all__ = [
    "API_LOGIN_KEY",
    "cookie_pending",
    "in_use",
    "cross_site_reason",
    "end_login_session",
    "finish_response",
    "load_login_session",
    "start_login_session",
]

#: Set in every session an API login started (never in a browser login's).
API_LOGIN_KEY = "_webapi_kit_api_login"

#: What the pipeline does to the response's cookie: ("set", key, max_age) or ("delete",).
_COOKIE_ACTION = "_webapi_login_cookie"
#: The session store an API-login cookie named, once loaded.
_LOADED = "_webapi_login_session"

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def _store(session_key: str | None = None) -> SessionBase:
    engine = import_module(settings.SESSION_ENGINE)
    store: SessionBase = engine.SessionStore(session_key)
    return store


def load_login_session(request: HttpRequest) -> tuple[SessionBase, Any] | None:
    """The API-login session the request's cookie names and its user, or ``None``.

    A cookie naming no session, an expired one, one a browser login made,
    or one whose user changed password or was deactivated, counts as none.
    Loaded once per request.
    """
    if _LOADED in request.__dict__:
        loaded: tuple[SessionBase, Any] | None = request.__dict__[_LOADED]
        return loaded
    result = None
    key = request.COOKIES.get(api_settings.LOGIN_SESSION_COOKIE_NAME)
    if key:
        store = _store(key)
        if store.get(API_LOGIN_KEY) is True:
            # Django's own reading of a login: the backend, the password hash.
            user = get_user(SimpleNamespace(session=store))  # type: ignore[arg-type]
            if user.is_authenticated and user.is_active:
                result = (store, user)
                if store.session_key != key:  # cycled for a rotated SECRET_KEY
                    _set_cookie_action(request, store)
    request.__dict__[_LOADED] = result
    return result


def start_login_session(request: HttpRequest, user: Any) -> None:
    """Start an API-login session for ``user`` (the response will set its cookie).

    A request that already carries a live session of the same user keeps
    it, so clients that resend credentials do not pile up sessions.
    """
    current = load_login_session(request)
    if current is not None and current[1].pk == user.pk:
        return
    store = _store()
    store[SESSION_KEY] = user._meta.pk.value_to_string(user)
    # The backend that let the user in (HTTP Basic), else the first
    # configured one (a token names a user directly).
    store[BACKEND_SESSION_KEY] = getattr(user, "backend", None) or settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash() if hasattr(user, "get_session_auth_hash") else ""
    store[API_LOGIN_KEY] = True
    store.save()
    request.__dict__[_LOADED] = (store, user)
    _set_cookie_action(request, store)
    user_logged_in.send(sender=user.__class__, request=request, user=user)


def end_login_session(request: HttpRequest) -> bool:
    """Log out: end the API-login session and the browser login, if any. ``True`` if there was one."""
    current = load_login_session(request)
    ended = current is not None
    if current is not None:
        current[0].delete()  # also one this very request started (Basic on the DELETE)
    if ended or request.COOKIES.get(api_settings.LOGIN_SESSION_COOKIE_NAME):
        request.__dict__[_COOKIE_ACTION] = ("delete",)
    request.__dict__[_LOADED] = None
    session = getattr(request, "session", None)
    if session is not None and session.get(SESSION_KEY) is not None:
        logout(request)
        ended = True
    return ended


def _set_cookie_action(request: HttpRequest, store: SessionBase) -> None:
    request.__dict__[_COOKIE_ACTION] = ("set", store.session_key, store.get_expiry_age())


def in_use(request: HttpRequest) -> bool:
    """Whether an API login session was read or started for ``request``."""
    return request.__dict__.get(_LOADED) is not None


def cookie_pending(request: HttpRequest) -> bool:
    """Whether the response to ``request`` must set or delete the API-login cookie."""
    return _COOKIE_ACTION in request.__dict__


def finish_response(request: HttpRequest, response: HttpResponse, path: str) -> None:
    """Set or delete the API-login cookie on ``response``, scoped to ``path`` (the API's prefix)."""
    action = request.__dict__.get(_COOKIE_ACTION)
    if action is None:
        return
    name = api_settings.LOGIN_SESSION_COOKIE_NAME
    samesite = api_settings.LOGIN_SESSION_COOKIE_SAMESITE
    if action[0] == "delete":
        response.delete_cookie(name, path=path, samesite=samesite)
        return
    _, key, max_age = action
    response.set_cookie(
        name, key, max_age=max_age, path=path, httponly=True, samesite=samesite,
        secure=settings.SESSION_COOKIE_SECURE or request.is_secure(),
    )
    # The cookie says who is calling: shared caches must not hand it on.
    response["Cache-Control"] = "private"


class _OriginCheck(CsrfViewMiddleware):
    def verified(self, request: HttpRequest) -> bool:
        # Django's own rule: the request's host, or CSRF_TRUSTED_ORIGINS.
        return bool(self._origin_verified(request))  # type: ignore[attr-defined]


def _no_view(request: HttpRequest) -> HttpResponse:
    raise AssertionError("unreachable")


def cross_site_reason(request: HttpRequest) -> str | None:
    """Why an unsafe request authenticated by ambient credentials looks cross-site, or ``None``.

    Browsers attach cookies and cached HTTP Basic credentials to requests
    other sites make them send; they also say where such a request comes
    from. ``Origin`` (sent with every unsafe request by current browsers)
    must be this site or one in ``CSRF_TRUSTED_ORIGINS``; without it,
    ``Sec-Fetch-Site`` must not be ``cross-site`` or ``same-site``.
    Non-browser clients (RBTools, curl) send neither and pass.
    """
    if request.method in _SAFE_METHODS:
        return None
    meta = request.META
    if "HTTP_ORIGIN" in meta:
        if meta["HTTP_ORIGIN"] == "null" or not _OriginCheck(_no_view).verified(request):
            return f"Origin {meta['HTTP_ORIGIN']!r} is not this site; a cross-site request may not use this login"
        return None
    if meta.get("HTTP_SEC_FETCH_SITE") in ("cross-site", "same-site"):
        return "a cross-site request may not use this login"
    return None
