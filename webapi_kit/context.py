"""The context of one request: what handlers and serialization need to know.

Built by the resource once it has negotiated the format and parsed the
body; a handler reaches it with :func:`request_context`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from django.http import HttpRequest

from webapi_kit.formats import Format
from webapi_kit.parsers import ParsedBody

__all__ = ["RequestContext", "bind_request_context", "name_set", "query_params", "request_context"]


def name_set(value: str | None) -> frozenset[str] | None:
    """``"a, b"`` → ``{"a", "b"}``; ``None`` stays ``None`` (the option was not given)."""
    if value is None:
        return None
    return frozenset(part.strip() for part in value.split(",") if part.strip())


_NO_QUERY: Mapping[str, str] = {}


def query_params(request: HttpRequest) -> Mapping[str, str]:
    """``request.GET``, without building a QueryDict when there is no query string."""
    return request.GET if request.META.get("QUERY_STRING") else _NO_QUERY


@dataclass(slots=True)
class RequestContext:
    """What serialization needs to know about the request being answered."""

    request: HttpRequest
    format: Format
    #: Absolute URL of the API root, ending in ``/``.
    base_url: str
    kwargs: dict[str, str]
    expand: frozenset[str] = frozenset()
    only_fields: frozenset[str] | None = None
    only_links: frozenset[str] | None = None
    #: The parsed request body (``raw`` holds a streamed body, ``json`` any JSON value).
    body: ParsedBody = field(default_factory=ParsedBody)

    def is_plain(self) -> bool:
        """No ``expand`` and no field or link filter: items take the common path."""
        return not self.expand and self.only_fields is None and self.only_links is None

    def nested(self, expand: frozenset[str]) -> RequestContext:
        """The context for an embedded object: no field filters, one level less of expansion."""
        return replace(self, expand=expand, only_fields=None, only_links=None)


_ATTR = "_webapi_context"


def request_context(request: HttpRequest) -> RequestContext:
    """The context of the request a handler is answering (format, base URL, body)."""
    ctx: RequestContext = getattr(request, _ATTR)
    return ctx


def bind_request_context(request: HttpRequest, ctx: RequestContext) -> None:
    """Make ``ctx`` what :func:`request_context` answers for ``request``."""
    setattr(request, _ATTR, ctx)
