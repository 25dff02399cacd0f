"""The retry service's settings, each overridable by an environment variable.

Django settings give the defaults of a deployment; an environment variable of
the same name wins, so that tests (and operators) can hand a worker process
short schedules without editing settings. Values are read on every call:
``override_settings`` in tests takes effect at once.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings

__all__ = [
    "DEFAULT_INTERVALS",
    "MAX_INTERVAL",
    "MAX_INTERVALS",
    "concurrency",
    "lease_seconds",
    "limit_count",
    "limit_window",
    "poll_seconds",
    "timeout_seconds",
]

T = TypeVar("T", int, float)

#: The seed's default schedule, in seconds after the request was accepted.
DEFAULT_INTERVALS: tuple[int, ...] = (30, 300, 900)
#: Bounds that keep schedules storable (a due time must stay a valid datetime).
MAX_INTERVALS = 100
MAX_INTERVAL = 366 * 24 * 3600

# A lease must outlive the attempt it covers, or a second worker could take
# over a request whose attempt is still in flight and send it again.
_LEASE_MARGIN = 2.0


def _read(name: str, default: T, cast: Callable[[Any], T]) -> T:
    raw = os.environ.get(name)
    if raw is not None and raw.strip():
        return cast(raw)
    return cast(getattr(settings, name, default))


def limit_count() -> int:
    """``RETRY_LIMIT_COUNT``: requests accepted per owner per window (10000)."""
    return _read("RETRY_LIMIT_COUNT", 10000, int)


def limit_window() -> int:
    """``RETRY_LIMIT_WINDOW``: the sliding window of the limit, in seconds (1800)."""
    return _read("RETRY_LIMIT_WINDOW", 1800, int)


def timeout_seconds() -> float:
    """``RETRY_TIMEOUT``: how long one attempt may take, in seconds (30)."""
    return _read("RETRY_TIMEOUT", 30.0, float)


def poll_seconds() -> float:
    """``RETRY_POLL_SECONDS``: the longest the worker sleeps between looks for due work (0.5)."""
    return _read("RETRY_POLL_SECONDS", 0.5, float)


def lease_seconds() -> float:
    """``RETRY_LEASE_SECONDS``: how long a claim lasts (60), never less than the timeout plus a margin."""
    return max(_read("RETRY_LEASE_SECONDS", 60.0, float), timeout_seconds() + _LEASE_MARGIN)


def concurrency() -> int:
    """``RETRY_CONCURRENCY``: attempts one worker keeps in flight at once (100)."""
    return max(1, _read("RETRY_CONCURRENCY", 100, int))
