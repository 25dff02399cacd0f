"""Resources for the request-side tests: paging, auth, permissions, throttles.

Mounted by :mod:`tests.testapp.bulk_urls` beside the authors-and-books API,
and served by real processes in the throttling test
(:mod:`tests.throttle_settings`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest

from tests.testapp.models import ApiKey, Note, Row
from webapi_kit.api import API
from webapi_kit.authentication import BasicAuthentication, KeyAuthentication, SessionAuthentication, hash_key
from webapi_kit.fields import Int, String, request_fields
from webapi_kit.permissions import IsAuthenticated, IsStaff, Permission
from webapi_kit.resource import WebAPIResource
from webapi_kit.responses import APIResponse
from webapi_kit.throttling import AnonRateThrottle, HeaderRateThrottle, QueryCountThrottle, UserRateThrottle


class TokenAuthentication(KeyAuthentication):
    """``Authorization: Token <key>``, keys stored hashed in :class:`ApiKey`."""

    scheme = "Token"

    def get_principal(self, key: str) -> ApiKey | None:
        return ApiKey.objects.select_related("user").filter(key_hash=hash_key(key)).first()

    def get_user(self, principal: ApiKey) -> Any:
        return principal.user


class IsOwner(Permission):
    """Only a note's owner may see or delete it."""

    def has_object_permission(self, request: HttpRequest, resource: WebAPIResource, method: str, obj: Any) -> bool:
        return bool(obj.owner_id == getattr(request.user, "pk", None))


class NoteQuota(QueryCountThrottle):
    """Three notes per owner per hour, counted exactly in the database."""

    limit = 3
    window = 3600
    timestamp_field = "created"

    def get_queryset(self, request: HttpRequest, resource: WebAPIResource) -> QuerySet[Any] | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        return Note.objects.filter(owner=user)


class RowResource(WebAPIResource):
    name = "row"
    model = Row
    fields = {"id": Int("The row's ID."), "n": Int("Its number.")}


class NoteResource(WebAPIResource):
    name = "note"
    model = Note
    fields = {"id": Int("The note's ID."), "text": String("The text.")}
    allowed_methods = ("GET", "POST", "DELETE")
    permission_classes = [IsAuthenticated, IsOwner]
    throttle_classes = [NoteQuota]

    @request_fields(required={"text": String(max_length=200)})
    def create(self, request: HttpRequest, data: Mapping[str, Any]) -> Note:
        return Note.objects.create(owner=request.user, **data)


class SecretResource(WebAPIResource):
    """Staff only: anonymous callers get 401, other users 403."""

    name = "secret"
    singleton = True
    uri_name = "secret"
    permission_classes = [IsStaff]

    def get(self, request: HttpRequest, data: Mapping[str, Any], **kwargs: str) -> APIResponse:
        return APIResponse({"secret": {"answer": 42}})


class PingResource(WebAPIResource):
    """Throttled by user (rate ``THROTTLE_RATES["user"]``) and by owner header."""

    name = "ping"
    singleton = True
    uri_name = "ping"
    throttle_classes = [UserRateThrottle, HeaderRateThrottle("X-Owner-ID", "3/hour")]

    def get(self, request: HttpRequest, data: Mapping[str, Any], **kwargs: str) -> APIResponse:
        return APIResponse({"ping": {"pong": True}})


class HitResource(WebAPIResource):
    """Throttled by the API it belongs to."""

    name = "hit"
    singleton = True
    uri_name = "hit"

    def get(self, request: HttpRequest, data: Mapping[str, Any], **kwargs: str) -> APIResponse:
        return APIResponse({"hit": {"ok": True}})


api = API(
    [RowResource(), NoteResource(), SecretResource(), PingResource()],
    mimetype_vendor="example.org",
    authentication_classes=[TokenAuthentication, SessionAuthentication, BasicAuthentication],
)
#: An API whose every resource is throttled by address (rate ``THROTTLE_RATES["anon"]``).
anon_api = API([HitResource()], throttle_classes=[AnonRateThrottle])
