"""The delivery worker loop: every published file to every subscription, with retries.

Registered as ``datarouter`` in ``manage.py runworker``. It claims due
deliveries (see :mod:`datarouter.claims`), sends each as its own asyncio
task (many in flight at once) with aiohttp streaming the file from storage,
and settles each outcome:

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
"""

from __future__ import annotations

import asyncio
import datetime
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import ParamSpec, TypeVar
from urllib.parse import quote, unquote, urljoin, urlsplit

import aiohttp
from asgiref.sync import sync_to_async
from django.db import close_old_connections
from django.utils import timezone
from worker import outbound

from . import claims, storage
from .conf import attempt_bound, number

__all__ = ["DeliveryLoop", "delivery_url", "retry_delay", "same_origin"]

logger = logging.getLogger("datarouter.delivery")

P = ParamSpec("P")
R = TypeVar("R")

CHUNK_SIZE = 64 * 1024
MAX_REDIRECTS = 5
SWEEP_INTERVAL = 60.0
NO_STATUS = -1


def delivery_url(base: str, file_id: str) -> str:
    """``{delivery.url}/{fileId}``, without doubling a trailing slash."""
    return base.rstrip("/") + "/" + quote(file_id, safe="")


_DEFAULT_PORTS = {"http": 80, "https": 443}


def same_origin(first: str, second: str) -> bool:
    """Whether two absolute URLs share scheme, host and port (RFC 6454)."""
    a, b = urlsplit(first), urlsplit(second)
    try:
        ports = (a.port or _DEFAULT_PORTS.get(a.scheme), b.port or _DEFAULT_PORTS.get(b.scheme))
    except ValueError:  # a port that is not a number
        return False
    return (a.scheme.lower(), (a.hostname or "").lower(), ports[0]) == (
        b.scheme.lower(), (b.hostname or "").lower(), ports[1]
    )


def retry_delay(attempts: int) -> float:
    """The wait after the ``attempts``-th failed attempt."""
    wait = number("DATAROUTER_RETRY_INITIAL") * number("DATAROUTER_RETRY_FACTOR") ** max(attempts - 1, 0)
    return min(wait, number("DATAROUTER_RETRY_MAX"))


@dataclass
class _Outcome:
    status: int
    url: str
    location: str | None = None


