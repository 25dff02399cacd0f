"""schemathesis hooks: datarouter's seed media types are JSON without a ``+json`` suffix."""

from __future__ import annotations

import json
from typing import Any

import schemathesis

JSON_TYPES = [
    f"application/vnd.{org}-dr.{kind}"
    for org in ("att", "dmaap")
    for kind in ("feed", "subscription", "subscription-list", "log-list")
]

schemathesis.serializer.alias(JSON_TYPES, "application/json")


@schemathesis.deserializer(*JSON_TYPES)
def seed_json(ctx: Any, response: Any) -> Any:
    return json.loads(response.content)
