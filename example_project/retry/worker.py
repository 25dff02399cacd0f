"""The retry worker loop, run by ``manage.py runworker`` (registered as "retry").

It claims due requests (a lease per request, see
:func:`retry.services.claim_due`), sends each as its own asyncio task over a
shared aiohttp session (:mod:`worker.outbound`), and records the outcome. It sleeps until the
next request falls due, but never longer than ``RETRY_POLL_SECONDS``, so new
submissions are noticed promptly. Database work runs in Django's sync thread.
"""

from __future__ import annotations

import asyncio
import logging

import aiohttp
from asgiref.sync import sync_to_async
from django.db import close_old_connections
from django.utils import timezone

from retry import conf, services
from retry.sender import send
from retry.services import Claim
from retry.targets import GuardedResolver
from worker import outbound

__all__ = ["RetryLoop"]

logger = logging.getLogger("retry.worker")

#: How long in-flight attempts may finish after a stop is asked for.
_STOP_GRACE = 2.0
#: The pause after a database error before trying again.
_ERROR_PAUSE = 1.0


class RetryLoop:
    """Send due attempts until ``stop`` is set."""

    def __init__(self) -> None:
        self.concurrency = conf.concurrency()
        self.timeout = conf.timeout_seconds()
        self.poll = conf.poll_seconds()
        self.networks = tuple(conf.blocked_networks())
        self._in_flight: dict[asyncio.Task[None], Claim] = {}
        self._slot_freed = asyncio.Event()

    async def run(self, stop: asyncio.Event) -> None:
        # Redirects are answers (3xx < 500): the attempt succeeded, nothing is followed.
        resolver = GuardedResolver(self.networks)
        async with outbound.session(
            "retry", connections=self.concurrency, timeout=self.timeout, resolver=resolver
        ) as client:
            try:
                while not stop.is_set():
                    wait = await self._claim_and_start(client)
                    await self._sleep(stop, wait)
            finally:
                await self._wind_down()

    async def _claim_and_start(self, client: aiohttp.ClientSession) -> float:
        """Start every attempt that is due and fits; return how long to sleep."""
        free = self.concurrency - len(self._in_flight)
        if free <= 0:
            return self.poll
        try:
            claims, upcoming = await sync_to_async(services.claim_due)(free)
        except Exception:  # noqa: BLE001 - a database outage must not end the worker
            logger.exception("claiming due retries failed")
            await sync_to_async(close_old_connections)()
            return _ERROR_PAUSE
        for claim in claims:
            task = asyncio.create_task(self._attempt(client, claim), name=f"retry-{claim.request_id}")
            self._in_flight[task] = claim
            task.add_done_callback(self._finished)
        if len(claims) == free:
            return 0.0  # more may be due right now
        if upcoming is None:
            return self.poll
        return max(0.0, min(self.poll, (upcoming - timezone.now()).total_seconds()))

    async def _attempt(self, client: aiohttp.ClientSession, claim: Claim) -> None:
        outcome = await send(client, claim, self.timeout, self.networks)
        logger.info(
            "request %s attempt %s: %s", claim.request_id, claim.index, outcome.status_code or outcome.error
        )
        try:
            await sync_to_async(services.record_attempt)(claim, outcome)
        except Exception:  # noqa: BLE001 - the lease expires and the attempt is made again
            logger.exception("recording attempt %s of request %s failed", claim.index, claim.request_id)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._in_flight.pop(task, None)
        self._slot_freed.set()

    async def _sleep(self, stop: asyncio.Event, seconds: float) -> None:
        """Sleep ``seconds``, waking early for a stop or (when full) a freed slot."""
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        self._slot_freed.clear()
        waiters = [asyncio.ensure_future(stop.wait())]
        if len(self._in_flight) >= self.concurrency:
            waiters.append(asyncio.ensure_future(self._slot_freed.wait()))
        _, pending = await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
        for waiter in pending:
            waiter.cancel()

    async def _wind_down(self) -> None:
        """Let in-flight attempts finish briefly, then hand the rest back."""
        if not self._in_flight:
            return
        _, unfinished = await asyncio.wait(list(self._in_flight), timeout=min(_STOP_GRACE, self.timeout))
        claims = [self._in_flight[task] for task in unfinished if task in self._in_flight]
        for task in unfinished:
            task.cancel()
        await asyncio.gather(*unfinished, return_exceptions=True)
        try:
            await sync_to_async(services.release)(claims)
        except Exception:  # noqa: BLE001 - the leases expire on their own
            logger.exception("releasing %d unfinished claims failed", len(claims))