class DeliveryLoop:
    """``async run(stop)``: deliver until ``stop`` is set, then give back unfinished claims."""

    def __init__(self) -> None:
        self.concurrency = max(1, int(number("DATAROUTER_CONCURRENCY")))
        self.poll = number("DATAROUTER_POLL_INTERVAL")
        self.lease = number("DATAROUTER_LEASE")
        self.timeout = number("DATAROUTER_DELIVERY_TIMEOUT")
        self.attempt_bound = attempt_bound()
        self.tasks: dict[asyncio.Task[None], claims.Job] = {}

    async def run(self, stop: asyncio.Event) -> None:
        # Redirects are the loop's to follow (_follows), never the client's.
        async with outbound.session("datarouter", connections=self.concurrency, timeout=self.timeout) as client:
            last_sweep = 0.0
            loop = asyncio.get_running_loop()
            while not stop.is_set():
                if loop.time() - last_sweep > SWEEP_INTERVAL:
                    last_sweep = loop.time()
                    await _db(claims.sweep_storage)()
                claimed = await self._claim()
                for job in claimed:
                    task = asyncio.create_task(self._attempt(client, job))
                    self.tasks[task] = job
                    task.add_done_callback(self._forget)
                if claimed and len(self.tasks) < self.concurrency:
                    continue  # there may be more due right now
                await _wait(stop, self.poll, set(self.tasks))
            await self._shutdown()

    def _forget(self, task: asyncio.Task[None]) -> None:
        self.tasks.pop(task, None)
        if not task.cancelled() and task.exception() is not None:
            logger.error("delivery task failed", exc_info=task.exception())

    async def _claim(self) -> list[claims.Job]:
        in_flight = [job.delivery.pk for job in self.tasks.values()]
        try:
            return await _db(claims.claim)(self.concurrency - len(self.tasks), self.lease, in_flight)
        except Exception:  # the database may be briefly away; try again next round
            logger.exception("claiming deliveries failed")
            return []

    async def _shutdown(self) -> None:
        jobs = list(self.tasks.values())
        for task in list(self.tasks):
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        if jobs:
            await _db(claims.release)(jobs)

    async def _attempt(self, client: aiohttp.ClientSession, job: claims.Job) -> None:
        sub = job.subscription
        publication = job.publication
        first_url = url = delivery_url(sub.delivery_url, publication.file_id)
        length = self._body_length(job)
        outcome = _Outcome(NO_STATUS, url)
        try:
            async with asyncio.timeout(self.attempt_bound):
                for _hop in range(MAX_REDIRECTS + 1):
                    outcome = await self._send(client, job, url)
                    await _db(claims.record_attempt)(job, url, length, outcome.status)
                    if not (300 <= outcome.status < 400 and self._follows(job, url, outcome)):
                        break
                    assert outcome.location is not None
                    url = urljoin(url, outcome.location)
        except TimeoutError:
            # The lease is about to run out; give the attempt up while it is still ours.
            logger.info("delivery of %s to %s took over %g s; retrying later",
                        publication.publish_id, url, self.attempt_bound)
            outcome = _Outcome(NO_STATUS, url)
            await _db(claims.record_attempt)(job, url, length, NO_STATUS)
        await _db(self._settle)(job, outcome.status, first_url, length)

    @staticmethod
    def _follows(job: claims.Job, url: str, outcome: _Outcome) -> bool:
        if not job.subscription.follow_redirect or not outcome.location:
            return False
        # Basic credentials go with every hop, so only to the origin the subscriber named.
        if not same_origin(url, urljoin(url, outcome.location)):
            return False
        path = outcome.location.split("?", 1)[0]
        file_id = job.publication.file_id
        return path.endswith("/" + quote(file_id, safe="")) or unquote(path).endswith("/" + file_id)

    @staticmethod
    def _body_length(job: claims.Job) -> int:
        if job.publication.method != "PUT" or job.subscription.metadata_only:
            return 0
        return job.publication.content_length

    def _settle(self, job: claims.Job, status: int, url: str, length: int) -> None:
        if HTTPStatus.OK <= status < HTTPStatus.MULTIPLE_CHOICES:
            claims.settle(job, delivered=True)
        elif status != HTTPStatus.TOO_MANY_REQUESTS and HTTPStatus.MULTIPLE_CHOICES <= status < 500:
            claims.settle(job, expire_reason="notRetryable", request_uri=url, content_length=length)
        else:
            self._retry_or_expire(job, url, length)

    @staticmethod
    def _retry_or_expire(job: claims.Job, url: str, length: int) -> None:
        now = timezone.now()
        created = job.publication.created_at
        max_age = datetime.timedelta(seconds=number("DATAROUTER_MAX_AGE"))
        if now - created >= max_age:
            claims.settle(job, expire_reason="retriesExhausted", request_uri=url, content_length=length)
            return
        # The last attempt happens when the file reaches its maximum age.
        retry_at = min(now + datetime.timedelta(seconds=retry_delay(job.delivery.attempts + 1)), created + max_age)
        claims.settle(job, retry_at=retry_at)

    async def _send(self, client: aiohttp.ClientSession, job: claims.Job, url: str) -> _Outcome:
        sub = job.subscription
        publication = job.publication
        # Text headers go as the UTF-8 bytes the publisher sent (publishing.header_text):
        # aiohttp writes header values as UTF-8.
        headers = {
            "X-ATT-DR-PUBLISH-ID": publication.publish_id,
            "Authorization": aiohttp.encode_basic_auth(sub.delivery_user, sub.delivery_password),
        }
        if publication.meta:
            headers["X-ATT-DR-META"] = publication.meta
        content: AsyncIterator[bytes] | bytes | None = None
        if publication.method != "DELETE":
            if publication.content_type:
                headers["Content-Type"] = publication.content_type
            length = self._body_length(job)
            headers["Content-Length"] = str(length)
            content = _file_chunks(publication.storage_name) if length else b""
        try:
            async with client.request(
                publication.method, url, headers=headers, data=content,
                expect100=sub.use100, allow_redirects=False,
            ) as response:
                await outbound.read_small_body(response)
                return _Outcome(response.status, url, response.headers.get("Location"))
        except outbound.TRANSPORT_ERRORS as exc:
            logger.info("delivery of %s to %s failed: %r", publication.publish_id, url, exc)
            return _Outcome(NO_STATUS, url)


async def _file_chunks(name: str) -> AsyncIterator[bytes]:
    """The stored file in chunks, read in a thread so the event loop never blocks on disk."""
    handle = await asyncio.to_thread(storage.open_file, name)
    try:
        while chunk := await asyncio.to_thread(handle.read, CHUNK_SIZE):
            yield chunk
    finally:
        await asyncio.to_thread(handle.close)


def _db(func: Callable[P, R]) -> Callable[P, Awaitable[R]]:
    """Run ORM code in the worker's one database thread, with fresh connections when stale."""

    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
        close_old_connections()
        return func(*args, **kwargs)

    return sync_to_async(wrapped, thread_sensitive=True)


async def _wait(stop: asyncio.Event, timeout: float, tasks: set[asyncio.Task[None]]) -> None:
    """Sleep until ``stop``, a finished delivery (freeing a slot) or ``timeout``."""
    stopper = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait({stopper, *tasks}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopper.cancel()
