"""Conditional requests: ETags, Last-Modified, 304 and 412.

ETags are strong and quoted (RFC 9110), and computed from the bytes sent, so
the JSON and XML renditions of one object have different ETags. Updates and
deletions honour ``If-Match``, ``If-Unmodified-Since`` and ``If-None-Match``
(``If-None-Match: *`` creates only what does not exist yet), which is the
lost-update protection clients of the dialect otherwise lack.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timezone

from django.utils.http import http_date, parse_http_date_safe

__all__ = [
    "Version",
    "etag_for",
    "format_http_date",
    "if_match_passes",
    "if_modified_since_passes",
    "if_none_match_allows_write",
    "if_none_match_passes",
    "if_unmodified_since_passes",
    "parse_http_date",
]


def etag_for(body: bytes) -> str:
    """A strong, quoted ETag for a representation: 128 bits of its SHA-256.

    SHA-256 rather than BLAKE2: CPUs with SHA instructions (x86 since Zen
    and Ice Lake, ARMv8) hash a page twice as fast, and every GET pays it.
    """
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _tags(header: str) -> list[str]:
    return [tag.strip() for tag in header.split(",") if tag.strip()]


def _opaque(tag: str) -> str:
    return tag[2:] if tag.startswith("W/") else tag


def if_none_match_passes(header: str | None, etag: str) -> bool:
    """False when the client's copy is current (answer 304); weak comparison."""
    if not header:
        return True
    tags = _tags(header)
    if "*" in tags:
        return False
    return _opaque(etag) not in {_opaque(tag) for tag in tags}


@dataclass(frozen=True)
class Version:
    """What a ``GET`` at a URL answers now: the ETag of each format, and ``Last-Modified``."""

    etags: frozenset[str]
    last_modified: datetime | None = None


def if_none_match_allows_write(header: str | None, current: Collection[str]) -> bool:
    """False when a write must not go ahead (412): ``*`` and something exists, or a listed tag is current.

    ``current`` holds the current representation's ETags, empty when there is none.
    """
    if not header:
        return True
    tags = _tags(header)
    if "*" in tags:
        return not current
    return all(if_none_match_passes(header, etag) for etag in current)


def if_match_passes(header: str | None, current: Collection[str]) -> bool:
    """False when the client edits a stale copy (answer 412); strong comparison."""
    if not header:
        return True
    tags = _tags(header)
    if "*" in tags:
        return bool(current)
    return any(tag in current for tag in tags if not tag.startswith("W/"))


def _to_timestamp(value: datetime) -> int:
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return int(value.timestamp())


def format_http_date(value: datetime) -> str:
    return http_date(_to_timestamp(value))


def parse_http_date(header: str | None) -> datetime | None:
    """An HTTP date as an aware UTC datetime; ``None`` for none or a bad one."""
    seconds = parse_http_date_safe(header) if header else None
    return None if seconds is None else datetime.fromtimestamp(seconds, timezone.utc)


def if_modified_since_passes(header: str | None, last_modified: datetime | None) -> bool:
    """False when the resource has not changed since the client's date (304)."""
    if not header or last_modified is None:
        return True
    since = parse_http_date_safe(header)
    return since is None or _to_timestamp(last_modified) > since


def if_unmodified_since_passes(header: str | None, last_modified: datetime | None) -> bool:
    """False when the resource changed after the client's date (412)."""
    if not header or last_modified is None:
        return True
    since = parse_http_date_safe(header)
    return since is None or _to_timestamp(last_modified) <= since
