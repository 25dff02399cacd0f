"""``openapi.json``: the document of an API, served from where the API is mounted."""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus

from django.http import HttpRequest, HttpResponse

from webapi_kit.api import API
from webapi_kit.conditional import etag_for, if_none_match_passes
from webapi_kit.openapi.document import openapi_json

__all__ = ["SCHEMA_PATH", "schema_view"]

#: Where the document is served, relative to the API's root.
SCHEMA_PATH = "openapi.json"


def schema_view(api: API, *, title: str, version: str, description: str = "") -> Callable[[HttpRequest], HttpResponse]:
    """A view answering ``GET`` with ``api``'s document (built once per mount point)."""
    etags: dict[bytes, str] = {}

    def view(request: HttpRequest) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            response = HttpResponse(status=HTTPStatus.METHOD_NOT_ALLOWED)
            response["Allow"] = "GET, HEAD"
            return response
        path = request.path
        prefix = path[: -len(SCHEMA_PATH)] if path.endswith(SCHEMA_PATH) else path
        body = openapi_json(api, prefix=prefix, title=title, version=version, description=description)
        etag = etags.get(body)
        if etag is None:
            etag = etags[body] = etag_for(body)
        if_none_match = request.META.get("HTTP_IF_NONE_MATCH")
        if if_none_match is not None and not if_none_match_passes(if_none_match, etag):
            response = HttpResponse(status=HTTPStatus.NOT_MODIFIED)
            del response["Content-Type"]
        else:
            response = HttpResponse(b"" if request.method == "HEAD" else body, content_type="application/json")
            response["Content-Length"] = str(len(body))
        response["ETag"] = etag
        response["X-Content-Type-Options"] = "nosniff"
        return response

    return view
