"""Rate limits: pluggable throttles counting in the Django cache.

Counting in the cache (Redis, Memcached or the database cache in
production) means every server process shares one count. A throttle raises
:class:`~webapi_kit.errors.RateLimitExceeded`, which answers ``429`` with
``Retry-After`` and ``X-RateLimit-Limit``.

Counts use fixed windows: ``"100/hour"`` allows 100 requests in each clock
hour. A throttle that must be exact against stored data (a service's own
quota) counts rows in the database instead: :class:`QueryCountThrottle`.

Throttles are listed like any policy: ``throttle_classes`` on a resource,
on the :class:`~webapi_kit.api.API`, or the ``THROTTLE_CLASSES`` setting::

    class FeedResource(WebAPIResource):
        throttle_classes = [UserRateThrottle, HeaderRateThrottle("X-Owner-ID", "100/minute")]
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.db.models import QuerySet
from django.http import HttpRequest

from webapi_kit.conf import api_settings
from webapi_kit.errors import RateLimitExceeded

if TYPE_CHECKING:
    from webapi_kit.resource import WebAPIResource

__all__ = [
    "AnonRateThrottle",
    "HeaderRateThrottle",
    "QueryCountThrottle",
    "RateThrottle",
    "Throttle",
    "UserRateThrottle",
    "parse_rate",
    "remote_addr",
    "window_counter",
]

_UNITS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600, "hour": 3600, "d": 86400, "day": 86400}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([a-z]+?)s?\s*$")

#: The clock windows are measured by; tests replace it to move time along.
clock: Callable[[], float] = time.time


def parse_rate(rate: str) -> tuple[int, int]:
    """``"100/hour"`` → ``(100, 3600)``; ``"10/15m"`` → ``(10, 900)``."""
    match = _RATE.match(rate.lower())
    if not match or match.group(3) not in _UNITS:
        raise ValueError(f"Not a rate: {rate!r} (expected e.g. '100/hour' or '10/15m')")
    count, multiple, unit = match.groups()
    window = int(multiple or 1) * _UNITS[unit]
    if window <= 0:
        raise ValueError(f"Not a rate: {rate!r} (the window must be longer than 0)")
    return int(count), window


def remote_addr(request: HttpRequest) -> str:
    """The peer's address. Behind a proxy, set ``REMOTE_ADDR`` from the
    forwarded header in a middleware you trust; it is never read here,
    since any client can send one."""
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def _has_atomic_incr(cache: BaseCache) -> bool:
    # BaseCache.incr is get-then-set: two processes can both read 4 and both
    # write 5. Redis, Memcached and local memory override it atomically; the
    # database and file caches do not.
    return type(cache).incr is not BaseCache.incr


def window_counter(key: str, window: int, *, increment: bool = True) -> tuple[int, int]:
    """Count in the current fixed window; returns ``(count, seconds until reset)``.

    With ``increment`` the call counts one more event and returns the count
    including it; every concurrent caller, in any process, gets a different
    count. Without, it returns the count so far.
    """
    cache = caches[api_settings.THROTTLE_CACHE]
    now = clock()
    bucket = int(now // window)
    reset = max(1, math.ceil((bucket + 1) * window - now))
    full_key = f"webapi_kit:{key}:{window}:{bucket}"
    if not _has_atomic_incr(cache):
        return _slot_counter(cache, full_key, window, increment=increment), reset
    if not increment:
        return int(cache.get(full_key, 0)), reset
    cache.add(full_key, 0, timeout=window + 1)
    try:
        count = cache.incr(full_key)
    except ValueError:  # expired between add and incr
        cache.add(full_key, 1, timeout=window + 1)
        count = 1
    return int(count), reset


def _slot_counter(cache: BaseCache, key: str, window: int, *, increment: bool) -> int:
    """A counter for caches whose ``add`` is atomic but ``incr`` is not.

    Each event claims the lowest free numbered slot (``add`` succeeds for
    exactly one caller per key, the database cache's primary key sees to
    that); its number is the count. A hint key remembers roughly how far the
    slots go so that a call costs a few queries, not one per earlier event.
    Slots below any hint are all taken, so the count never skips ahead.
    """
    hint_key = f"{key}:hint"
    slot = int(cache.get(hint_key, 0))
    if not increment:
        while cache.has_key(f"{key}:{slot + 1}"):
            slot += 1
        return slot
    slot += 1
    while not cache.add(f"{key}:{slot}", 1, timeout=window + 1):
        slot += 1
    cache.set(hint_key, slot, timeout=window + 1)
    return slot


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


class QueryCountThrottle(Throttle):
    """At most ``limit`` rows of a queryset per sliding ``window``, counted in the database.

    For quotas that must match stored data exactly — "at most 100 deliveries
    per owner per hour" — rather than approximate request counts. Subclass
    and implement :meth:`get_queryset` (the caller's rows; ``None`` to skip);
    rows count while their ``timestamp_field`` is inside the window::

        class NoteQuota(QueryCountThrottle):
            limit, window, timestamp_field = 10, 3600, "created"

            def get_queryset(self, request, resource):
                return Note.objects.filter(owner=request.user)

    Only ``methods`` (default ``POST``: creating a row) are checked.

    Exactness under concurrency: :meth:`check` runs before the handler, so
    two requests at ``limit - 1`` can both pass and both insert. A service
    that must never exceed the quota calls :meth:`enforce` again inside the
    transaction that writes the row, after locking something every writer
    for the same owner locks too (``select_for_update()`` on the owner's
    row) — as the example retry service does — so that the count and the
    insert are one step.
    """

    limit: int = 0
    #: Seconds.
    window: int = 3600
    timestamp_field: str = "created"
    methods: frozenset[str] = frozenset({"POST"})

    def __init__(self, limit: int | None = None, window: int | str | None = None) -> None:
        if limit is not None:
            self.limit = limit
        if isinstance(window, str):
            window = parse_rate(f"1/{window}")[1]
        if window is not None:
            self.window = window

    def get_queryset(self, request: HttpRequest, resource: WebAPIResource) -> QuerySet[Any] | None:
        raise NotImplementedError

    def check(self, request: HttpRequest, resource: WebAPIResource) -> None:
        if (request.method or "").upper() not in self.methods:
            return
        queryset = self.get_queryset(request, resource)
        if queryset is not None:
            self.enforce(queryset)

    def enforce(self, queryset: QuerySet[Any]) -> None:
        """Raise ``RateLimitExceeded`` when one more row would exceed the limit."""
        now = datetime.fromtimestamp(clock(), tz=timezone.utc)
        recent = queryset.filter(**{f"{self.timestamp_field}__gt": now - timedelta(seconds=self.window)})
        count = recent.count()
        if count < self.limit:
            return
        if self.limit <= 0:
            raise RateLimitExceeded(retry_after=self.window, limit=self.limit)
        # One more row fits once count - limit + 1 rows have left the window,
        # that is when the (count - limit)th oldest (from 0) does.
        index = count - self.limit
        times = recent.order_by(self.timestamp_field).values_list(self.timestamp_field, flat=True)
        oldest = list(times[index : index + 1])
        if not oldest:  # rows left the window between the two queries
            return
        freed_at = oldest[0] + timedelta(seconds=self.window)
        retry_after = max(1, math.ceil((freed_at - now).total_seconds()))
        raise RateLimitExceeded(retry_after=retry_after, limit=self.limit)
