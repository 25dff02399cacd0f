"""``/api/session/``: who the caller is, and ``DELETE`` to log out.

Review Board's API has the same resource at the same place, and RBTools'
``logout()`` sends ``DELETE`` to ``<api>/session/``. An
``API(login_sessions=True)`` links it from its root.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest

from webapi_kit.context import request_context
from webapi_kit.login_sessions import end_login_session, load_login_session
from webapi_kit.permissions import AllowAny, is_authenticated
from webapi_kit.resource import WebAPIResource
from webapi_kit.responses import APIResponse

__all__ = ["SessionResource"]


class SessionResource(WebAPIResource):
    """The caller's login: ``GET`` says who is logged in, ``DELETE`` logs out.

    ``authenticated`` is whether the request was let in at all (by any
    authenticator); ``username`` names the Django user, if one;
    ``login_session`` whether an API login session is what let it in.
    ``DELETE`` ends the API login session and the browser login both
    (a browser login must send its CSRF token, as for any write).
    """

    name = "session"
    singleton = True
    allowed_methods = ("GET", "DELETE")
    # Anyone may ask whether they are logged in.
    permission_classes = (AllowAny,)

    def get(self, request: HttpRequest, data: Mapping[str, Any], **kwargs: str) -> APIResponse:
        ctx = request_context(request)
        href = ctx.base_url + self.item_template.expand({})
        user = getattr(request, "user", None)
        username = None
        login_session = False
        if user is not None and user.is_authenticated:
            username = user.get_username()
            loaded = load_login_session(request)
            login_session = loaded is not None and loaded[1].pk == user.pk
        session: dict[str, Any] = {
            "authenticated": is_authenticated(request),
            "username": username,
            "login_session": login_session,
            "links": {"self": {"method": "GET", "href": href}, "delete": {"method": "DELETE", "href": href}},
        }
        return APIResponse({self.name: session})

    def delete(self, request: HttpRequest, data: Mapping[str, Any], **kwargs: str) -> None:
        if not is_authenticated(request):
            raise self.permission_denied(request)
        end_login_session(request)
