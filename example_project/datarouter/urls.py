"""The datarouter service's native surface (wire-compatible with its seed).

Includable at any prefix, the site root included.
"""

from __future__ import annotations

from django.urls import URLPattern

from .native import api

urlpatterns: list[URLPattern] = api.urls
