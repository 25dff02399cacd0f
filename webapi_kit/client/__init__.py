"""A link-following client for APIs in webapi_kit's dialect (and Review Board's).

Install with ``pip install webapi_kit[client]`` (it needs :mod:`httpx`)::

    from webapi_kit.client import Client, TokenAuth

    with Client("https://host/api/", auth=TokenAuth("...")) as client:
        root = client.root()
        for author in root.get_authors():
            print(author.name)

The core of webapi_kit never imports this package. Its modules that need
no :mod:`httpx` (``errors``, ``payloads``, ``xml``) can be imported without
it, which :mod:`webapi_kit.testing` does; the names below load :mod:`httpx`
when first used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from webapi_kit.client.errors import (
    APIError,
    ClientError,
    Conflict,
    DoesNotExist,
    FieldError,
    InvalidResponse,
    LinkNotFound,
    NotLoggedIn,
    PermissionDenied,
    PreconditionFailed,
    RateLimitExceeded,
    ServerError,
    TransportError,
)
from webapi_kit.client.payloads import Answer
from webapi_kit.client.wire import RetryPolicy

if TYPE_CHECKING:
    from webapi_kit.client.aio import AsyncClient, AsyncItem, AsyncResourceList
    from webapi_kit.client.auth import BasicAuth, HeaderAuth, TokenAuth
    from webapi_kit.client.sync import Client, Item, ResourceList

#: The names whose modules import httpx, and where they live.
_NEEDS_HTTPX = {
    "AsyncClient": "aio", "AsyncItem": "aio", "AsyncResourceList": "aio",
    "BasicAuth": "auth", "HeaderAuth": "auth", "TokenAuth": "auth",
    "Client": "sync", "Item": "sync", "ResourceList": "sync",
}


def __getattr__(name: str) -> Any:
    module = _NEEDS_HTTPX.get(name)
    if module is None:
        raise AttributeError(f"module 'webapi_kit.client' has no attribute {name!r}")
    try:
        return getattr(importlib.import_module(f"webapi_kit.client.{module}"), name)
    except ModuleNotFoundError as exc:
        if exc.name != "httpx":
            raise
        raise ImportError("webapi_kit.client needs httpx: pip install 'webapi_kit[client]'") from exc

__all__ = [
    "APIError",
    "Answer",
    "AsyncClient",
    "AsyncItem",
    "AsyncResourceList",
    "BasicAuth",
    "Client",
    "ClientError",
    "Conflict",
    "DoesNotExist",
    "FieldError",
    "HeaderAuth",
    "InvalidResponse",
    "Item",
    "LinkNotFound",
    "NotLoggedIn",
    "PermissionDenied",
    "PreconditionFailed",
    "RateLimitExceeded",
    "ResourceList",
    "RetryPolicy",
    "ServerError",
    "TokenAuth",
    "TransportError",
]
