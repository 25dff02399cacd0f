"""Rate limits: pluggable throttles counting in the Django cache.

Counting in the cache (Redis, Memcached or the database cache in
production) means every server process shares one count. A throttle raises
:class:`~webapi_kit.errors.RateLimitExceeded`, which answers ``429`` with
``Retry-After`` and ``X-RateLimit-Limit``.

Counts use fixed windows: ``"100/hour"`` allows 100 requests in each clock
hour. A throttle that must be exact against stored data (a service's own
quota) subclasses :class:`Throttle` and counts in the database instead.
"""

from __future__ import annotations

import math
import re
import time
from typing import TYPE_CHECKING

from django.core.cache import caches
from django.http import HttpRequest

from webapi_kit.conf import api_settings
from webapi_kit.errors import RateLimitExceeded

if TYPE_CHECKING:
    from webapi_kit.resource import WebAPIResource

__all__ = [
    "AnonRateThrottle",
    "HeaderRateThrottle",
    "RateThrottle",
    "Throttle",
    "UserRateThrottle",
    "parse_rate",
    "remote_addr",
    "window_counter",
]

_UNITS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600, "hour": 3600, "d": 86400, "day": 86400}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([a-z]+?)s?\s*$")


def parse_rate(rate: str) -> tuple[int, int]:
    """``"100/hour"`` → ``(100, 3600)``; ``"10/15m"`` → ``(10, 900)``."""
    match = _RATE.match(rate.lower())
    if not match or match.group(3) not in _UNITS:
        raise ValueError(f"Not a rate: {rate!r} (expected e.g. '100/hour' or '10/15m')")
    count, multiple, unit = match.groups()
    return int(count), int(multiple or 1) * _UNITS[unit]


def remote_addr(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def window_counter(key: str, window: int, *, increment: bool = True) -> tuple[int, int]:
    """Count in the current fixed window; returns ``(count, seconds until reset)``.

    ``cache.add`` + ``cache.incr`` are atomic on Redis, Memcached, the
    database cache and local memory, so concurrent processes never lose a
    count.
    """
    cache = caches[api_settings.THROTTLE_CACHE]
    now = time.time()
    bucket = int(now // window)
    reset = max(1, math.ceil((bucket + 1) * window - now))
    full_key = f"webapi_kit:{key}:{window}:{bucket}"
    if not increment:
        return int(cache.get(full_key, 0)), reset
    cache.add(full_key, 0, timeout=window + 1)
    try:
        count = cache.incr(full_key)
    except ValueError:  # expired between add and incr
        cache.add(full_key, 1, timeout=window + 1)
        count = 1
    return int(count), reset


class Throttle:
    """Base class; :meth:`check` raises when the caller is over its limit."""

    def check(self, request: HttpRequest, resource: WebAPIResource) -> None:
        raise NotImplementedError


class RateThrottle(Throttle):
    """Counts requests per identity in the cache.

    Subclasses set ``scope`` (which names the rate in the ``THROTTLE_RATES``
    setting, unless ``rate`` is set directly) and implement
    :meth:`get_ident`; an ident of ``None`` is not throttled.
    """

    scope: str = ""
    rate: str | None = None

    def get_rate(self) -> tuple[int, int] | None:
        rate = self.rate or api_settings.THROTTLE_RATES.get(self.scope)
        return parse_rate(rate) if rate else None

    def get_ident(self, request: HttpRequest) -> str | None:
        raise NotImplementedError

    def check(self, request: HttpRequest, resource: WebAPIResource) -> None:
        rate = self.get_rate()
        ident = self.get_ident(request)
        if rate is None or ident is None:
            return
        limit, window = rate
        count, reset = window_counter(f"throttle:{self.scope}:{ident}", window)
        if count > limit:
            raise RateLimitExceeded(retry_after=reset, limit=limit)


def _user_id(request: HttpRequest) -> str | None:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return str(user.pk)
    return None


class AnonRateThrottle(RateThrottle):
    """Anonymous callers, by address (rate ``THROTTLE_RATES["anon"]``)."""

    scope = "anon"

    def get_ident(self, request: HttpRequest) -> str | None:
        return None if _user_id(request) else remote_addr(request)


class UserRateThrottle(RateThrottle):
    """Logged-in callers by user, anonymous ones by address (``"user"``)."""

    scope = "user"

    def get_ident(self, request: HttpRequest) -> str | None:
        user_id = _user_id(request)
        return f"user:{user_id}" if user_id else f"addr:{remote_addr(request)}"


class HeaderRateThrottle(RateThrottle):
    """By the value of a request header, such as an owner id.

    ``HeaderRateThrottle(header="X-Owner-ID", rate="100/minute")``.
    """

    def __init__(self, header: str = "", rate: str | None = None, scope: str | None = None) -> None:
        self.header = header
        self.rate = rate
        self.scope = scope or f"header:{header.lower()}"

    def get_ident(self, request: HttpRequest) -> str | None:
        value = request.headers.get(self.header)
        return value or None
