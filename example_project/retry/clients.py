"""The worker's HTTP clients: several small connection pools instead of one large one.

httpcore (httpx's transport, 1.0) walks every connection of a pool, and for
each idle one counts them all again, whenever a request starts or ends: its
cost per request grows with the square of the pool's size. At 500
connections that is most of the worker's CPU. Measured with 500 requests in
flight to a target answering in 100 ms, CPU per request: one pool keeping
500 connections alive, 8 ms; one keeping 20 (httpx's default; the others
are reopened for every request), 1.6 ms; pools of 10, 1.1 ms; of 4, 0.8 ms;
of 1, 0.7 ms (where 500 clients cost memory). So the worker's slots are
spread over pools of at most :data:`POOL_SIZE` connections, and each attempt
borrows a slot, which names its pool: a pool never has more requests than
connections, so no request waits for one.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import AsyncExitStack, contextmanager
from types import TracebackType
from typing import Any

import httpx

from worker import outbound

__all__ = ["POOL_SIZE", "Clients"]

#: Connections per pool.
POOL_SIZE = 4


class Clients:
    """``slots`` concurrent requests over pools of ``outbound.client(service, **options)``."""

    def __init__(self, service: str, slots: int, **options: Any) -> None:
        pools = max(1, math.ceil(slots / POOL_SIZE))
        size = math.ceil(slots / pools)
        # Kept-alive connections for every slot: reconnecting would cost more than sending.
        limits = httpx.Limits(max_connections=size, max_keepalive_connections=size)
        # One TLS context for all: each client would otherwise load the CA bundle (about 1 MiB each).
        options.setdefault("verify", httpx.create_ssl_context())
        self._clients = [outbound.client(service, limits=limits, **options) for _ in range(pools)]
        # A stack, so that the most recently used (warm) connections are used again first.
        self._free = [client for client in self._clients for _ in range(size)]
        self._stack = AsyncExitStack()

    async def __aenter__(self) -> Clients:
        for client in self._clients:
            await self._stack.enter_async_context(client)
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        await self._stack.aclose()

    @contextmanager
    def slot(self) -> Iterator[httpx.AsyncClient]:
        """A client with a free connection for one request; the caller holds at most ``slots`` at once."""
        client = self._free.pop()
        try:
            yield client
        finally:
            self._free.append(client)
