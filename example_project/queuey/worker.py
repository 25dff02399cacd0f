"""The background loop that purges expired messages (``runworker --only queuey``).

Reads never show expired messages (they filter on ``expires_at``); this loop
only keeps storage from growing. Deleting is idempotent, so two workers
running it at once do no harm and need no claims.
"""

from __future__ import annotations

import asyncio
import logging
import os

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections

from queuey.services import purge_expired

__all__ = ["PurgeLoop"]

logger = logging.getLogger("queuey.worker")


def _setting(name: str, default: float) -> float:
    # The environment wins so that tests can run a worker with short intervals.
    value = os.environ.get(name)
    return float(value) if value else float(getattr(settings, name, default))


class PurgeLoop:
    """Every ``QUEUEY_PURGE_INTERVAL`` seconds (default 60), delete expired messages
    in batches of ``QUEUEY_PURGE_BATCH`` (default 1000)."""

    def __init__(self) -> None:
        self.interval = _setting("QUEUEY_PURGE_INTERVAL", 60.0)
        self.batch_size = int(_setting("QUEUEY_PURGE_BATCH", 1000))

    def purge_once(self) -> int:
        # A long-lived process must drop connections the database closed.
        close_old_connections()
        try:
            return purge_expired(self.batch_size)
        finally:
            close_old_connections()

    async def run(self, stop: asyncio.Event) -> None:
        logger.info("queuey purge loop: every %ss, batches of %s", self.interval, self.batch_size)
        while not stop.is_set():
            try:
                purged = await sync_to_async(self.purge_once, thread_sensitive=True)()
                if purged:
                    logger.info("queuey purged %d expired messages", purged)
            except Exception:  # a database hiccup must not end the loop
                logger.exception("queuey purge failed; retrying next round")
            try:
                await asyncio.wait_for(stop.wait(), timeout=self.interval)
            except TimeoutError:
                pass
