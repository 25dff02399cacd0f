"""The provisioning bodies :mod:`datarouter.validation` accepts, as JSON Schema for the OpenAPI documents.

Kept beside the rules they restate; both surfaces take the same bodies.
"""

from __future__ import annotations

from typing import Any

from .validation import INT64_MAX, INT64_MIN

__all__ = ["FEED_CHANGES", "FEED_INPUT", "SUBSCRIPTION_INPUT"]


def _text(max_length: int, *, blank: bool = True) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string", "maxLength": max_length}
    if not blank:
        schema["pattern"] = r"\S"  # not only spaces
    return schema


_GROUP_ID = {"type": "integer", "minimum": INT64_MIN, "maximum": INT64_MAX}

FEED_INPUT: dict[str, Any] = {
    "type": "object",
    "required": ["name", "version", "description", "business_description", "authorization"],
    "description": "On a PUT, name, version and the endpoints' passwords may be left out.",
    "properties": {
        "name": _text(20, blank=False),
        "version": _text(20, blank=False),
        "description": _text(256),
        "business_description": _text(256),
        "authorization": {
            "type": "object",
            "required": ["classification", "endpoint_ids"],
            "properties": {
                "classification": _text(32, blank=False),
                "endpoint_ids": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "type": "object",
                        "required": ["id", "password"],
                        "properties": {"id": _text(20, blank=False), "password": _text(32, blank=False)},
                    },
                },
                "endpoint_addrs": {"type": "array", "items": {"type": "string", "description": "An IP address or CIDR."}},
            },
        },
        "suspend": {"type": "boolean"},
        "groupid": _GROUP_ID,
    },
}

#: The /api/ tree's PUT: only the members given change (services.change_feed).
FEED_CHANGES: dict[str, Any] = {
    **FEED_INPUT,
    "required": [],
    "description": "Only the members given change; name and version cannot. Inside authorization too: an "
                   "endpoint id given without a password keeps its own.",
    "properties": {
        **FEED_INPUT["properties"],
        "authorization": {
            "type": "object",
            "properties": {
                **FEED_INPUT["properties"]["authorization"]["properties"],
                "endpoint_ids": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "type": "object",
                        "required": ["id"],
                        "properties": {"id": _text(20, blank=False), "password": _text(32, blank=False)},
                    },
                },
            },
        },
    },
}

SUBSCRIPTION_INPUT: dict[str, Any] = {
    "type": "object",
    "required": ["delivery"],
    "description": "On a PUT, the delivery password may be left out.",
    "properties": {
        "delivery": {
            "type": "object",
            "required": ["url", "user", "password", "use100"],
            "properties": {
                "url": {**_text(256, blank=False), "description": "An absolute http or https URL."},
                "user": {**_text(60, blank=False), "description": "Without a colon."},
                "password": _text(100, blank=False),
                "use100": {"type": "boolean"},
            },
        },
        "metadataOnly": {"type": "boolean"},
        "follow_redirect": {"type": "boolean"},
        "suspend": {"type": "boolean"},
        "groupid": _GROUP_ID,
    },
}
