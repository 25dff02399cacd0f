"""A message body as the seed takes it: the raw bytes, whatever the Content-Type."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, QueryDict

from webapi_kit.parsers import BodyStream, ParsedBody, RawParser

__all__ = ["RawBody", "RawBodyParser", "form_fields", "raw_body"]

# The key under which the raw body reaches a handler's ``data``. Only this
# parser can put a RawBody there (a JSON body cannot make one), so a client
# field of the same name is never mistaken for it.
RAW_BODY_KEY = "_queuey_raw_body"


@dataclass(frozen=True)
class RawBody:
    content: bytes


class RawBodyParser(RawParser):
    """Any media type; the body reaches the handler whole, as bytes.

    webapi_kit hands handlers ``ParsedBody.data`` but not ``ParsedBody.raw``,
    so the bytes travel in ``data`` under :data:`RAW_BODY_KEY`. The size is
    already bounded by ``MAX_BODY_SIZE``.
    """

    def parse(self, request: HttpRequest, stream: BodyStream, media_type: str, params: Mapping[str, str]) -> ParsedBody:
        parsed = super().parse(request, stream, media_type, params)
        assert parsed.raw is not None
        try:
            content = parsed.raw.read()
        finally:
            parsed.close()
        return ParsedBody(data={RAW_BODY_KEY: RawBody(content)}, media_type=media_type)


def raw_body(data: Mapping[str, Any]) -> bytes:
    """The raw body a :class:`RawBodyParser` read (``b""`` when there was none)."""
    value = data.get(RAW_BODY_KEY)
    return value.content if isinstance(value, RawBody) else b""


def form_fields(data: Mapping[str, Any]) -> Mapping[str, Any]:
    """Form fields from a body read raw (``a=1&b=2``), or the fields of a JSON body."""
    value = data.get(RAW_BODY_KEY)
    if isinstance(value, RawBody):
        try:
            return QueryDict(value.content, encoding="utf-8").dict()
        except UnicodeDecodeError:
            return {}
    return data
