"""A link-following client for APIs in webapi_kit's dialect (and Review Board's).

Install with ``pip install webapi_kit[client]`` (it needs :mod:`httpx`)::

    from webapi_kit.client import Client, TokenAuth

    with Client("https://host/api/", auth=TokenAuth("...")) as client:
        root = client.root()
        for author in root.get_authors():
            print(author.name)

The core of webapi_kit never imports this package.
"""

from webapi_kit.client.aio import AsyncClient, AsyncItem, AsyncResourceList
from webapi_kit.client.auth import BasicAuth, HeaderAuth, TokenAuth
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
from webapi_kit.client.sync import Client, Item, ResourceList
from webapi_kit.client.wire import RetryPolicy

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
