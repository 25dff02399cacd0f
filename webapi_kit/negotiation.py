"""Content negotiation: pick the media type to answer with from ``Accept``.

Two pure functions, per RFC 9110 §12.5.1:

- :func:`parse_accept` turns an ``Accept`` header into :class:`MediaRange`
  entries, skipping (never raising on) entries that break the grammar;
- :func:`negotiate` picks one of the media types a resource can produce, or
  ``None`` when the client accepts none of them (the caller answers 406, or
  falls back to a default if it prefers to disregard the header);
- :func:`quality` says how much a header wants one media type.

Resources ask :func:`negotiate` and nothing else; it is cached, so asking on
every request costs a dictionary lookup for the headers clients really send.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["MediaRange", "media_type_matches", "negotiate", "parse_accept", "quality"]


@dataclass(frozen=True, slots=True)
class MediaRange:
    """One entry of an ``Accept`` header, e.g. ``application/*;q=0.5``.

    ``type`` and ``subtype`` are lower-cased and may be ``"*"`` (``*/*`` or
    ``type/*``; never ``*/subtype``). ``q`` is the weight, 0 to 1 (1 when the
    entry has none). ``params`` holds the other parameters in header order,
    names lower-cased, values unquoted and kept as sent.
    """

    type: str
    subtype: str
    q: float
    params: tuple[tuple[str, str], ...] = ()

    @property
    def specificity(self) -> int:
        """2 for ``type/subtype``, 1 for ``type/*``, 0 for ``*/*``."""
        if self.type == "*":
            return 0
        return 1 if self.subtype == "*" else 2

    def matches(self, media_type: str) -> bool:
        """Whether this range covers ``media_type`` (parameters ignored)."""
        type_, _, subtype = _bare(media_type).partition("/")
        return self.type == "*" or (
            self.type == type_ and (self.subtype == "*" or self.subtype == subtype)
        )


# RFC 9110 §5.6.2 token characters.
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
# RFC 9110 §12.4.2 qvalue: at most three decimals, never above 1.
_QVALUE = re.compile(r"0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?")
_QUOTED_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_QUOTED_PAIR = re.compile(r"\\(.)", re.DOTALL)

# Headers longer than this are negotiated without the cache: real clients
# send short headers, and caching arbitrarily long ones would let a client
# pin megabytes of memory in the cache.
_CACHEABLE_LENGTH = 512


def _split(text: str, separator: str) -> list[str]:
    """Split on ``separator`` except inside quoted strings (``foo="a,b"``)."""
    if '"' not in text:
        return text.split(separator)
    parts: list[str] = []
    start = 0
    quoted = False
    escaped = False
    for index, char in enumerate(text):
        if escaped:
            escaped = False
        elif quoted:
            if char == "\\":
                escaped = True
            elif char == '"':
                quoted = False
        elif char == '"':
            quoted = True
        elif char == separator:
            parts.append(text[start:index])
            start = index + 1
    parts.append(text[start:])
    return parts


def _parse_range(entry: str) -> MediaRange | None:
    """Parse one comma-separated entry; ``None`` if it breaks the grammar."""
    media, *raw_params = _split(entry, ";")
    type_, slash, subtype = media.strip().lower().partition("/")
    if (
        not slash
        or not _TOKEN.fullmatch(type_)
        or not _TOKEN.fullmatch(subtype)
        or (type_ == "*" and subtype != "*")
    ):
        return None

    q: float | None = None
    params: list[tuple[str, str]] = []
    for raw in raw_params:
        raw = raw.strip()
        if not raw:
            # RFC 9110 allows empty parameters ("text/plain;;a=b").
            continue
        name, equals, value = raw.partition("=")
        name = name.strip().lower()
        value = value.strip()
        if not equals or not _TOKEN.fullmatch(name):
            return None
        if value.startswith('"'):
            if not _QUOTED_STRING.fullmatch(value):
                return None
            value = _QUOTED_PAIR.sub(r"\1", value[1:-1])
        elif not _TOKEN.fullmatch(value):
            return None
        if name == "q":
            # A second q makes the weight ambiguous; treat as malformed.
            if q is not None or not _QVALUE.fullmatch(value):
                return None
            q = float(value)
        else:
            params.append((name, value))
    return MediaRange(type_, subtype, 1.0 if q is None else q, tuple(params))


def parse_accept(header: str) -> list[MediaRange]:
    """Parse an ``Accept`` header into its media ranges, in header order.

    Whitespace is allowed around ``,``, ``;`` and ``=``; types and parameter
    names are case-insensitive (returned lower-cased); quoted parameter
    values may contain commas and semicolons. Entries that break RFC 9110's
    grammar -- no slash, ``*/subtype``, a ``q`` that is not 0 to 1 with at
    most three decimals, a parameter without a value -- are skipped, so this
    never raises; an empty or all-garbage header gives ``[]``.
    """
    ranges: list[MediaRange] = []
    for entry in _split(header, ","):
        if entry.strip():
            media_range = _parse_range(entry)
            if media_range is not None:
                ranges.append(media_range)
    return ranges


def _bare(media_type: str) -> str:
    """``media_type`` without parameters or surrounding space, lower-cased."""
    return media_type.partition(";")[0].strip().lower()


def media_type_matches(pattern: str, media_type: str) -> bool:
    """Whether the media range ``pattern`` (e.g. ``application/*``) covers
    ``media_type``. Case-insensitive; parameters on either side are ignored.
    """
    media_range = _parse_range(pattern)
    return media_range is not None and media_range.matches(media_type)


def _negotiate(accept: str, offered: tuple[str, ...]) -> str | None:
    ranges = parse_accept(accept)
    if not ranges:
        # Nothing parseable: behave as if the client sent no Accept at all.
        return offered[0]

    best: tuple[float, int, int] | None = None
    for index, media_type in enumerate(offered):
        # Quality of this type: the q of the most specific range covering it
        # (the highest q among equally specific ones).
        type_, _, subtype = _bare(media_type).partition("/")
        match: tuple[int, float] | None = None
        for media_range in ranges:
            if media_range.type == "*" or (
                media_range.type == type_
                and (media_range.subtype == "*" or media_range.subtype == subtype)
            ):
                candidate = (media_range.specificity, media_range.q)
                if match is None or candidate > match:
                    match = candidate
        if match is None:
            continue
        specificity, q = match
        if q <= 0:
            continue
        # Higher q, then more specific range, then earlier in ``offered``.
        key = (q, specificity, -index)
        if best is None or key > best:
            best = key
    return None if best is None else offered[-best[2]]


_negotiate_cached = functools.lru_cache(maxsize=1024)(_negotiate)


def negotiate(accept: str | None, offered: Sequence[str]) -> str | None:
    """Choose which of ``offered`` to answer a request's ``Accept`` with.

    ``offered`` lists the media types the server can produce, most preferred
    first. The result is one of those strings, exactly as given, or ``None``
    when the client accepts none of them. No header (``None``), a blank one,
    or one in which no entry parses means "anything": ``offered[0]``.

    Each offered type gets the ``q`` of the most specific range that covers
    it (``type/subtype`` over ``type/*`` over ``*/*``; parameters other than
    ``q`` are ignored, so ``application/vnd.x+json;version=2`` covers
    ``application/vnd.x+json``). ``q=0`` makes a type unacceptable, even when
    a less specific range such as ``*/*`` would accept it; if equally
    specific ranges cover a type more than once (``application/json;v=1;q=0,
    application/json``), the highest of their ``q`` counts. The winner is the
    type with the highest ``q`` above 0; ties go to the type matched by the
    more specific range, then to the one earlier in ``offered``.

    Never raises on any header. Results are cached per
    ``(accept, tuple(offered))``.
    """
    if not offered:
        return None
    if accept is None or not accept.strip():
        return offered[0]
    key = tuple(offered)
    if len(accept) > _CACHEABLE_LENGTH:
        return _negotiate(accept, key)
    return _negotiate_cached(accept, key)


@functools.lru_cache(maxsize=256)
def _quality(accept: str, media_type: str) -> float:
    ranges = parse_accept(accept)
    if not ranges:
        return 1.0
    match: tuple[int, float] | None = None
    for media_range in ranges:
        if media_range.matches(media_type):
            candidate = (media_range.specificity, media_range.q)
            if match is None or candidate > match:
                match = candidate
    return 0.0 if match is None else match[1]


def quality(accept: str | None, media_type: str) -> float:
    """The weight ``accept`` gives ``media_type``: 0 (unacceptable) to 1.

    The ``q`` of the most specific range covering it, as :func:`negotiate`
    judges it; 1 when there is no header, or no entry in it parses.
    """
    if accept is None or not accept.strip():
        return 1.0
    if len(accept) > _CACHEABLE_LENGTH:
        return _quality.__wrapped__(accept, media_type)
    return _quality(accept, media_type)
