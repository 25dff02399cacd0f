"""The retry service's native surface (wire-compatible with its seed).

Include it at any prefix; at the site root it serves the seed's paths exactly.
"""

from __future__ import annotations

from django.urls import URLPattern

from retry.native import RENDERERS, HealthResource, NativeEnvelope, RequestsResource
from webapi_kit.api import API

api = API(
    [RequestsResource(), HealthResource()],
    envelope=NativeEnvelope(),
    renderers=RENDERERS,
    # Owners identify themselves by header; no logins, no sessions.
    authentication_classes=[],
    permission_classes=[],
    throttle_classes=[],
    root=False,
    # The original service ignored Accept: answer JSON whatever a client asks.
    strict_accept=False,
)

urlpatterns: list[URLPattern] = api.urls
