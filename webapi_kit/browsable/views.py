"""Logging in and out of the browsable API: Django's session login.

A person logs in with a form (username, password, CSRF token) and gets an
ordinary Django session, whose writes must carry the CSRF token like any
form the pages post. Failed attempts count against the same limit as
failed HTTP Basic logins (``LOGIN_FAILURE_LIMIT``).
"""

from __future__ import annotations

from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from django.contrib.auth import login, logout
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.middleware.csrf import get_token
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_protect

from webapi_kit.authentication import BasicAuthentication
from webapi_kit.errors import RateLimitExceeded

from webapi_kit.browsable.responses import html_response
from webapi_kit.browsable.templates import render_template

if TYPE_CHECKING:
    from webapi_kit.api import API

__all__ = ["LoginView", "LogoutView"]

LOGIN_TEMPLATE = "webapi_kit/browsable/login.html"


def _root_url(request: HttpRequest, own_path: str) -> str:
    """The API's root: the request's path without the view's own segment."""
    return request.path[: len(request.path) - len(own_path)] if request.path.endswith(own_path) else "/"


def _next_url(request: HttpRequest, fallback: str) -> str:
    """Where to go afterwards: ``next`` when it is on this site, else ``fallback``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


class LoginView:
    """``GET``: the login form; ``POST``: log in, then back to ``next``."""

    def __init__(self, api: API) -> None:
        self.api = api

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not hasattr(request, "session"):  # no SessionMiddleware: nowhere to keep a login
            return HttpResponse(status=HTTPStatus.NOT_FOUND)
        return _login(request, self.api)


class LogoutView:
    """``POST`` (with the CSRF token): end the session, then back to ``next``."""

    def __init__(self, api: API) -> None:
        self.api = api

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not hasattr(request, "session"):
            return HttpResponse(status=HTTPStatus.NOT_FOUND)
        return _logout(request, self.api)


@csrf_protect
def _login(request: HttpRequest, api: API) -> HttpResponse:
    root = _root_url(request, "_login/")
    status = HTTPStatus.OK
    form = AuthenticationForm(request)
    limit = BasicAuthentication.failure_limit
    if request.method == "POST":
        form = AuthenticationForm(request, data=request.POST)
        username = request.POST.get("username", "")
        try:
            limit.check(request, username)
        except RateLimitExceeded as exc:
            form.add_error(None, exc.msg)
            status = HTTPStatus.TOO_MANY_REQUESTS
        else:
            if form.is_valid():
                login(request, form.get_user())
                return HttpResponseRedirect(_next_url(request, root), status=HTTPStatus.SEE_OTHER)
            limit.record(request, username)
            status = HTTPStatus.UNAUTHORIZED
    elif request.method not in ("GET", "HEAD"):
        return HttpResponse(status=HTTPStatus.METHOD_NOT_ALLOWED, headers={"Allow": "GET, HEAD, POST"})
    context: dict[str, Any] = {
        "title": "Log in",
        "form": form,
        "next": _next_url(request, root),
        "root_url": root,
        "csrf_token": get_token(request),
    }
    return html_response(render_template(LOGIN_TEMPLATE, context, request), status, request)


@csrf_protect
def _logout(request: HttpRequest, api: API) -> HttpResponse:
    if request.method != "POST":
        return HttpResponse(status=HTTPStatus.METHOD_NOT_ALLOWED, headers={"Allow": "POST"})
    logout(request)
    return HttpResponseRedirect(_next_url(request, _root_url(request, "_logout/")), status=HTTPStatus.SEE_OTHER)
