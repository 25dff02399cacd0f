"""Keeping attempts away from ``RETRY_BLOCKED_NETWORKS``, whatever a name resolves to.

A URL's host is judged twice. Acceptance refuses an IP literal in a blocked
network (:func:`literal_blocked`). A name can only be judged once resolved,
so the worker's session resolves names through :class:`GuardedResolver`,
which refuses to hand the connector any address when one of them is
blocked: the check and the connection use the same lookup, so a name
re-pointed between checking and connecting (DNS rebinding) cannot slip
through. aiohttp never asks the resolver about IP literals, so the sender
checks those itself, with the same cached verdict acceptance uses.
"""

from __future__ import annotations

import functools
import ipaddress
import socket
from collections.abc import Sequence
from typing import Any

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult

from retry import conf

__all__ = ["BlockedTarget", "GuardedResolver", "literal_blocked"]


class BlockedTarget(OSError):
    """The host is, or resolves to, an address in a blocked network."""


@functools.lru_cache(maxsize=4096)
def literal_blocked(host: str, networks: tuple[conf.Network, ...]) -> bool | None:
    """Whether an IP-literal host is blocked; ``None`` for a name (only resolving can tell)."""
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return None
    return conf.is_blocked(host, networks)


class GuardedResolver(AbstractResolver):
    """aiohttp's default resolver, refusing a name any of whose addresses is blocked.

    Every address counts, not just the one connected to: the connector may
    try each of them in turn.
    """

    def __init__(self, networks: Sequence[conf.Network]) -> None:
        self._networks = tuple(networks)
        self._inner = aiohttp.DefaultResolver()

    async def resolve(self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET) -> list[ResolveResult]:
        addresses = await self._inner.resolve(host, port, family)
        if any(conf.is_blocked(address["host"], self._networks) for address in addresses):
            raise BlockedTarget(f"{host} resolves to a blocked address")
        return addresses

    async def close(self) -> None:
        await self._inner.close()


def is_blocked_error(exc: BaseException) -> bool:
    """Whether a connection error was :class:`BlockedTarget` (aiohttp wraps the resolver's errors)."""
    cause: Any = exc
    while cause is not None:
        if isinstance(cause, BlockedTarget):
            return True
        cause = getattr(cause, "os_error", None) or cause.__cause__
    return False
