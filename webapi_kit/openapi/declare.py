"""What a handler's declarations cannot say, said with one decorator.

Most of a document comes from the declarations alone. A handler that
returns an :class:`~webapi_kit.responses.APIResponse` (a free-form payload,
a native wire format) describes its answers, and any query parameters or
headers it reads itself, with :func:`describe`::

    @describe(
        responses=[Answer(200, {"type": "object", "properties": {"count": {"type": "integer"}}})],
        parameters=[Parameter("state", "query", {"enum": ["pending", "done"]})],
    )
    def get_list(self, request, data, **kwargs): ...

The decorator only records; the request pipeline never reads it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, Literal, TypeVar

from webapi_kit.openapi.schemas import Schema

__all__ = ["Answer", "Operation", "Parameter", "RequestBody", "describe", "get_operation"]

F = TypeVar("F", bound=Callable[..., Any])

_ATTR = "__webapi_openapi__"


@dataclass(frozen=True)
class Answer:
    """One success answer of a handler.

    ``schema`` is the payload before the API's envelope wraps it
    (``enveloped=False``: the body exactly, for surfaces whose success
    bodies are not wrapped); ``None`` means no body. ``content_types`` are
    the ``Content-Type`` values it is sent with (default: the resource's
    negotiated types); ``headers`` maps header names to
    ``(schema, required)``.
    """

    status: int
    schema: Schema | None = None
    description: str = ""
    content_types: Sequence[str] | None = None
    headers: Mapping[str, tuple[Schema, bool]] = field(default_factory=dict)
    enveloped: bool = True


@dataclass(frozen=True)
class Parameter:
    """A query parameter or header a handler reads itself."""

    name: str
    location: Literal["query", "header"]
    schema: Schema
    description: str = ""
    required: bool = False


@dataclass(frozen=True)
class RequestBody:
    """A body the handler reads itself (declared fields describe theirs)."""

    schema: Schema
    content_types: Sequence[str] = ("application/json",)
    required: bool = True
    description: str = ""


@dataclass(frozen=True)
class Operation:
    """Everything :func:`describe` recorded on a handler."""

    summary: str | None = None
    description: str | None = None
    responses: Sequence[Answer] = ()
    parameters: Sequence[Parameter] = ()
    request_body: RequestBody | None = None
    tags: Sequence[str] = ()


def describe(
    *,
    summary: str | None = None,
    description: str | None = None,
    responses: Sequence[Answer] = (),
    parameters: Sequence[Parameter] = (),
    request_body: RequestBody | None = None,
    tags: Sequence[str] = (),
) -> Callable[[F], F]:
    """Record what the generated document should say about a handler."""
    for answer in responses:
        HTTPStatus(answer.status)  # a typo fails at import, not in the document
    recorded = Operation(summary, description, tuple(responses), tuple(parameters), request_body, tuple(tags))

    def decorate(func: F) -> F:
        setattr(func, _ATTR, recorded)
        return func

    return decorate


def get_operation(handler: Callable[..., Any]) -> Operation | None:
    """What :func:`describe` recorded on ``handler`` (a function or bound method)."""
    recorded = getattr(handler, _ATTR, None)
    return recorded if isinstance(recorded, Operation) else None
