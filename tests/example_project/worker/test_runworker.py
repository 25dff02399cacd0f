"""``manage.py runworker`` with loops of the test's own: status lines, ``--once``, signals, errors.

The loops here follow the protocol of :mod:`worker.registry` and nothing
more; they are registered for one test (the real services' loops run in
real subprocesses: tests/example_project/queuey/test_purge_worker.py).
"""

from __future__ import annotations

import asyncio
import datetime
import io
import logging
import os
import re
import signal
import threading
import time
from collections.abc import Callable, Iterator

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import OperationalError
from django.utils import timezone

from worker import registry
from worker.registry import register
from worker.status import Backlog, Progress


@pytest.fixture(autouse=True)
def _own_registry(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # The services' registrations stay; the test's own go with the test.
    monkeypatch.setattr(registry, "_LOOPS", dict(registry.loops()))
    yield


@pytest.fixture
def lines(caplog: pytest.LogCaptureFixture) -> Callable[[], list[str]]:
    caplog.set_level(logging.INFO, logger="worker")
    return lambda: [record.getMessage() for record in caplog.records if record.name == "worker"]


class BatchLoop:
    """Takes ``units`` in one batch, holds them in flight for ``hold`` seconds, finishes them all,
    then finds nothing due for ``linger`` seconds (with ``once``, then returns)."""

    def __init__(self, units: int = 5, hold: float = 0.5, linger: float = 0.0) -> None:
        self.progress = Progress()
        self.units = units
        self.hold = hold
        self.linger = linger

    async def run(self, stop: asyncio.Event, *, once: bool = False) -> None:
        self.progress.in_flight = self.units
        await _sleep(stop, self.hold)
        self.progress.in_flight, self.progress.done = 0, self.units
        await _sleep(stop, self.linger if once else None)


async def _sleep(stop: asyncio.Event, seconds: float | None) -> None:
    try:
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    except TimeoutError:
        pass


class IdleLoop:
    """Never has anything to do: waits for ``stop`` (with ``once`` as well: its work never drains)."""

    def __init__(self) -> None:
        self.progress = Progress()

    async def run(self, stop: asyncio.Event, *, once: bool = False) -> None:
        await stop.wait()


class SignalledLoop(IdleLoop):
    """Sends this process SIGTERM once it runs, then waits for ``stop`` like a loop with endless work."""

    async def run(self, stop: asyncio.Event, *, once: bool = False) -> None:
        os.kill(os.getpid(), signal.SIGTERM)
        await stop.wait()


class FailingLoop(IdleLoop):
    async def run(self, stop: asyncio.Event, *, once: bool = False) -> None:
        raise RuntimeError("the target exploded")


def _late_backlog() -> Backlog:
    return Backlog(due=7, leased=5, oldest_due_at=timezone.now() - datetime.timedelta(minutes=10))


def _empty_backlog() -> Backlog:
    return Backlog(0, 0, None)


def runworker(*args: str) -> float:
    """Run the command in this process; returns how long it took."""
    started = time.monotonic()
    call_command("runworker", *args, stdout=io.StringIO())
    return time.monotonic() - started


def test_status_lines_show_in_flight_rate_and_backlog_then_once_exits(lines: Callable[[], list[str]]) -> None:
    register("batch", lambda: BatchLoop(hold=0.35, linger=0.35), backlog=_late_backlog, verb="sent")
    runworker("--only", "batch", "--once", "--status-every", "0.1")
    output = lines()
    assert output[0] == "worker started: batch (once)"
    status = [line for line in output if "in flight" in line]
    backlog = "  due       7  leased     5  oldest 10 min late"
    # While the batch is out: 5 in flight, none finished; then the first line
    # after it counts the 5 (over about 0.1 s), and the next ones nothing.
    out = f"batch       in flight     5  sent       0/s{backlog}"
    finished = status.index(next(line for line in status if line != out))
    assert finished >= 2 and status[:finished] == [out] * finished
    assert re.fullmatch(rf"batch       in flight     0  sent +(?!0/s)[0-9][0-9. ]*/s{backlog}", status[finished]), status
    rest = status[finished + 1:]
    assert rest == [f"batch       in flight     0  sent       0/s{backlog}"] * len(rest)
    assert re.fullmatch(r"batch       sent 5 in 0\.[7-9] s \([0-9. ]+/s\)", output[-2]), output[-2]
    assert output[-1] == "worker stopped"


def test_every_loop_returns_with_once(lines: Callable[[], list[str]]) -> None:
    register("first", BatchLoop, backlog=_empty_backlog)
    register("second", lambda: BatchLoop(units=3, hold=0.05), backlog=_empty_backlog, verb="done")
    runworker("--only", "first", "--only", "second", "--once", "--status-every", "0")
    output = lines()
    assert not [line for line in output if "in flight" in line]
    assert [line.split(" in ")[0] for line in output[1:-1]] == ["first       done 5", "second      done 3"]


def test_a_failing_backlog_is_a_note_and_the_work_goes_on(lines: Callable[[], list[str]]) -> None:
    def broken() -> Backlog:
        raise OperationalError("database is locked")

    register("batch", BatchLoop, backlog=broken, verb="sent")
    runworker("--only", "batch", "--once", "--status-every", "0.1")
    status = [line for line in lines() if "in flight" in line]
    assert status
    assert all(line.endswith("backlog unavailable (OperationalError: database is locked)") for line in status)
    assert lines()[-1] == "worker stopped"


def test_a_slow_backlog_holds_up_neither_the_loops_nor_the_exit(lines: Callable[[], list[str]]) -> None:
    answered = threading.Event()

    def slow() -> Backlog:
        time.sleep(3)
        answered.set()
        return Backlog(1, 0, None)

    register("batch", lambda: BatchLoop(hold=0.4), backlog=slow, verb="sent")
    runworker("--only", "batch", "--once", "--status-every", "0.1")
    assert not answered.is_set()  # the command is done; the count is not
    status = [line for line in lines() if "in flight" in line]
    assert status
    assert all(line.endswith("backlog unavailable (SlowQuery: still counting after 0.1 s)") for line in status)


def test_sigterm_ends_a_once_run_whose_work_never_drains(lines: Callable[[], list[str]]) -> None:
    register("endless", SignalledLoop, backlog=_empty_backlog)
    register("idle", IdleLoop, backlog=_empty_backlog)
    runworker("--only", "endless", "--only", "idle", "--once", "--status-every", "0")
    assert lines()[-3:] == [
        "endless     done 0 in 0.0 s (0/s)", "idle        done 0 in 0.0 s (0/s)", "worker stopped",
    ]


def test_a_failing_loop_stops_the_others_and_the_command_fails(lines: Callable[[], list[str]]) -> None:
    register("failing", FailingLoop, backlog=_empty_backlog)
    register("idle", IdleLoop, backlog=_empty_backlog)
    with pytest.raises(CommandError, match=r"worker loop 'failing' failed: RuntimeError\('the target exploded'\)"):
        runworker("--only", "failing", "--only", "idle")


def test_list_and_unknown_loops_and_bad_intervals() -> None:
    register("batch", BatchLoop, backlog=_empty_backlog)
    out = io.StringIO()
    call_command("runworker", "--list", stdout=out)
    assert out.getvalue().split() == ["batch", "datarouter", "queuey", "retry"]
    with pytest.raises(CommandError, match="Unknown loop\\(s\\): nope; known: batch, datarouter, queuey, retry"):
        runworker("--only", "nope")
    for bad in ("-1", "nan"):
        with pytest.raises(CommandError, match="--status-every takes a number of seconds, or 0 for no status lines"):
            runworker("--only", "batch", "--status-every", bad)
