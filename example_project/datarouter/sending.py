"""One request of a delivery: its URL, headers and body, sent with aiohttp (:mod:`worker.outbound`).

The body of a small file (up to :data:`SMALL_FILE`) is read from storage
once, in a thread, and shared by every delivery of it in flight: a file
published to ten subscriptions is read once, not ten times in 64 KiB
steps. Larger files stream from storage for each request, so a worker's
memory never holds one whole.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

import aiohttp
from worker import outbound

from . import storage
from .claims import Job
from .models import Publication

__all__ = ["Answer", "Bodies", "NO_STATUS", "body_length", "delivery_url", "same_origin", "send"]

logger = logging.getLogger("datarouter.delivery")

CHUNK_SIZE = 64 * 1024
SMALL_FILE = 1024 * 1024
#: The status recorded for a request that got no answer (refused, reset, timed out).
NO_STATUS = -1

_DEFAULT_PORTS = {"http": 80, "https": 443}


def delivery_url(base: str, file_id: str) -> str:
    """``{delivery.url}/{fileId}``, without doubling a trailing slash."""
    return base.rstrip("/") + "/" + quote(file_id, safe="")


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


def body_length(job: Job) -> int:
    """Bytes of file a request of this delivery carries (none for deletions and metadata-only subscriptions)."""
    if job.publication.method != "PUT" or job.subscription.metadata_only:
        return 0
    return job.publication.content_length


@dataclass(frozen=True)
class Answer:
    """A subscriber's answer to one request: its status (:data:`NO_STATUS` for none) and ``Location``."""

    status: int
    location: str | None = None


class Bodies:
    """The bodies of the files being delivered; small ones read once and shared while held.

    The loop calls :meth:`hold` when a delivery of a publication starts and
    :meth:`release` when it ends; the content goes once no delivery holds it.
    """

    def __init__(self, small: int = SMALL_FILE) -> None:
        self.small = small
        self._shared: dict[int, tuple[asyncio.Task[bytes], int]] = {}

    def hold(self, publication: Publication) -> None:
        if not publication.storage_name or publication.content_length > self.small:
            return
        read, holders = self._shared.get(publication.pk, (None, 0))
        if read is None:
            read = asyncio.ensure_future(asyncio.to_thread(storage.read_file, publication.storage_name))
        self._shared[publication.pk] = (read, holders + 1)

    def release(self, publication: Publication) -> None:
        read, holders = self._shared.get(publication.pk, (None, 0))
        if read is None:
            return
        if holders > 1:
            self._shared[publication.pk] = (read, holders - 1)
            return
        del self._shared[publication.pk]
        if not read.done():
            read.cancel()
        elif not read.cancelled():
            read.exception()  # retrieved, so that a failed read is not reported as never awaited

    async def content(self, publication: Publication) -> bytes | AsyncIterator[bytes]:
        shared = self._shared.get(publication.pk)
        if shared is not None:
            # Shielded: one delivery cancelled (cut off, shut down) must not cancel the others' read.
            return await asyncio.shield(shared[0])
        if publication.content_length <= self.small:
            return await asyncio.to_thread(storage.read_file, publication.storage_name)
        return _file_chunks(publication.storage_name)


async def _file_chunks(name: str) -> AsyncIterator[bytes]:
    """A large stored file in chunks, read in a thread so the event loop never blocks on disk."""
    handle = await asyncio.to_thread(storage.open_file, name)
    try:
        while chunk := await asyncio.to_thread(handle.read, CHUNK_SIZE):
            yield chunk
    finally:
        await asyncio.to_thread(handle.close)


async def send(session: aiohttp.ClientSession, job: Job, url: str, bodies: Bodies) -> Answer:
    """Send one request of ``job`` to ``url``; connection errors and timeouts are :data:`NO_STATUS`."""
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
    content: bytes | AsyncIterator[bytes] | None = None
    if publication.method != "DELETE":
        if publication.content_type:
            headers["Content-Type"] = publication.content_type
        length = body_length(job)
        headers["Content-Length"] = str(length)
        content = await bodies.content(publication) if length else b""
    try:
        async with session.request(
            publication.method, url, headers=headers, data=content, expect100=sub.use100, allow_redirects=False
        ) as response:
            await outbound.read_small_body(response)
            return Answer(response.status, response.headers.get("Location"))
    except (*outbound.TRANSPORT_ERRORS, ValueError) as exc:
        logger.debug("delivery of %s to %s failed: %r", publication.publish_id, url, exc)
        return Answer(NO_STATUS)
