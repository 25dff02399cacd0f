"""Envelopes: how an API wraps its payloads and its errors on the wire.

Resources never build a top-level body themselves. They hand the envelope an
item, a page of items, a free-form payload or an error, and the envelope
returns the data to render. One envelope object serves a whole API (or one
resource), so an API whose seed document says ``{"status": "ok"}`` and an API
in the default ``{"stat": "ok"}`` dialect share every other line of code.

Four envelopes ship with webapi_kit:

* :class:`StatEnvelope` — the default dialect: ``{"stat": "ok", "author": {...}}``
  and ``{"stat": "fail", "err": {"code", "msg", "type"}, "fields"?}``.
* :class:`StatusEnvelope` — ``{"status": "ok", ...}`` and
  ``{"status": "error", "error_msg": {key: message}}``.
* :class:`ErrorListEnvelope` — success bodies as they are, failures as
  ``{"errors": [{"type", "message"}, ...]}``.
* :class:`BareEnvelope` — success bodies as they are, failures as
  ``{"error": {"code", "type", "message"}}``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from webapi_kit.errors import FieldError, WebAPIError

if TYPE_CHECKING:
    from webapi_kit.resource import WebAPIResource

__all__ = ["BareEnvelope", "Envelope", "ErrorListEnvelope", "StatEnvelope", "StatusEnvelope"]


class Envelope:
    """Base class: success bodies pass through; subclasses shape errors.

    ``item``, ``page`` and ``payload`` receive already-serialized data
    (dicts, lists, primitives; a page's items may be an
    :class:`~webapi_kit.rows.ItemRows`, which reads as a list of dicts);
    ``error`` receives the exception.
    """

    def item(self, resource: WebAPIResource, item: Any) -> Any:
        """The body for one object of ``resource``."""
        return item

    def page(self, resource: WebAPIResource, items: Sequence[Any], *, links: Mapping[str, Any], total_results: int) -> Any:
        """The body for a list (one page of it) of ``resource``."""
        return items

    def payload(self, data: Any) -> Any:
        """The body for a free-form success payload (the root, custom handlers)."""
        return data

    def error(self, error: WebAPIError) -> Any:
        """The body for a failure."""
        raise NotImplementedError


class StatEnvelope(Envelope):
    """The default dialect (Review Board / djblets)."""

    def item(self, resource: WebAPIResource, item: Any) -> Any:
        return {"stat": "ok", resource.name: item}

    def page(self, resource: WebAPIResource, items: Sequence[Any], *, links: Mapping[str, Any], total_results: int) -> Any:
        return {"stat": "ok", resource.name_plural: items, "links": links, "total_results": total_results}

    def payload(self, data: Any) -> Any:
        return {"stat": "ok", **data}

    def error(self, error: WebAPIError) -> Any:
        body: dict[str, Any] = {"stat": "fail", "err": {"code": error.code, "msg": error.msg, "type": error.type}}
        if isinstance(error, FieldError):
            body["fields"] = error.fields
        body.update(error.extra)
        return body


class StatusEnvelope(Envelope):
    """``{"status": "ok", ...}`` / ``{"status": "error", "error_msg": {...}}``.

    A field error shows each bad field with its messages joined by ``; ``; any other
    error shows under the key ``extra["error_key"]`` when the raiser named
    one, else under its ``type``.
    """

    def item(self, resource: WebAPIResource, item: Any) -> Any:
        return {"status": "ok", **item}

    def page(self, resource: WebAPIResource, items: Sequence[Any], *, links: Mapping[str, Any], total_results: int) -> Any:
        return {"status": "ok", resource.name_plural: items}

    def payload(self, data: Any) -> Any:
        return {"status": "ok", **data}

    def error(self, error: WebAPIError) -> Any:
        if isinstance(error, FieldError):
            messages = {name: "; ".join(msgs) for name, msgs in error.fields.items()}
        else:
            messages = {error.extra.get("error_key", error.type): error.msg}
        return {"status": "error", "error_msg": messages}


class ErrorListEnvelope(Envelope):
    """Success bodies as they are; failures as a list of ``{type, message}``.

    An error may carry ``extra["errors"]`` (a list of such dicts) to report
    several problems at once; otherwise a field error gives one entry per
    message, of type ``extra["error_type"]`` (default ``invalid_body``), and
    any other error one entry of its own type.
    """

    def error(self, error: WebAPIError) -> Any:
        errors: Sequence[Mapping[str, str]] | None = error.extra.get("errors")
        if errors is None:
            if isinstance(error, FieldError):
                error_type = error.extra.get("error_type", "invalid_body")
                errors = [
                    {"type": error_type, "message": message}
                    for messages in error.fields.values()
                    for message in messages
                ]
            else:
                errors = [{"type": error.extra.get("error_type", error.type.replace("-", "_")), "message": error.msg}]
        return {"errors": list(errors)}


class BareEnvelope(Envelope):
    """Success bodies as they are; failures as ``{"error": {...}}``."""

    def error(self, error: WebAPIError) -> Any:
        body: dict[str, Any] = {"code": error.code, "type": error.type, "message": error.msg}
        if isinstance(error, FieldError):
            body["fields"] = error.fields
        return {"error": body}
