"""An API with login sessions on, for the login-session and token tests.

``/api/`` offers notes (each user sees their own), the API tokens of
:mod:`webapi_kit.tokens` and the session resource; users log in with HTTP
Basic, an API token or the Django session a browser login form makes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import include, path

from tests.testapp.models import Note
from webapi_kit.api import API
from webapi_kit.authentication import BasicAuthentication, SessionAuthentication
from webapi_kit.fields import Int, String, request_fields
from webapi_kit.permissions import IsAuthenticated
from webapi_kit.resource import WebAPIResource
from webapi_kit.tokens.authentication import TokenAuthentication
from webapi_kit.tokens.resources import APITokenResource


class OwnNoteResource(WebAPIResource):
    name = "note"
    model = Note
    fields = {"id": Int("The note's ID."), "text": String("The text.")}
    allowed_methods = ("GET", "POST", "DELETE")
    permission_classes = [IsAuthenticated]

    def get_queryset(self, request: HttpRequest, is_list: bool = False, **kwargs: str) -> QuerySet[Any]:
        return Note.objects.filter(owner=request.user).order_by("pk")

    @request_fields(required={"text": String(max_length=200)})
    def create(self, request: HttpRequest, data: Mapping[str, Any]) -> Note:
        return Note.objects.create(owner=request.user, **data)


api = API(
    [OwnNoteResource(), APITokenResource()],
    mimetype_vendor="example.org",
    authentication_classes=[SessionAuthentication, BasicAuthentication, TokenAuthentication],
    login_sessions=True,
)

urlpatterns = [path("api/", include(api.urls))]
