"""What a caller may do: resource- and object-level permission checks.

A permission answers for a request before the handler runs
(:meth:`Permission.has_permission`) and for one object once a handler has it
(:meth:`Permission.has_object_permission`). A refusal becomes ``401`` when
the caller is anonymous (they may log in and retry) and ``403`` otherwise.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest

if TYPE_CHECKING:
    from webapi_kit.resource import WebAPIResource

__all__ = ["AllowAny", "IsAuthenticated", "IsAuthenticatedOrReadOnly", "IsStaff", "Permission"]

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def is_authenticated(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated) or getattr(request, "auth", None) is not None


class Permission:
    """Allows everything; subclasses narrow it."""

    def has_permission(self, request: HttpRequest, resource: WebAPIResource, method: str) -> bool:
        return True

    def has_object_permission(self, request: HttpRequest, resource: WebAPIResource, method: str, obj: Any) -> bool:
        return True


class AllowAny(Permission):
    pass


class IsAuthenticated(Permission):
    def has_permission(self, request: HttpRequest, resource: WebAPIResource, method: str) -> bool:
        return is_authenticated(request)


class IsAuthenticatedOrReadOnly(Permission):
    def has_permission(self, request: HttpRequest, resource: WebAPIResource, method: str) -> bool:
        return method in SAFE_METHODS or is_authenticated(request)


class IsStaff(Permission):
    def has_permission(self, request: HttpRequest, resource: WebAPIResource, method: str) -> bool:
        user = getattr(request, "user", None)
        return bool(user is not None and user.is_authenticated and user.is_staff)
