"""The retry worker loop, run by ``manage.py runworker`` (registered as "retry").

Sending is concurrent (one asyncio task per attempt, up to
``RETRY_CONCURRENCY`` in flight, over one aiohttp session: see
:mod:`worker.outbound`); database work is batched, because it all runs on
Django's one sync thread. Each *round* is one hop to that thread, in which
the worker

1. settles the outcomes gathered since the last round (one transaction),
2. now and then purges a bounded batch of expired history,
3. claims as many due requests as it has free slots (one transaction).

Between rounds it sleeps until the next request falls due (never longer than
``RETRY_POLL_SECONDS``), waking when an attempt ends; it then waits a few
milliseconds more, so that outcomes arriving together are settled together.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime

import aiohttp
from asgiref.sync import sync_to_async
from django.db import close_old_connections
from django.utils import timezone

from retry import conf, working
from retry.sender import send
from retry.targets import GuardedResolver
from retry.working import Claim, Outcome
from worker import outbound
from worker.status import Progress

__all__ = ["RetryLoop"]

logger = logging.getLogger("retry.worker")

#: How long in-flight attempts may finish after a stop is asked for.
_STOP_GRACE = 2.0
#: The pause after a database error before trying again.
_ERROR_PAUSE = 1.0
#: How long outcomes may gather after one arrives, so that they are settled in batches.
_GATHER = 0.02
#: Finished requests purged per round, and the pause between purging rounds:
#: short while a full batch came back (history is being caught up on), long otherwise.
_PURGE_BATCH = 1000
_PURGE_CATCHING_UP = 0.5
_PURGE_IDLE = 5.0


@dataclass
class _Round:
    """What one round of database work got done (filled in as it goes, so a failure shows how far)."""

    settled: bool = False
    purged: int = 0
    claims: list[Claim] = field(default_factory=list)
    upcoming: datetime | None = None


class RetryLoop:
    """Send due attempts until ``stop`` is set (or, with ``once``, until nothing is due)."""

    def __init__(self) -> None:
        self.progress = Progress()
        self.concurrency = conf.concurrency()
        self.timeout = conf.timeout_seconds()
        self.poll = conf.poll_seconds()
        self.networks = tuple(conf.blocked_networks())
        self._in_flight: dict[asyncio.Task[None], Claim] = {}
        self._outcomes: list[tuple[Claim, Outcome]] = []
        self._ended = asyncio.Event()
        self._next_purge = 0.0

    async def run(self, stop: asyncio.Event, *, once: bool = False) -> None:
        # Redirects are answers (3xx < 500): the attempt succeeded, nothing is followed.
        # Names are resolved through the guard, so a blocked address is never connected to.
        async with outbound.session(
            "retry", connections=self.concurrency, timeout=self.timeout, resolver=GuardedResolver(self.networks)
        ) as session:
            try:
                while not stop.is_set():
                    free = self.concurrency - len(self._in_flight)
                    done = await self._round(session, free)
                    if done is None:
                        await _wait(stop, _ERROR_PAUSE)
                        continue
                    if once and len(done.claims) < free and not self._in_flight and not self._outcomes:
                        return  # nothing due, nothing in flight, everything recorded
                    await self._sleep(stop, self._until(done.upcoming))
            finally:
                await self._wind_down()

    async def _round(self, session: aiohttp.ClientSession, free: int) -> _Round | None:
        """Settle, purge, claim and start; ``None`` after a database error."""
        outcomes, self._outcomes = self._outcomes, []
        purge = time.monotonic() >= self._next_purge
        done = _Round()
        failed = False
        try:
            await sync_to_async(_database_round)(done, outcomes, purge, free)
        except Exception:  # noqa: BLE001 - a database outage must not end the worker
            logger.exception("the retry worker's database round failed")
            await sync_to_async(close_old_connections)()
            failed = True
        if done.settled:
            self.progress.done += len(outcomes)
        else:
            self._outcomes[:0] = outcomes  # settled next round (their leases keep them ours meanwhile)
        if purge and not failed:
            wait = _PURGE_CATCHING_UP if done.purged >= _PURGE_BATCH else _PURGE_IDLE
            self._next_purge = time.monotonic() + wait
        for claim in done.claims:
            task = asyncio.create_task(self._attempt(session, claim), name=f"retry-{claim.request_id}")
            self._in_flight[task] = claim
            task.add_done_callback(self._forget)
        self._count()
        return None if failed else done

    async def _attempt(self, session: aiohttp.ClientSession, claim: Claim) -> None:
        outcome = await send(session, claim, self.timeout, self.networks)
        logger.debug("request %s attempt %s: %s", claim.request_id, claim.index, outcome.status_code or outcome.error)
        self._outcomes.append((claim, outcome))
        self._ended.set()

    def _forget(self, task: asyncio.Task[None]) -> None:
        self._in_flight.pop(task, None)
        self._count()

    def _count(self) -> None:
        # An attempt is in flight from its claim until its outcome is recorded.
        self.progress.in_flight = len(self._in_flight) + len(self._outcomes)

    def _until(self, upcoming: datetime | None) -> float:
        if upcoming is None:
            return self.poll
        return max(0.0, min(self.poll, (upcoming - timezone.now()).total_seconds()))

    async def _sleep(self, stop: asyncio.Event, seconds: float) -> None:
        """Sleep ``seconds``, waking early for a stop or an ended attempt (then gathering briefly)."""
        if not self._outcomes and seconds > 0:
            self._ended.clear()
            await _wait(stop, seconds, self._ended)
        if self._outcomes and not stop.is_set():
            await asyncio.sleep(_GATHER)
        else:
            await asyncio.sleep(0)

    async def _wind_down(self) -> None:
        """Let in-flight attempts finish briefly, record them, and hand the rest back."""
        if self._in_flight:
            await asyncio.wait(list(self._in_flight), timeout=min(_STOP_GRACE, self.timeout))
        unfinished = {task: claim for task, claim in self._in_flight.items() if not task.done()}
        for task in unfinished:
            task.cancel()
        await asyncio.gather(*unfinished, return_exceptions=True)
        outcomes, self._outcomes = self._outcomes, []
        if not outcomes and not unfinished:
            return
        try:
            await sync_to_async(_hand_back)(outcomes, list(unfinished.values()))
            self.progress.done += len(outcomes)
        except Exception:  # noqa: BLE001 - the leases expire on their own
            logger.exception("recording %d outcomes and releasing %d claims failed", len(outcomes), len(unfinished))
        self._count()


async def _wait(stop: asyncio.Event, seconds: float, *events: asyncio.Event) -> None:
    """Wait ``seconds``, or until ``stop`` or one of ``events`` is set."""
    waiters = [asyncio.ensure_future(event.wait()) for event in (stop, *events)]
    _, pending = await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    for waiter in pending:
        waiter.cancel()


def _database_round(done: _Round, outcomes: list[tuple[Claim, Outcome]], purge: bool, free: int) -> None:
    working.settle(outcomes)
    done.settled = True
    if purge:
        done.purged = working.purge_finished(_PURGE_BATCH)
    if free > 0:
        done.claims, done.upcoming = working.claim_due(free)


def _hand_back(outcomes: list[tuple[Claim, Outcome]], unfinished: list[Claim]) -> None:
    working.settle(outcomes)
    working.release(unfinished)
