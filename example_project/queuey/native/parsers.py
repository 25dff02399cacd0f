"""A message body as the seed takes it: the raw bytes, whatever the Content-Type.

The native resources parse JSON (a batch) with webapi_kit's JSONParser and
anything else with its RawParser; these helpers read what the raw parser
kept, from the request's context.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest, QueryDict

from webapi_kit.resource import request_context

__all__ = ["form_fields", "raw_body"]


def raw_body(request: HttpRequest) -> bytes | None:
    """The body as sent when it was not JSON (``b""`` when empty), else ``None``."""
    body = request_context(request).body
    if body.raw is not None:
        return body.raw.read()
    return None if body.json is not None else b""


def form_fields(request: HttpRequest, data: Mapping[str, Any]) -> Mapping[str, Any]:
    """Form fields from a raw ``a=1&b=2`` body, or the fields of a JSON body."""
    content = raw_body(request)
    if content is None:
        return data
    try:
        return QueryDict(content, encoding="utf-8").dict()
    except UnicodeDecodeError:
        return {}
