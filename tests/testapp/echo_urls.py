"""A database-free upload endpoint for tests that run real servers."""

from __future__ import annotations

import hashlib
from typing import Any

from django.http import HttpRequest
from django.urls import include, path

from webapi_kit import API, APIResponse, WebAPIResource, request_context
from webapi_kit.parsers import RawParser


class UploadResource(WebAPIResource):
    """``POST uploads/``: answers the size and digest of the body it received."""

    name = "upload"
    allowed_methods = ("POST",)
    parsers = (RawParser(),)
    authentication_classes = ()

    def create(self, request: HttpRequest, data: Any) -> APIResponse:
        raw = request_context(request).body.raw
        content = raw.read() if raw is not None else b""
        return APIResponse({"size": len(content), "sha256": hashlib.sha256(content).hexdigest()})


urlpatterns = [path("api/", include(API([UploadResource()], root=False).urls))]
