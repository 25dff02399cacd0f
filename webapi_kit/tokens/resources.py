"""``/api/api-tokens/``: a user's own tokens, in the dialect.

``POST`` makes one (``note`` optional) and answers with the token in
``token`` — the only time it is ever shown; ``GET`` lists the caller's
tokens (prefix, note, dates, never the token); ``PUT`` changes the note;
``DELETE`` revokes. Callers see only their own tokens: another user's are
not there (``404``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest

from webapi_kit.context import RequestContext
from webapi_kit.fields import DateTime, Int, String, request_fields
from webapi_kit.permissions import Permission
from webapi_kit.resource import WebAPIResource
from webapi_kit.tokens.models import APIToken
from webapi_kit.tokens.services import issue_token

__all__ = ["APITokenResource", "HasUser"]

_NOTE = String("What the token is for.", max_length=200)


class HasUser(Permission):
    """A logged-in Django user (a key that stands for no user is not enough)."""

    def has_permission(self, request: HttpRequest, resource: WebAPIResource, method: str) -> bool:
        user = getattr(request, "user", None)
        return bool(user is not None and user.is_authenticated)


class APITokenResource(WebAPIResource):
    """The caller's API tokens."""

    name = "api_token"
    uri_name = "api-tokens"
    model = APIToken
    allowed_methods = ("GET", "POST", "PUT", "DELETE")
    permission_classes = (HasUser,)
    fields = {
        "id": Int("The token's id."),
        "prefix": String("The token's first characters, to tell tokens apart."),
        "note": String("What the token is for."),
        "created": DateTime("When it was made."),
        "last_used": DateTime("When it last let a request in (to the minute; null if never)."),
    }

    def get_queryset(self, request: HttpRequest, is_list: bool = False, **kwargs: str) -> QuerySet[Any]:
        return APIToken.objects.filter(user=request.user).order_by("created", "pk")

    def serialize_object(self, obj: Any, ctx: RequestContext, href: str | None = None) -> dict[str, Any]:
        item = super().serialize_object(obj, ctx, href)
        key = getattr(obj, "_new_key", None)
        if key is not None:  # the answer to the POST that made it: the one time it is shown
            item["token"] = key
        return item

    @request_fields(optional={"note": _NOTE})
    def create(self, request: HttpRequest, data: Mapping[str, Any], **kwargs: str) -> APIToken:
        token, key = issue_token(request.user, data.get("note") or "")
        token._new_key = key  # type: ignore[attr-defined]
        return token

    @request_fields(optional={"note": _NOTE})
    def update(self, request: HttpRequest, data: Mapping[str, Any], **kwargs: str) -> APIToken:
        token: APIToken = self.get_object(request, False, **kwargs)
        if "note" in data:
            token.note = data["note"] or ""
            token.save(update_fields=["note"])
        return token

    def delete(self, request: HttpRequest, data: Mapping[str, Any], **kwargs: str) -> None:
        token: APIToken = self.get_object(request, False, **kwargs)
        token.delete()
