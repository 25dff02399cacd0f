"""The datarouter service's native surface (wire-compatible with its seed).

Includable at any prefix, the site root included.
"""

from __future__ import annotations

from django.urls import URLPattern, re_path

from .native import api
from .views import publish_view

urlpatterns: list[URLPattern] = [
    re_path(r"^publish/(?P<feed_id>[^/]+)/(?P<file_id>[^/]+)$", publish_view, name="datarouter-publish"),
    *api.urls,
]
