"""From an HTTP answer to the dialect's payload: media types, JSON, XML, envelope.

Sans-I/O: these functions see status, headers and bytes, never a socket, so
the sync and async clients share them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from webapi_kit.client.errors import InvalidResponse, error_for
from webapi_kit.client.xml import parse_xml

__all__ = ["ENVELOPE_KEYS", "Answer", "Format", "body_format", "decode", "parse_body", "payload_key", "raise_for_error"]

Format = Literal["json", "xml"]

#: Keys of the envelope that are not the payload (the dialect's and Review Board's).
ENVELOPE_KEYS = frozenset({"stat", "links", "total_results", "uri_templates", "expanded", "err", "fields"})


@dataclass(frozen=True)
class Answer:
    """A decoded answer: what the server said and where."""

    status: int
    url: str
    method: str
    headers: Mapping[str, str]
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    @property
    def content_type(self) -> str | None:
        return self.headers.get("content-type")


def body_format(content_type: str | None) -> Format | None:
    """``json`` or ``xml`` for plain and vendor media types (``application/vnd.x.feed+json``)."""
    if not content_type:
        return None
    media = content_type.split(";", 1)[0].strip().lower()
    kind, _, subtype = media.partition("/")
    if subtype == "json" or subtype.endswith("+json"):
        return "json"
    if subtype == "xml" or subtype.endswith("+xml") or (kind == "text" and subtype == "xml"):
        return "xml"
    return None


def decode(*, status: int, method: str, url: str, headers: Mapping[str, str], body: bytes) -> Answer:
    """Parse a body of the dialect (or none); :class:`InvalidResponse` for anything else.

    ``headers`` must be case-insensitive (an ``httpx.Headers``) or lower-case.
    """
    content_type = headers.get("content-type")
    # A body shorter than its Content-Length never gets here: httpx raises
    # RemoteProtocolError, which the client reports as a TransportError.
    if not body or status in (204, 304) or method == "HEAD":
        return Answer(status=status, url=url, method=method, headers=headers)
    fmt = body_format(content_type)
    if fmt is None:
        if status >= 400:
            # An HTML error page from a proxy or a crashed server: the status still says what happened.
            raise error_for(status)(status, msg=None, headers=dict(headers), method=method, url=url)
        raise InvalidResponse(
            f"{method} {url} answered {status} with {content_type or 'no Content-Type'}, not JSON or XML",
            status=status, url=url, content_type=content_type,
        )
    try:
        data = parse_body(fmt, body)
    except ValueError as exc:
        if status >= 400:
            raise error_for(status)(status, headers=dict(headers), method=method, url=url) from None
        raise InvalidResponse(
            f"{method} {url} answered {status} with a {content_type} body that cannot be read: {exc}",
            status=status, url=url, content_type=content_type,
        ) from None
    return Answer(status=status, url=url, method=method, headers=headers, data=data)


def parse_body(fmt: Format, body: bytes) -> dict[str, Any]:
    """A JSON object or the dialect's XML as a dict; ``ValueError`` for anything else."""
    if fmt == "xml":
        return parse_xml(body)
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ValueError(f"the body is a JSON {type(data).__name__}, not an object")
    return data


def raise_for_error(answer: Answer) -> None:
    """Raise the :class:`APIError` subclass for an error status."""
    if answer.status < 400:
        return
    data = answer.data
    err = data.get("err") if isinstance(data.get("err"), dict) else {}
    assert isinstance(err, dict)
    fields = data.get("fields", err.get("fields"))
    fields = fields if isinstance(fields, dict) else {}
    code = err.get("code") if isinstance(err.get("code"), int) else None
    cls = error_for(answer.status, code=code, fields=fields)
    raise cls(
        answer.status,
        code=code,
        msg=str(err["msg"]) if "msg" in err else None,
        type=str(err["type"]) if "type" in err else None,
        fields={str(name): _messages(value) for name, value in fields.items()},
        headers=dict(answer.headers),
        payload=data,
        method=answer.method,
        url=answer.url,
    )


def _messages(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(item) for item in value]
    return [str(value)]


def payload_key(data: Mapping[str, Any], url: str) -> str | None:
    """The one key holding the item or list (``None`` for a root-like payload).

    The dialect promises exactly one key besides the envelope's; when a
    server adds more, the list (for a list) or the object wins.
    """
    candidates = [key for key in data if key not in ENVELOPE_KEYS]
    if len(candidates) <= 1:
        return candidates[0] if candidates else None
    wanted: type = list if "total_results" in data else dict
    typed = [key for key in candidates if isinstance(data[key], wanted)]
    if len(typed) == 1:
        return typed[0]
    raise InvalidResponse(
        f"{url} carries several payloads ({', '.join(candidates)}); the dialect allows one",
        status=200, url=url,
    )


