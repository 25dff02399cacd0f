"""The queuey service's native surface (wire-compatible with its seed).

Included at ``/queuey/`` by the project, so the seed's ``/v1/{application}``
is ``/queuey/v1/{application}``; include it at the site root to serve the
seed's paths exactly.
"""

from __future__ import annotations

from typing import Any

from queuey.native.authentication import LenientApplicationKeyAuthentication
from queuey.native.envelope import QueueyEnvelope
from queuey.native.resources import ApplicationQueuesResource, MessagesByIdResource, QueueResource
from webapi_kit.api import API
from webapi_kit.renderers import JSONRenderer

api = API(
    [ApplicationQueuesResource(), QueueResource(), MessagesByIdResource()],
    envelope=QueueyEnvelope(),
    renderers=[JSONRenderer()],
    authentication_classes=[LenientApplicationKeyAuthentication],
    permission_classes=[],
    throttle_classes=[],
    root=False,
    # The original service ignored Accept: answer JSON whatever a client asks.
    strict_accept=False,
)

urlpatterns: list[Any] = api.urls
