"""What a worker loop reports: its own progress, and the backlog in the database.

Two views of one service, kept apart because they live in different places:

* :class:`Progress` is in the worker process: how many units (retry
  attempts, deliveries, purged messages) this loop has in flight and has
  finished since it started. Only ``runworker`` can print it.
* :class:`Backlog` is in the database: how many units are due and not yet
  taken, how many are leased to some worker, and since when the oldest due
  one has waited. Any process can ask for it, so the services' ``/api/``
  status resources show it too.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

__all__ = ["Backlog", "Progress"]


@dataclass
class Progress:
    """A loop's counters, updated by the loop only (one event loop thread, no locks)."""

    #: Units started and not yet finished.
    in_flight: int = 0
    #: Units finished since the loop started, whatever their outcome.
    done: int = 0


@dataclass(frozen=True)
class Backlog:
    """A service's waiting work, as one consistent read of its tables."""

    #: Units due now that no worker holds (never claimed, or their lease ran out).
    due: int
    #: Units some worker holds a live lease on.
    leased: int
    #: When the longest-waiting due unit fell due; ``None`` when nothing is due.
    oldest_due_at: datetime.datetime | None

    def lateness(self, now: datetime.datetime) -> float:
        """Seconds the oldest due unit has waited past its time (0 when nothing waits)."""
        if self.oldest_due_at is None:
            return 0.0
        return max(0.0, (now - self.oldest_due_at).total_seconds())
