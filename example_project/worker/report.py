"""What ``runworker`` prints: each loop's progress and its service's backlog, at a glance.

Every ``--status-every`` seconds one line per loop, and one summary line per
loop when the worker stops::

    retry       in flight   412  sent        987/s  due   3 120  leased   500  oldest 0.8 s late
    datarouter  in flight    40  delivered   212/s  due       0  leased    40
    queuey      in flight     0  purged        0/s  due       0  leased     0
    queuey      purged 25 in 0.3 s (83/s)

The lines go through the ``worker`` logger, like the loops' own messages: a
terminal and a log file then show the same timestamped lines in the order
they happened (``self.stdout`` would be block-buffered in a file, and apart
from the log on stderr).

Progress is read on the event loop, the only thread that changes it. The
backlog is read by the service's registered ``backlog()`` on a thread of
the reporter's own (:class:`QueryThread`), so a slow count never holds up a
loop, and a failing one prints a note instead of numbers.
"""

from __future__ import annotations

import asyncio
import datetime
import logging
import queue
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.db import close_old_connections, connections
from django.utils import timezone

from worker.registry import Loop, Registration
from worker.status import Backlog, Progress

__all__ = ["Columns", "QueryThread", "StatusReporter", "count", "duration", "rate", "status_line", "summary_line"]

logger = logging.getLogger("worker")


def count(n: int) -> str:
    """``3120`` as ``3 120``: thousands apart, readable at a glance."""
    return f"{n:,}".replace(",", " ")


def rate(per_second: float) -> str:
    """Whole units per second (thousands apart); one decimal below 10, where it still says something."""
    return f"{per_second:.1f}" if 0 < per_second < 10 else count(round(per_second))


def duration(seconds: float) -> str:
    """``0.8 s``, ``42 s``, ``12 min``, ``3.5 h``: as precise as a glance needs."""
    if seconds < 10:
        return f"{seconds:.1f} s"
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


@dataclass(frozen=True)
class Columns:
    """How wide the loop names and verbs are, so that the lines of several loops align."""

    name: int = 10
    verb: int = 6

    @classmethod
    def fitting(cls, registrations: Mapping[str, Registration]) -> Columns:
        return cls(
            name=max([cls.name, *map(len, registrations)]),
            verb=max([cls.verb, *(len(r.verb) for r in registrations.values())]),
        )


def status_line(
    name: str, verb: str, progress: Progress, per_second: float,
    backlog: Backlog | BaseException, now: datetime.datetime, columns: Columns = Columns(),
) -> str:
    """One loop's line: in flight, units finished per second, then the backlog or why it is missing."""
    line = (
        f"{name:<{columns.name}}  in flight {count(progress.in_flight):>5}  "
        f"{verb:<{columns.verb}} {rate(per_second):>5}/s  "
    )
    if isinstance(backlog, BaseException):
        reason = str(backlog).strip().splitlines()[0][:60] if str(backlog).strip() else ""
        return line + f"backlog unavailable ({type(backlog).__name__}{': ' + reason if reason else ''})"
    line += f"due {count(backlog.due):>7}  leased {count(backlog.leased):>5}"
    if backlog.oldest_due_at is not None:
        line += f"  oldest {duration(backlog.lateness(now))} late"
    return line


def summary_line(name: str, verb: str, done: int, seconds: float, columns: Columns = Columns()) -> str:
    """What a loop finished in all, when the worker stops."""
    per_second = done / seconds if seconds > 0 else 0.0
    return f"{name:<{columns.name}}  {verb} {count(done)} in {duration(seconds)} ({rate(per_second)}/s)"


