"""The delivery worker loop: every published file to every subscription, with retries.

Registered as ``datarouter`` in ``manage.py runworker``. Each round it
settles the outcomes of the attempts that ended since the last round (one
transaction, see :func:`datarouter.claims.settle`), claims as many due
deliveries as it has free slots (one transaction), and starts each as its
own asyncio task; up to ``DATAROUTER_CONCURRENCY`` are in flight at once.
The database work runs on one thread, in batches, so it stays a small share
of each delivery however many are in flight. Outcomes:

* 2xx: delivered;
* 3xx: sent again to ``Location`` when the subscription follows redirects,
  the location ends in ``/{fileId}`` and is on the same origin (scheme, host,
  port) as the request, otherwise like a 4xx: the subscriber's credentials
  and file never go to a host the subscription does not name;
* other 4xx but 429: expired, ``notRetryable``;
* 429, 5xx, timeouts, connection errors: retried after
  ``DATAROUTER_RETRY_INITIAL`` seconds, the wait multiplied by
  ``DATAROUTER_RETRY_FACTOR`` each time up to ``DATAROUTER_RETRY_MAX``; a
  file older than ``DATAROUTER_MAX_AGE`` expires, ``retriesExhausted``.

A whole attempt, redirects included, is cut off at
``DATAROUTER_LEASE - DATAROUTER_LEASE_MARGIN`` seconds and counts as a
failed (retryable) attempt, so it never outlives its lease: no other worker
can claim the delivery while this one is still sending it.

Removing old rows (:mod:`datarouter.retention`) and stray stored files
runs on a thread and database connection of its own, so it never holds up
claims, settlements or sends.
"""

from __future__ import annotations

import asyncio
import datetime
import logging
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from http import HTTPStatus
from typing import ParamSpec, TypeVar
from urllib.parse import quote, unquote, urljoin

import aiohttp
from asgiref.sync import sync_to_async
from django.db import close_old_connections, connection
from django.utils import timezone
from worker import outbound
from worker.status import Progress

from . import claims, retention
from .claims import Job, Outcome, Sent
from .conf import attempt_bound, number
from .models import Delivery
from .sending import NO_STATUS, Bodies, body_length, delivery_url, same_origin, send

__all__ = ["Backoff", "DeliveryLoop"]

logger = logging.getLogger("datarouter.delivery")

P = ParamSpec("P")
R = TypeVar("R")

MAX_REDIRECTS = 5
#: After an attempt ends, how long the loop waits for others to end too, so
#: that it settles and claims in batches rather than one at a time.
BATCH_WINDOW = 0.02
#: Seconds between housekeeping rounds (retention, stray files); a round that
#: found a full batch to remove is followed by the next one after a second.
HOUSEKEEPING_INTERVAL = 5.0
SWEEP_INTERVAL = 60.0


@dataclass(frozen=True)
class Backoff:
    """When a failed delivery is tried again, and when its file is too old to try."""

    initial: float
    factor: float
    longest: float
    max_age: datetime.timedelta

    @classmethod
    def from_settings(cls) -> Backoff:
        return cls(number("DATAROUTER_RETRY_INITIAL"), number("DATAROUTER_RETRY_FACTOR"),
                   number("DATAROUTER_RETRY_MAX"), datetime.timedelta(seconds=number("DATAROUTER_MAX_AGE")))

    def delay(self, attempts: int) -> float:
        """The wait after the ``attempts``-th failed attempt."""
        return min(self.initial * self.factor ** max(attempts - 1, 0), self.longest)

    def outcome(self, job: Job, status: int, sent: list[Sent]) -> Outcome:
        """What an attempt whose last answer was ``status`` comes to."""
        if HTTPStatus.OK <= status < HTTPStatus.MULTIPLE_CHOICES:
            return Outcome(job, Delivery.DELIVERED, sent)
        if status != HTTPStatus.TOO_MANY_REQUESTS and HTTPStatus.MULTIPLE_CHOICES <= status < 500:
            return Outcome(job, Delivery.EXPIRED, sent, expire_reason="notRetryable")
        now = timezone.now()
        created = job.publication.created_at
        if now - created >= self.max_age:
            return Outcome(job, Delivery.EXPIRED, sent, expire_reason="retriesExhausted")
        # The last attempt happens when the file reaches its maximum age.
        retry_at = min(now + datetime.timedelta(seconds=self.delay(job.delivery.attempts + 1)), created + self.max_age)
        return Outcome(job, Delivery.PENDING, sent, retry_at=retry_at)


