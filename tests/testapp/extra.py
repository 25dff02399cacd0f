"""Resources and URLs for the API-level tests (``pytest.mark.urls("tests.testapp.extra")``).

* the test app's API mounted twice (``api/`` and ``mirror/v1/``);
* a small catalogue in two envelopes: ``stat/`` (StatEnvelope) and
  ``status/`` (StatusEnvelope), built from the same resource classes;
* a singleton, a list child, explicit paths and resources that fail.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, OperationalError
from django.http import HttpRequest
from django.urls import include, path

from tests.testapp.models import Author, Book
from tests.testapp.resources import api as library_api
from webapi_kit.api import API
from webapi_kit.envelopes import ErrorListEnvelope, StatEnvelope, StatusEnvelope
from webapi_kit.errors import Conflict, FieldError
from webapi_kit.fields import Int, String, request_fields
from webapi_kit.relations import Related
from webapi_kit.resource import WebAPIResource
from webapi_kit.responses import APIResponse


class ShelfBookResource(WebAPIResource):
    """Books at ``shelf/{book_id}`` (explicit paths, no nesting)."""

    name = "shelf_book"
    model = Book
    list_path = "shelf/"
    item_path = "shelf/{book_id}"
    uri_object_key = "book_id"
    fields = {"id": Int(), "title": String(), "author": Related("writer")}
    allowed_methods = ("GET",)


class WriterResource(WebAPIResource):
    name = "writer"
    model = Author
    fields = {"id": Int(), "name": String()}
    allowed_methods = ("GET", "POST")

    @request_fields(required={"name": String(max_length=100)})
    def create(self, request: HttpRequest, data: dict[str, Any]) -> Author:
        if Author.objects.filter(name=data["name"]).exists():
            raise Conflict(extra={"error_key": "name"})
        return Author.objects.create(**data)


class StatsResource(WebAPIResource):
    """A list child: ``writers/stats/``, a singleton."""

    name = "stats"
    singleton = True

    def get(self, request: HttpRequest, data: Any, **kwargs: str) -> APIResponse:
        return APIResponse({"stats": {"writers": Author.objects.count()}})


class SettingsResource(WebAPIResource):
    """A top-level singleton that can be read and changed."""

    name = "settings"
    singleton = True
    allowed_methods = ("GET", "PUT")
    state: dict[str, Any] = {"theme": "light", "beta": False}

    def get(self, request: HttpRequest, data: Any, **kwargs: str) -> APIResponse:
        return APIResponse({"settings": dict(self.state)})

    @request_fields(optional={"theme": String()})
    def update(self, request: HttpRequest, data: dict[str, Any], **kwargs: str) -> APIResponse:
        self.state.update(data)
        return APIResponse({"settings": dict(self.state)})


class FailureResource(WebAPIResource):
    """``failures/{failure_id}/``: 1 raises, 2 loses the database, 3 a unique violation,
    5 another integrity error, 6 a value the database cannot hold, anything else a field error."""

    name = "failure"
    allowed_methods = ("GET",)

    def get(self, request: HttpRequest, data: Any, failure_id: str) -> Any:
        if failure_id == "1":
            raise RuntimeError("secret internals")
        if failure_id == "2":
            raise OperationalError("could not connect to server")
        if failure_id == "3":
            raise IntegrityError("UNIQUE constraint failed")
        if failure_id == "5":  # a real NOT NULL violation: the code's fault, not the client's
            Author.objects.create(name=None)
        if failure_id == "6":  # a real value too large for an integer column
            Author.objects.create(name="x", birth_year=2**80)
        raise FieldError({"q": ["is wrong"]})


def catalogue(envelope: Any, vendor: str | None = "example.org") -> API:
    writers = WriterResource()
    writers.list_child_resources = [StatsResource()]
    return API(
        [writers, ShelfBookResource(), SettingsResource(), FailureResource()],
        envelope=envelope,
        mimetype_vendor=vendor,
    )


stat_api = catalogue(StatEnvelope())
status_api = catalogue(StatusEnvelope(), vendor=None)
errors_api = catalogue(ErrorListEnvelope(), vendor=None)

urlpatterns = [
    path("api/", include(library_api.urls)),
    path("mirror/v1/", include(library_api.urls)),
    path("bücher/", include(library_api.urls)),
    path("stat/", include(stat_api.urls)),
    path("status/", include(status_api.urls)),
    path("errors/", include(errors_api.urls)),
]
