"""The background loop that purges expired messages (``runworker --only queuey``).

Reads never show expired messages (they filter on ``expires_at``); this loop
only keeps storage from growing. Deleting is idempotent, so two workers
running it at once do no harm and need no claims.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable
from typing import TypeVar

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections

from queuey.services import delete_expired, expired_message_ids
from worker.status import Progress

__all__ = ["PurgeLoop"]

logger = logging.getLogger("queuey.worker")

_A = TypeVar("_A")
_R = TypeVar("_R")


def _setting(name: str, default: float) -> float:
    # The environment wins so that tests can run a worker with short intervals.
    value = os.environ.get(name)
    return float(value) if value else float(getattr(settings, name, default))


class PurgeLoop:
    """Every ``QUEUEY_PURGE_INTERVAL`` seconds (default 60), delete expired messages
    in batches of ``QUEUEY_PURGE_BATCH`` (default 1000).

    ``progress.done`` counts the messages purged; ``progress.in_flight`` is
    the batch being deleted (0 between batches).
    """

    def __init__(self) -> None:
        self.interval = _setting("QUEUEY_PURGE_INTERVAL", 60.0)
        self.batch_size = int(_setting("QUEUEY_PURGE_BATCH", 1000))
        self.progress = Progress()

    async def run(self, stop: asyncio.Event, *, once: bool = False) -> None:
        """Purge until ``stop`` is set; with ``once``, purge what has expired and return.

        A failed round is logged and tried again next round; with ``once``
        it ends the loop instead, so that ``runworker --once`` says it failed.
        """
        logger.info("queuey purge loop: every %ss, batches of %s", self.interval, self.batch_size)
        while not stop.is_set():
            try:
                purged = await self.purge(stop)
            except Exception:  # a database hiccup must not end the loop
                if once:
                    raise
                logger.exception("queuey purge failed; retrying next round")
            else:
                if purged:
                    logger.info("queuey purged %d expired messages", purged)
            if once:
                return
            try:
                await asyncio.wait_for(stop.wait(), timeout=self.interval)
            except TimeoutError:
                pass

    async def purge(self, stop: asyncio.Event) -> int:
        """Delete batch after batch until one comes back short (nothing more has expired) or
        ``stop`` is set; returns how many messages went."""
        purged = 0
        while not stop.is_set():
            ids = await _on_database_thread(expired_message_ids, self.batch_size)
            if not ids:
                break
            self.progress.in_flight = len(ids)
            try:
                deleted = await _on_database_thread(delete_expired, ids)
            finally:
                self.progress.in_flight = 0
            self.progress.done += deleted
            purged += deleted
            if len(ids) < self.batch_size:
                break
        return purged


async def _on_database_thread(function: Callable[[_A], _R], argument: _A) -> _R:
    def call() -> _R:
        # A long-lived process must drop connections the database closed.
        close_old_connections()
        try:
            return function(argument)
        finally:
            close_old_connections()

    result: _R = await sync_to_async(call, thread_sensitive=True)()
    return result
