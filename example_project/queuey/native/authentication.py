"""``Authorization: Application <key>`` for the native surface."""

from __future__ import annotations

from django.http import HttpRequest

from queuey.models import Application
from queuey.services import application_for_key
from webapi_kit.authentication import Credentials, KeyAuthentication
from webapi_kit.errors import LoginFailed

__all__ = ["ApplicationKeyAuthentication", "LenientApplicationKeyAuthentication"]


class ApplicationKeyAuthentication(KeyAuthentication):
    """The key names one application; ``request.auth`` is that application."""

    scheme = "Application"

    def get_principal(self, key: str) -> Application | None:
        return application_for_key(key)


class LenientApplicationKeyAuthentication(ApplicationKeyAuthentication):
    """An unknown key makes the caller anonymous instead of failing at once.

    The seed answers ``404`` for an unknown application or queue before it
    looks at credentials, so the refusal (``401 InvalidApplicationKey``) is
    left to the service layer, which knows whether the call needs a key at
    all (public queues are readable without one).
    """

    def authenticate(self, request: HttpRequest) -> Credentials | None:
        try:
            return super().authenticate(request)
        except LoginFailed:
            return None
