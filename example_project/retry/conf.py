"""The retry service's settings, each overridable by an environment variable.

Django settings give the defaults of a deployment; an environment variable of
the same name wins, so that tests (and operators) can hand a worker process
short schedules without editing settings. Values are read on every call:
``override_settings`` in tests takes effect at once.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.conf import settings

__all__ = [
    "DEFAULT_INTERVALS",
    "MAX_INTERVAL",
    "MAX_INTERVALS",
    "Network",
    "blocked_networks",
    "concurrency",
    "is_blocked",
    "lease_seconds",
    "limit_count",
    "limit_window",
    "poll_seconds",
    "retention_seconds",
    "timeout_seconds",
]

T = TypeVar("T", int, float)
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

#: Link-local ranges, where cloud metadata services answer (169.254.169.254,
#: fe80::...). Loopback stays allowed: local targets are how tests and
#: single-host deployments use the service.
DEFAULT_BLOCKED_NETWORKS: tuple[str, ...] = ("169.254.0.0/16", "fe80::/10")

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
    """``RETRY_CONCURRENCY``: attempts one worker keeps in flight at once (500).

    Throughput is at most this many attempts per target response time: 500
    in flight allow 1 000 attempts a second to targets answering in half a
    second, 5 000 to targets answering in 100 ms.
    """
    return max(1, _read("RETRY_CONCURRENCY", 500, int))


def retention_seconds() -> float:
    """``RETRY_RETENTION``: how long finished requests and their attempts are kept (7 days).

    Counted from when the request finished (succeeded, gave up or was
    cancelled); then the worker deletes them. 0 or less keeps them forever.
    """
    return _read("RETRY_RETENTION", 7 * 24 * 3600.0, float)


def blocked_networks() -> list[Network]:
    """``RETRY_BLOCKED_NETWORKS``: CIDRs no request may be sent to (link-local).

    A list in settings; a comma-separated string in the environment (empty
    for none). Checked on a URL's literal host when a request is accepted and
    on every resolved address before each attempt.
    """
    raw: str | Iterable[str] | None = os.environ.get("RETRY_BLOCKED_NETWORKS")
    if raw is None:
        raw = getattr(settings, "RETRY_BLOCKED_NETWORKS", DEFAULT_BLOCKED_NETWORKS)
    if isinstance(raw, str):
        raw = raw.split(",")
    return [ipaddress.ip_network(cidr.strip(), strict=False) for cidr in raw if cidr.strip()]


def is_blocked(address: str, networks: Iterable[Network]) -> bool:
    """Whether an IP address (text, IPv6 scope allowed) lies in one of ``networks``.

    An IPv4-mapped IPv6 address (``::ffff:169.254.169.254``) reaches the
    IPv4 host, so it is judged as that host.
    """
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip.version == network.version and ip in network for network in networks)