class QueryThread:
    """One daemon thread that runs the backlog queries, one at a time.

    Not ``asyncio.to_thread``: ``asyncio.run`` joins the default executor
    when it ends, so a count stuck on the database would hold up the exit
    after ``SIGTERM``. A daemon thread is not waited for.
    """

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[Callable[[], None] | None] = queue.SimpleQueue()
        threading.Thread(target=self._serve, name="worker-status", daemon=True).start()

    def _serve(self) -> None:
        while (job := self._jobs.get()) is not None:
            job()
        connections.close_all()

    def close(self) -> None:
        """End the thread once the queries asked for have run."""
        self._jobs.put(None)

    def submit(self, query: Callable[[], Backlog]) -> asyncio.Future[Backlog]:
        """Run ``query`` on the thread; the future (of the running event loop) gets its result or error."""
        event_loop = asyncio.get_running_loop()
        future: asyncio.Future[Backlog] = event_loop.create_future()

        def job() -> None:
            # A long-lived thread must drop connections the database closed.
            close_old_connections()
            try:
                result: Backlog | BaseException = query()
            except Exception as exc:  # reported as a note on the line, never raised in the worker
                result = exc
            finally:
                close_old_connections()
            try:
                event_loop.call_soon_threadsafe(_settle, future, result)
            except RuntimeError:  # the event loop has closed: nobody waits any more
                pass

        self._jobs.put(job)
        return future


def _settle(future: asyncio.Future[Backlog], result: Backlog | BaseException) -> None:
    if future.done():
        return
    if isinstance(result, BaseException):
        future.set_exception(result)
    else:
        future.set_result(result)


@dataclass
class _Watched:
    loop: Loop
    registration: Registration
    #: ``progress.done`` and the monotonic time at the last line (a loop starts at 0).
    done: int
    at: float
    #: The backlog query of this round, or one still running from an earlier round
    #: (not asked again until it ends, so slow counts do not pile up).
    query: asyncio.Future[Backlog] | None = field(default=None)


class SlowQuery(Exception):
    """The backlog query has not answered within the reporting interval."""


class StatusReporter:
    """Logs a status line per loop every ``every`` seconds, and a summary line per loop at the end.

    A line that cannot be made is logged as an error and the loops go on:
    the display never stops the work.
    """

    def __init__(self, running: Mapping[str, tuple[Loop, Registration]], every: float) -> None:
        self.every = every
        self.started = time.monotonic()
        self.columns = Columns.fitting({name: registration for name, (_, registration) in running.items()})
        self._watched = {name: _Watched(loop, registration, 0, self.started) for name, (loop, registration) in running.items()}
        self._queries = QueryThread() if every else None

    async def run(self) -> None:
        """Report until cancelled."""
        while True:
            await asyncio.sleep(self.every)
            await self.report()

    async def report(self) -> None:
        """One line per loop; waits at most ``every`` seconds for the backlog queries."""
        assert self._queries is not None
        for watched in self._watched.values():
            if watched.query is None:
                watched.query = self._queries.submit(watched.registration.backlog)
        running = [w.query for w in self._watched.values() if w.query is not None and not w.query.done()]
        if running:
            await asyncio.wait(running, timeout=self.every)
        now, wall = time.monotonic(), timezone.now()
        for name, watched in self._watched.items():
            try:
                logger.info(self._line(name, watched, now, wall))
            except Exception:
                logger.exception("worker loop %r: no status line", name)

    def _line(self, name: str, watched: _Watched, now: float, wall: datetime.datetime) -> str:
        progress = watched.loop.progress
        per_second = (progress.done - watched.done) / (now - watched.at)
        watched.done, watched.at = progress.done, now
        backlog: Backlog | BaseException = SlowQuery(f"still counting after {duration(self.every)}")
        query = watched.query
        if query is not None and query.done():
            watched.query = None
            backlog = query.exception() or query.result()
        return status_line(name, watched.registration.verb, progress, per_second, backlog, wall, self.columns)

    def close(self) -> None:
        """Let the query thread go (the worker is stopping)."""
        if self._queries is not None:
            self._queries.close()

    def summarise(self) -> None:
        """A line per loop: how many units it finished, in how long."""
        seconds = time.monotonic() - self.started
        for name, watched in self._watched.items():
            try:
                done = watched.loop.progress.done
            except Exception:
                logger.exception("worker loop %r: no summary line", name)
                continue
            logger.info(summary_line(name, watched.registration.verb, done, seconds, self.columns))
