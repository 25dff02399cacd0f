"""Envelope shapes: what an API's envelope makes of items, pages, payloads and errors.

Each :class:`~webapi_kit.envelopes.Envelope` that ships with webapi_kit has a
shape here. An envelope of your own describes itself with a method
``openapi_shape()`` returning an :class:`EnvelopeShape`; without one, the
shape of the nearest built-in envelope it extends is used (and a direct
subclass of ``Envelope`` gets :class:`EnvelopeShape`, which passes success
bodies through and says nothing of errors).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

from webapi_kit.envelopes import BareEnvelope, Envelope, ErrorListEnvelope, StatEnvelope, StatusEnvelope
from webapi_kit.openapi.schemas import Schema

if TYPE_CHECKING:
    from webapi_kit.resource import WebAPIResource

__all__ = [
    "BareShape",
    "DescribedEnvelope",
    "EnvelopeShape",
    "ErrorListShape",
    "StatShape",
    "StatusShape",
    "shape_for",
]

_STRING: Schema = {"type": "string"}
_FIELD_MESSAGES: Schema = {
    "type": "object",
    "description": "Each bad field with its messages.",
    "additionalProperties": {"type": "array", "items": _STRING},
}


class EnvelopeShape:
    """Success bodies as they are; errors undescribed. Subclasses say more."""

    def item(self, resource: WebAPIResource, item: Schema) -> Schema:
        """The body of one object of ``resource``."""
        return item

    def page(self, resource: WebAPIResource, item: Schema, page_links: Schema) -> Schema:
        """The body of a page of ``resource``'s list."""
        return {"type": "array", "items": item}

    def payload(self, payload: Schema) -> Schema:
        """The body of a free-form payload (``APIResponse``)."""
        return payload

    def error(self) -> Schema:
        """The body of every error."""
        return {}

    def item_pointer(self, resource: WebAPIResource) -> str | None:
        """Where an item's fields sit in :meth:`item`'s body, as a JSON pointer (``None``: unknown)."""
        return ""


def _with(payload: Schema, key: str, value: str) -> Schema:
    """``payload`` (an object) with one more required constant key."""
    if payload.get("type") == "object" and "allOf" not in payload:
        properties = {key: {"const": value}, **payload.get("properties", {})}
        return {**payload, "properties": properties, "required": [key, *payload.get("required", [])]}
    return {"allOf": [payload, {"type": "object", "required": [key], "properties": {key: {"const": value}}}]}


class StatShape(EnvelopeShape):
    """:class:`~webapi_kit.envelopes.StatEnvelope`: ``stat``, the item key, ``links``, ``total_results``."""

    def item(self, resource: WebAPIResource, item: Schema) -> Schema:
        return {
            "type": "object",
            "required": ["stat", resource.name],
            "properties": {"stat": {"const": "ok"}, resource.name: item},
        }

    def item_pointer(self, resource: WebAPIResource) -> str | None:
        return "/" + resource.name.replace("~", "~0").replace("/", "~1")

    def page(self, resource: WebAPIResource, item: Schema, page_links: Schema) -> Schema:
        return {
            "type": "object",
            "required": ["stat", resource.name_plural, "links", "total_results"],
            "properties": {
                "stat": {"const": "ok"},
                resource.name_plural: {"type": "array", "items": item},
                "links": page_links,
                "total_results": {"type": "integer", "minimum": 0, "description": "How many objects the whole list has."},
            },
        }

    def payload(self, payload: Schema) -> Schema:
        return _with(payload, "stat", "ok")

    def error(self) -> Schema:
        return {
            "type": "object",
            "required": ["stat", "err"],
            "properties": {
                "stat": {"const": "fail"},
                "err": {
                    "type": "object",
                    "required": ["code", "msg", "type"],
                    "properties": {
                        "code": {"type": "integer", "description": "The error's stable code."},
                        "msg": {"type": "string", "description": "What went wrong, for people."},
                        "type": {"type": "string", "description": "The error's stable name."},
                    },
                },
                "fields": _FIELD_MESSAGES,
            },
        }


class StatusShape(EnvelopeShape):
    """:class:`~webapi_kit.envelopes.StatusEnvelope`: ``{"status": "ok", ...}`` / ``error_msg``."""

    def item(self, resource: WebAPIResource, item: Schema) -> Schema:
        return _with(item, "status", "ok")

    def page(self, resource: WebAPIResource, item: Schema, page_links: Schema) -> Schema:
        return {
            "type": "object",
            "required": ["status", resource.name_plural],
            "properties": {"status": {"const": "ok"}, resource.name_plural: {"type": "array", "items": item}},
        }

    def payload(self, payload: Schema) -> Schema:
        return _with(payload, "status", "ok")

    def error(self) -> Schema:
        return {
            "type": "object",
            "required": ["status", "error_msg"],
            "properties": {
                "status": {"const": "error"},
                "error_msg": {
                    "type": "object",
                    "description": "Messages keyed by the bad field, or by the error's name.",
                    "additionalProperties": _STRING,
                },
            },
        }


class ErrorListShape(EnvelopeShape):
    """:class:`~webapi_kit.envelopes.ErrorListEnvelope`: ``{"errors": [{type, message}, ...]}``."""

    def error(self) -> Schema:
        return {
            "type": "object",
            "required": ["errors"],
            "properties": {
                "errors": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "type": "object",
                        "required": ["type", "message"],
                        "properties": {"type": _STRING, "message": _STRING},
                    },
                }
            },
        }


class BareShape(EnvelopeShape):
    """:class:`~webapi_kit.envelopes.BareEnvelope`: ``{"error": {code, type, message, fields?}}``."""

    def error(self) -> Schema:
        return {
            "type": "object",
            "required": ["error"],
            "properties": {
                "error": {
                    "type": "object",
                    "required": ["code", "type", "message"],
                    "properties": {
                        "code": {"type": "integer"},
                        "type": _STRING,
                        "message": _STRING,
                        "fields": _FIELD_MESSAGES,
                    },
                }
            },
        }


@runtime_checkable
class DescribedEnvelope(Protocol):
    """An envelope that describes its own shape."""

    def openapi_shape(self) -> EnvelopeShape: ...


_BUILT_IN: tuple[tuple[type[Envelope], type[EnvelopeShape]], ...] = (
    (StatEnvelope, StatShape),
    (StatusEnvelope, StatusShape),
    (ErrorListEnvelope, ErrorListShape),
    (BareEnvelope, BareShape),
)


def shape_for(envelope: Envelope) -> EnvelopeShape:
    """The shape ``envelope`` describes, else that of the built-in envelope it extends."""
    if isinstance(envelope, DescribedEnvelope):
        return envelope.openapi_shape()
    for cls, shape in _BUILT_IN:
        if isinstance(envelope, cls):
            return shape()
    return EnvelopeShape()