class DeliveryLoop:
    """``async run(stop, *, once=False)``: deliver until ``stop`` is set, then hand back unfinished claims."""

    def __init__(self) -> None:
        self.concurrency = max(1, int(number("DATAROUTER_CONCURRENCY")))
        self.poll = number("DATAROUTER_POLL_INTERVAL")
        self.lease = number("DATAROUTER_LEASE")
        self.timeout = number("DATAROUTER_DELIVERY_TIMEOUT")
        self.attempt_bound = attempt_bound()
        self.backoff = Backoff.from_settings()
        self.progress = Progress()
        #: Attempts in flight, each with the requests it has sent so far.
        self.tasks: dict[asyncio.Task[Outcome], tuple[Job, list[Sent]]] = {}
        #: Outcomes of ended attempts, not yet settled in the database.
        self.ended: list[Outcome] = []
        self.bodies = Bodies()

    async def run(self, stop: asyncio.Event, *, once: bool = False) -> None:
        # Redirects are the loop's to follow (_follows), never the client's.
        session = outbound.session("datarouter", connections=self.concurrency, timeout=self.timeout)
        housekeeping = asyncio.create_task(self._housekeeping())
        try:
            while not stop.is_set():
                await self._settle()
                free = self.concurrency - len(self.tasks)
                # Under load, wait for slots to add up: claiming one row at a time costs a transaction each.
                claimed = await self._claim(free) if not self.tasks or free >= self.concurrency // 10 else []
                for job in claimed:
                    self._start(session, job)
                if once and not claimed and not self.tasks and not self.ended:
                    return
                if claimed and len(claimed) == free:
                    continue  # every slot taken: there may be more due, claim as slots free up
                await self._wait(stop)
        finally:
            await self._shutdown(housekeeping)
            await session.close()

    def _start(self, session: aiohttp.ClientSession, job: Job) -> None:
        sent: list[Sent] = []
        self.bodies.hold(job.publication)
        task = asyncio.create_task(self._attempt(session, job, sent))
        self.tasks[task] = (job, sent)
        task.add_done_callback(self._ended)
        self.progress.in_flight += 1

    def _ended(self, task: asyncio.Task[Outcome]) -> None:
        job, sent = self.tasks.pop(task)
        self.bodies.release(job.publication)
        if task.cancelled():  # shutting down: the requests sent so far are recorded, the claim handed back
            self.ended.append(Outcome(job, Delivery.PENDING, sent))
        elif task.exception() is not None:
            logger.error("delivery task failed", exc_info=task.exception())
            self.ended.append(Outcome(job, Delivery.PENDING, sent))
        else:
            self.ended.append(task.result())

    async def _claim(self, free: int) -> list[Job]:
        in_hand = [job.delivery.pk for job, _ in self.tasks.values()] + [o.job.delivery.pk for o in self.ended]
        try:
            return await _db(claims.claim)(free, self.lease, in_hand)
        except Exception:  # the database may be briefly away; try again next round
            logger.exception("claiming deliveries failed")
            return []

    async def _settle(self) -> None:
        if not self.ended:
            return
        batch, self.ended = self.ended, []
        try:
            await _db(claims.settle)(batch)
        except Exception:
            # Nothing of the batch was committed (one transaction): keep it for the next round.
            logger.exception("settling %d deliveries failed", len(batch))
            self.ended = batch + self.ended
            return
        self.progress.in_flight -= len(batch)
        self.progress.done += sum(1 for outcome in batch if outcome.counts)

    async def _wait(self, stop: asyncio.Event) -> None:
        """Sleep until ``stop``, an attempt ends (then a little longer, to batch) or the poll interval."""
        stopper = asyncio.create_task(stop.wait())
        try:
            done, _ = await asyncio.wait({stopper, *self.tasks}, timeout=self.poll,
                                         return_when=asyncio.FIRST_COMPLETED)
            if done and stopper not in done:
                await asyncio.wait({stopper}, timeout=BATCH_WINDOW)
        finally:
            stopper.cancel()

    async def _shutdown(self, housekeeping: asyncio.Task[None]) -> None:
        housekeeping.cancel()
        for task in list(self.tasks):
            task.cancel()
        await asyncio.gather(housekeeping, *self.tasks, return_exceptions=True)
        await self._settle()
        await _db(_close_connection)()

    async def _attempt(self, session: aiohttp.ClientSession, job: Job, sent: list[Sent]) -> Outcome:
        url = delivery_url(job.subscription.delivery_url, job.publication.file_id)
        length = body_length(job)
        status = NO_STATUS
        try:
            async with asyncio.timeout(self.attempt_bound):
                for _hop in range(MAX_REDIRECTS + 1):
                    answer = await send(session, job, url, self.bodies)
                    sent.append(Sent(url, length, answer.status))
                    status = answer.status
                    if not (300 <= status < 400 and answer.location and self._follows(job, url, answer.location)):
                        break
                    url = urljoin(url, answer.location)
        except TimeoutError:
            # The lease is about to run out; give the attempt up while it is still ours.
            logger.info("delivery of %s to %s took over %g s; retrying later",
                        job.publication.publish_id, url, self.attempt_bound)
            sent.append(Sent(url, length, NO_STATUS))
            status = NO_STATUS
        return self.backoff.outcome(job, status, sent)

    @staticmethod
    def _follows(job: Job, url: str, location: str) -> bool:
        if not job.subscription.follow_redirect:
            return False
        # Basic credentials go with every hop, so only to the origin the subscriber named.
        if not same_origin(url, urljoin(url, location)):
            return False
        path = location.split("?", 1)[0]
        file_id = job.publication.file_id
        return path.endswith("/" + quote(file_id, safe="")) or unquote(path).endswith("/" + file_id)

    async def _housekeeping(self) -> None:
        """Retention and the storage sweep, on a thread (and database connection) of their own."""
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="datarouter-housekeeping")
        event_loop = asyncio.get_running_loop()
        last_sweep = -SWEEP_INTERVAL
        try:
            while True:
                full = False
                try:
                    full = await event_loop.run_in_executor(executor, _fresh(retention.purge))
                    if event_loop.time() - last_sweep >= SWEEP_INTERVAL:
                        last_sweep = event_loop.time()
                        await event_loop.run_in_executor(executor, _fresh(claims.sweep_storage))
                except Exception:
                    logger.exception("datarouter housekeeping failed")
                await asyncio.sleep(1.0 if full else HOUSEKEEPING_INTERVAL)
        finally:
            # The thread's own connection: closed there, after its last round.
            await event_loop.run_in_executor(executor, _close_connection)
            executor.shutdown()


def _close_connection() -> None:
    # Looked up in the calling thread: each thread has its own connection.
    connection.close()


def _fresh(func: Callable[[], R]) -> Callable[[], R]:
    """``func`` with the thread's database connection renewed first when stale."""

    def wrapped() -> R:
        close_old_connections()
        return func()

    return wrapped


def _db(func: Callable[P, R]) -> Callable[P, Awaitable[R]]:
    """Run ORM code in the worker's one database thread, with fresh connections when stale."""

    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
        close_old_connections()
        return func(*args, **kwargs)

    return sync_to_async(wrapped, thread_sensitive=True)
