""":class:`APIResult`: a response of the test client with its payload decoded."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.http import HttpResponse

from webapi_kit.client.payloads import ENVELOPE_KEYS

__all__ = ["APIResult", "links_of", "payload_of"]


@dataclass
class APIResult:
    """What the API answered: ``payload`` is the whole decoded body (``{}`` when empty).

    ``item`` and ``items`` are the one object or list the dialect's envelope
    carries; ``links`` are the item's links, or the envelope's for a list or
    the root. ``result["key"]`` reads the payload.
    """

    response: HttpResponse
    payload: dict[str, Any]

    @property
    def status_code(self) -> int:
        return self.response.status_code

    @property
    def headers(self) -> Mapping[str, str]:
        return self.response.headers

    @property
    def content_type(self) -> str:
        return str(self.response.get("Content-Type", ""))

    def __getitem__(self, key: str) -> Any:
        return self.payload[key]

    def __contains__(self, key: object) -> bool:
        return key in self.payload

    @property
    def payload_key(self) -> str | None:
        keys = [key for key in self.payload if key not in ENVELOPE_KEYS]
        return keys[0] if len(keys) == 1 else None

    @property
    def item(self) -> dict[str, Any]:
        """The object of an item answer (``payload["feed"]``)."""
        value = self.payload.get(self.payload_key or "")
        if not isinstance(value, dict):
            raise AssertionError(f"the answer holds no single object: {self.payload!r}")
        return value

    @property
    def items(self) -> list[dict[str, Any]]:
        """The objects of a list answer (``payload["feeds"]``)."""
        value = self.payload.get(self.payload_key or "")
        if not isinstance(value, list):
            raise AssertionError(f"the answer holds no list: {self.payload!r}")
        return value

    @property
    def links(self) -> dict[str, dict[str, Any]]:
        return links_of(self)


def payload_of(target: APIResult | Mapping[str, Any]) -> Mapping[str, Any]:
    return target.payload if isinstance(target, APIResult) else target


def links_of(target: APIResult | Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The links of an item, of an answer's item, or of the envelope (lists, the root)."""
    data = payload_of(target)
    key = target.payload_key if isinstance(target, APIResult) else None
    if key is not None and isinstance(data.get(key), dict) and isinstance(data[key].get("links"), dict):
        links: dict[str, dict[str, Any]] = data[key]["links"]
        return links
    found = data.get("links")
    if not isinstance(found, dict):
        raise AssertionError(f"no links in {dict(data)!r}")
    return found

