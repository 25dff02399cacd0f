"""URL patterns for an API's document and docs pages, linked from its root.

::

    from webapi_kit.openapi import openapi_urls

    urlpatterns = [path("api/", include([*openapi_urls(api, title="My API"), *api.urls]))]

The patterns go *before* ``api.urls``, whose last pattern answers every
other URL under the prefix with a 404.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.http import HttpRequest
from django.urls import URLPattern, path

from webapi_kit.api import API
from webapi_kit.openapi.docs import asset_view, redoc_view, swagger_view
from webapi_kit.openapi.views import SCHEMA_PATH, schema_view

__all__ = ["openapi_urls"]


def openapi_urls(
    api: API,
    *,
    title: str = "Web API",
    version: str = "1.0",
    description: str = "",
    docs: bool = True,
    more_schemas: Sequence[tuple[str, str]] = (),
) -> list[URLPattern]:
    """``openapi.json`` and (with ``docs``) ``docs/``, ``docs/redoc/`` and their assets.

    The root of ``api`` links them as ``openapi`` and ``docs``.
    ``more_schemas`` adds other documents to the docs page's list, as
    ``(name, absolute path)`` pairs (another API of the same site, say).
    """
    patterns = [path(SCHEMA_PATH, api.own_view(schema_view(api, title=title, version=version, description=description)),
                     name="webapi-openapi")]
    api.root_links["openapi"] = SCHEMA_PATH
    if not docs:
        return patterns

    def urls(request: HttpRequest) -> list[tuple[str, str]]:
        docs_at = request.path
        own = docs_at[: docs_at.rfind("docs/")] + SCHEMA_PATH
        return [(title, own), *more_schemas]

    patterns += [
        path("docs/", api.own_view(swagger_view(title, urls)), name="webapi-docs"),
        path("docs/redoc/", api.own_view(redoc_view(title, urls)), name="webapi-docs-redoc"),
        path("docs/assets/<str:name>", api.own_view(asset_view), name="webapi-docs-asset"),
    ]
    api.root_links["docs"] = "docs/"
    return patterns
