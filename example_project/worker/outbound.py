"""The HTTP client the workers send with: only the headers each service means to send.

httpx puts ``Accept: */*``, ``Accept-Encoding: gzip, deflate``,
``Connection: keep-alive`` and ``User-Agent: python-httpx/…`` on every
request. A retried request must reach its target as it was submitted, and a
delivery must carry what the Data Router guide lists, so those defaults go.
What stays is a ``User-Agent`` naming the service (``webapi_kit-retry/0.1.0``),
so a target's logs say who is calling; a header the request itself carries
(a stored request's own ``User-Agent``) replaces it. Leaving out
``Connection: keep-alive`` changes nothing: HTTP/1.1 connections are
persistent by default, and the pool still reuses them.
"""

from __future__ import annotations

from typing import Any

import httpx

import webapi_kit

__all__ = ["client", "user_agent"]

#: httpx's own defaults, which no service asked for.
_UNASKED = ("Accept", "Accept-Encoding", "Connection")


def user_agent(service: str) -> str:
    """The ``User-Agent`` of ``service``'s outbound requests."""
    return f"webapi_kit-{service}/{webapi_kit.__version__}"


def client(service: str, **options: Any) -> httpx.AsyncClient:
    """An ``httpx.AsyncClient`` (``options`` as for it) that sends only ``Host``, the framing headers,
    the request's own headers and ``User-Agent: webapi_kit-<service>/<version>``."""
    outbound = httpx.AsyncClient(**options)
    for name in _UNASKED:
        outbound.headers.pop(name, None)
    outbound.headers["User-Agent"] = user_agent(service)
    return outbound
