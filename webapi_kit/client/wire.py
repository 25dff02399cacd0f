"""What goes out: query options, bodies, conditional headers, and when to wait.

Sans-I/O, shared by :class:`~webapi_kit.client.Client` and
:class:`~webapi_kit.client.AsyncClient`.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import IO, Any, Literal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from webapi_kit.client.errors import parse_retry_after
from webapi_kit.client.payloads import Answer

__all__ = [
    "BodyFormat",
    "Cached",
    "ETagCache",
    "FileValue",
    "Outgoing",
    "RetryPolicy",
    "accept_header",
    "build_body",
    "page_url",
    "query_params",
    "with_query",
]

#: The dialect's query options, spelled as Python names.
_OPTION_NAMES = {
    "max_results": "max-results",
    "only_fields": "only-fields",
    "only_links": "only-links",
    "counts_only": "counts-only",
}

#: A file to upload: bytes, an open binary file, or ``(filename, content[, content_type])``.
FileValue = bytes | IO[bytes] | tuple[str, bytes | IO[bytes]] | tuple[str, bytes | IO[bytes], str]

BodyFormat = Literal["json", "form"]


def _query_text(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (list, tuple, set, frozenset)):
        return ",".join(str(item) for item in value)
    return str(value)


def query_params(options: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``max_results=50, only_fields=["id"]`` as ``max-results=50&only-fields=id``; ``None`` is left out."""
    return [(_OPTION_NAMES.get(key, key), _query_text(value)) for key, value in options.items() if value is not None]


def with_query(url: str, params: list[tuple[str, str]]) -> str:
    """``url`` with ``params`` set: they replace its parameters of the same names, the rest stay."""
    if not params:
        return url
    parts = urlsplit(url)
    names = {name for name, _ in params}
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in names]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode([*kept, *params]), parts.fragment))


def page_url(url: str, start: int, max_results: int) -> str:
    """``url`` with its ``start``/``max-results`` replaced (every other parameter kept)."""
    return with_query(url, [("start", str(start)), ("max-results", str(max_results))])


def _is_file(value: Any) -> bool:
    return isinstance(value, (bytes, bytearray, tuple)) or hasattr(value, "read")


def _form_text(value: Any) -> str:
    if value is None:
        return ""  # an unfilled form field
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value)
    return str(value)


@dataclass(frozen=True)
class Outgoing:
    """The body part of a request, as :mod:`httpx` keyword arguments."""

    content: bytes | None = None
    data: dict[str, str] | None = None
    files: dict[str, Any] | None = None
    content_type: str | None = None

    def kwargs(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.content is not None:
            out["content"] = self.content
        if self.data is not None:
            out["data"] = self.data
        if self.files is not None:
            out["files"] = self.files
        return out


def build_body(fields: Mapping[str, Any], body_format: BodyFormat) -> Outgoing:
    """Fields as a body: multipart when a value is a file, else JSON or a urlencoded form.

    In forms and multipart bodies, booleans are ``true``/``false``, ``None``
    an empty field, and lists and objects JSON text.
    """
    if not fields:
        return Outgoing()
    files = {name: value for name, value in fields.items() if _is_file(value)}
    if files:
        data = {name: _form_text(value) for name, value in fields.items() if name not in files}
        return Outgoing(data=data, files=files)
    if body_format == "json":
        return Outgoing(content=json.dumps(dict(fields)).encode("utf-8"), content_type="application/json")
    form = urlencode([(name, _form_text(value)) for name, value in fields.items()]).encode("ascii")
    return Outgoing(content=form, content_type="application/x-www-form-urlencoded")


@dataclass(frozen=True)
class Cached:
    etag: str
    answer: Answer


class ETagCache:
    """The last answer to each GET that had an ETag, least recently used dropped first.

    A GET of a cached URL sends ``If-None-Match``; a ``304`` is answered
    from here, so paging a list again or refreshing an unchanged item costs
    no body.
    """

    def __init__(self, max_entries: int = 256) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[tuple[str, str], Cached] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, url: str, accept: str) -> Cached | None:
        entry = self._entries.get((url, accept))
        if entry is not None:
            self._entries.move_to_end((url, accept))
        return entry

    def store(self, url: str, accept: str, answer: Answer) -> None:
        if self.max_entries <= 0 or not answer.etag or answer.status != 200:
            return
        self._entries[(url, accept)] = Cached(answer.etag, answer)
        self._entries.move_to_end((url, accept))
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        self._entries.clear()


@dataclass(frozen=True)
class RetryPolicy:
    """How a ``429`` is handled: wait ``Retry-After`` and try again, within bounds.

    ``retries`` tries at most, each wait at most ``max_wait`` seconds; a
    server asking for longer gets :class:`~webapi_kit.client.RateLimitExceeded`
    at once. ``retries=0`` never waits.
    """

    retries: int = 3
    max_wait: float = 60.0
    #: Used when a 429 names no ``Retry-After``.
    default_wait: float = 1.0

    def wait_for(self, answer_status: int, headers: Mapping[str, str], attempt: int) -> float | None:
        """Seconds to wait before trying again, or ``None`` to give up."""
        if answer_status != 429 or attempt >= self.retries:
            return None
        wait = parse_retry_after(headers.get("retry-after"))
        wait = self.default_wait if wait is None else wait
        return wait if wait <= self.max_wait else None


def accept_header(fmt: Literal["json", "xml"]) -> str:
    """What to ask for; a server with a vendor answers its ``+json``/``+xml`` types anyway."""
    return "application/xml" if fmt == "xml" else "application/json"

