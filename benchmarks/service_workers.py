"""The retry and data router workers at scale: real ``manage.py runworker`` processes.

Every run puts its work in the database through the service layer while
no worker can take it (due in the year 2100), starts the worker process(es),
waits until each has opened the database, then makes the whole batch due at
once with one UPDATE. The target (:class:`localserver.Sink`, a process of its
own) answers every request after 100 ms and counts arrivals; a worker's peak
RSS (``VmHWM``) and CPU time are read from ``/proc`` before it is stopped.

* retry, N due at once (10 000; --quick 2 000): attempts/s at the target,
  and the time from "due" until the last attempt arrived;
* retry lateness: 500 requests fall due every second for 20 s (--quick 5 s),
  inserted half a second of work at a time, one second ahead; each URL holds
  its due time, the target records arrival − due;
* datarouter: F 4 KiB files (1 000; --quick 200) to 10 subscribers:
  deliveries/s at the subscribers;
* the same retry and datarouter runs with two worker processes;
* the same runs again once the tables hold 1 000 000 finished rows each
  (--quick 100 000), filled by :mod:`history`.
"""

from __future__ import annotations

import datetime
import os
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from common import status_kib
from localserver import Sink

if TYPE_CHECKING:
    from services import Services

HELD = datetime.datetime(2100, 1, 1, tzinfo=datetime.timezone.utc)
SUBSCRIBERS = 10
DELAY = 0.1


@dataclass
class Run:
    """What one run measured."""

    units: int
    arrived: int
    rate: float
    seconds: float  # from "due" to the last arrival
    rss_mib: float
    cpu_ms_per_unit: float
    target: dict[str, Any] = field(default_factory=dict)
    load: str = ""

    @property
    def cores(self) -> float:
        """The worker processes' CPU time per second of the run: how many cores they kept busy."""
        return self.cpu_ms_per_unit * self.rate / 1000

    def complete(self) -> str:
        return "" if self.arrived >= self.units else f" ⚠ only {self.arrived:,}/{self.units:,} arrived"


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


class WorkerBench:
    def __init__(self, services: Services) -> None:
        self.s = services
        quick = services.quick
        self.burst = 2_000 if quick else 10_000
        self.late_seconds = 5 if quick else 20
        self.late_rate = 500
        self.files = 200 if quick else 1_000
        self.history = 100_000 if quick else 1_000_000
        self.deadline = 60.0 if quick else 90.0
        self.sink = Sink(204, "No Content", delay=DELAY)
        self.feed = 0

    # -- processes ----------------------------------------------------------

    def _start(self, loop: str, count: int) -> list[subprocess.Popen[bytes]]:
        """``count`` worker processes, returned once each has reached its first query (it is polling)."""
        procs = [self.s.worker(loop) for _ in range(count)]
        deadline = time.monotonic() + 60
        try:
            while not self._ready(procs):
                if any(p.poll() is not None for p in procs):
                    raise RuntimeError(f"runworker --only {loop} exited early")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"runworker --only {loop} did not open the database within 60 s")
                time.sleep(0.05)
        except BaseException:
            self.s.stop(*procs)
            raise
        return procs

    @staticmethod
    def _ready(procs: list[subprocess.Popen[bytes]]) -> bool:
        from django.db import connection

        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                               "AND backend_type = 'client backend' AND pid <> pg_backend_pid()")
                return int(cursor.fetchone()[0]) >= len(procs)
        database = str(connection.settings_dict["NAME"])

        def opened(proc: subprocess.Popen[bytes]) -> bool:
            try:
                return any(os.readlink(fd) == database for fd in Path(f"/proc/{proc.pid}/fd").iterdir())
            except (FileNotFoundError, PermissionError):
                return False

        return all(opened(proc) for proc in procs)

    def _measure(self, loop: str, workers: int, units: int, make_due: Any) -> Run:
        """Start the workers, make the held work due, wait for ``units`` arrivals, stop the workers."""
        before = self.sink.reset()
        load = loadavg()
        procs = self._start(loop, workers)
        try:
            cpu0 = sum(_cpu_seconds(p.pid) for p in procs)
            due = make_due()
            deadline = time.monotonic() + self.deadline + units / 1000
            stats = self.sink.stats()
            while stats["count"] < units and time.monotonic() < deadline:
                time.sleep(0.2)
                stats = self.sink.stats()
            rss = max(status_kib(p.pid, "VmHWM") for p in procs) / 1024
            cpu = sum(_cpu_seconds(p.pid) for p in procs) - cpu0
        finally:
            self.s.stop(*procs)
        last = stats["last"] or due
        stats["cpu_seconds"] -= before["cpu_seconds"]
        return Run(units=units, arrived=stats["count"], rate=stats["rate"], seconds=last - due, rss_mib=rss,
                   cpu_ms_per_unit=1000 * cpu / max(1, stats["count"]), target=stats, load=load)

    # -- retry --------------------------------------------------------------

    def _retry_rows(self, urls_and_dues: list[tuple[str, datetime.datetime]]) -> None:
        """Requests as :func:`retry.services.accept_request` stores them, written in one statement."""
        from django.utils import timezone
        from retry.models import RetryRequest
        from retry.validation import validate_payload

        valid, problems = validate_payload({"intervals": [0], "request": {
            "url": urls_and_dues[0][0], "method": "POST", "headers": {"X-Bench": ["1"]}, "body": "payload"}})
        assert valid is not None, problems
        now = timezone.now()
        RetryRequest.objects.bulk_create([
            RetryRequest(owner_id="bench", method=valid.method, url=url, headers=valid.headers, body=valid.body,
                         intervals=valid.intervals, accepted_at=now, next_due_at=due)
            for url, due in urls_and_dues
        ], batch_size=2000)

    def retry_burst(self, workers: int) -> Run:
        from django.utils import timezone
        from retry.models import RetryRequest, State

        self._retry_rows([(f"{self.sink.url}/hit/{i}", HELD) for i in range(self.burst)])

        def make_due() -> float:
            now = time.time()
            RetryRequest.objects.filter(owner_id="bench", state=State.PENDING, next_due_at=HELD).update(
                next_due_at=timezone.now())
            return now

        return self._measure("retry", workers, self.burst, make_due)

    def retry_lateness(self) -> Run:
        """500 due per second for ``late_seconds``, fed to the database one second ahead."""
        step = 0.5
        per_step = int(self.late_rate * step)
        steps = int(self.late_seconds / step)

        def make_due() -> float:
            start = time.time() + 1.0
            for k in range(steps):
                # Insert each half second's requests one second before they fall due.
                pause = start + k * step - 1.0 - time.time()
                if pause > 0:
                    time.sleep(pause)
                dues = [start + k * step + j / self.late_rate for j in range(per_step)]
                self._retry_rows([(f"{self.sink.url}/due/{due:.6f}/{k}-{j}",
                                   datetime.datetime.fromtimestamp(due, datetime.timezone.utc))
                                  for j, due in enumerate(dues)])
            return start + self.late_seconds

        return self._measure("retry", 1, steps * per_step, make_due)

    # -- datarouter ---------------------------------------------------------

    def _subscribe(self) -> int:
        """A feed with ten subscriptions to the sink (through the native HTTP surface)."""
        if self.feed:
            return self.feed
        self.feed = self.s.create_feed("workers")
        for i in range(SUBSCRIBERS):
            self.s.subscribe(self.feed, f"{self.sink.url}/sub{i}/")
        return self.feed

    def publish(self, files: int) -> float:
        """``files`` 4 KiB files, each stored and recorded as a publish does (returns files/s)."""
        from datarouter import publishing
        from datarouter.models import Delivery, Feed
        from django.core.files.base import ContentFile
        from django.core.files.storage import default_storage

        feed = Feed.objects.get(pk=self._subscribe())
        payload = os.urandom(4096)
        started = time.monotonic()
        for i in range(files):
            name = default_storage.save(f"datarouter/{uuid.uuid4().hex}", ContentFile(payload))
            publishing.record(publishing.Publish(
                feed=feed, file_id=f"file-{i}", method="PUT", endpoint_id="pub", source_ip="127.0.0.1",
                content_type="application/octet-stream", meta="", request_uri=f"/publish/{feed.pk}/file-{i}",
            ), name, len(payload))
        elapsed = time.monotonic() - started
        Delivery.objects.filter(status=Delivery.PENDING).update(next_attempt_at=HELD)
        return files / elapsed

    def datarouter(self, workers: int) -> Run:
        from datarouter.models import Delivery
        from django.utils import timezone

        self.publish(self.files)

        def make_due() -> float:
            now = time.time()
            Delivery.objects.filter(status=Delivery.PENDING, next_attempt_at=HELD).update(
                next_attempt_at=timezone.now())
            return now

        return self._measure("datarouter", workers, self.files * SUBSCRIBERS, make_due)

    def close(self) -> None:
        self.sink.stop()



def measure(s: Services) -> None:
    """Every worker run, in an order that keeps the empty-table runs before the history fill."""
    import history

    bench = WorkerBench(s)
    runs: dict[str, Run] = {}
    timings: dict[str, float] = {}

    def step(name: str, action: Any) -> None:
        started = time.monotonic()
        try:
            result = action()
            if isinstance(result, Run):
                runs[name] = result
                print(f"    {name}: {result.rate:,.0f}/s, {result.arrived:,}/{result.units:,} arrived, "
                      f"last {result.seconds:.1f} s after due, RSS {result.rss_mib:.0f} MiB, load {result.load}",
                      flush=True)
        except Exception as exc:  # noqa: BLE001 - one run failing must not hide the others
            import traceback

            traceback.print_exc()
            s.row("workers", f"{name} (failed)", f"{type(exc).__name__}: {str(exc)[:200]}")
        timings[name] = round(time.monotonic() - started, 1)

    fills: dict[str, float] = {}
    tables: dict[str, int] = {}
    try:
        step("retry_1", lambda: (history.clear_retry(), bench.retry_burst(1))[1])
        step("retry_2", lambda: (history.clear_retry(), bench.retry_burst(2))[1])
        step("retry_late", lambda: (history.clear_retry(), bench.retry_lateness())[1])
        step("datarouter_1", lambda: (history.clear_datarouter(), bench.datarouter(1))[1])
        step("datarouter_2", lambda: (history.clear_datarouter(), bench.datarouter(2))[1])
        step("fill", lambda: fills.update(retry=history.fill_retry(bench.history),
                                          datarouter=history.fill_datarouter(bench.history, bench._subscribe()),
                                          analyze=history.analyze()))
        tables.update(history.counts())
        step("retry_1_history", lambda: bench.retry_burst(1))
        step("datarouter_1_history", lambda: bench.datarouter(1))
    finally:
        bench.close()
    s.data["workers"] = {"runs": {k: vars(v) for k, v in runs.items()}, "timings": timings, "fills": fills,
                         "tables": tables, "sizes": {"burst": bench.burst, "late_seconds": bench.late_seconds,
                                                     "files": bench.files, "history": bench.history}}
    _rows(s, bench, runs, fills, tables)


PLURAL = {"attempt": "attempts", "delivery": "deliveries"}


def _goal(met: bool, goal: str) -> str:
    return f"(goal {goal} {'✓' if met else '✗'})"


def _rss(run: Run, unit: str) -> str:
    return (f"worker peak RSS {run.rss_mib:.0f} MiB {_goal(run.rss_mib <= 100, '≤ 100')}, "
            f"CPU {run.cpu_ms_per_unit:.1f} ms per {unit}")


def _gain(one: Run, two: Run, unit: str) -> str:
    gain = 100 * (two.rate / one.rate - 1)
    return (f"**{two.rate:,.0f} {PLURAL[unit]}/s = {gain:+.0f}%** over one worker "
            f"{_goal(gain >= 70, '≥ +70% with a core per worker')}; the workers kept {two.cores:.2f} cores busy, "
            f"one alone {one.cores:.2f}{two.complete()}; {_rss(two, unit)}")


def _history(empty: Run, full: Run, unit: str) -> str:
    ratio = full.rate / empty.rate
    return (f"**{full.rate:,.0f} {PLURAL[unit]}/s = {ratio:.2f} × the empty tables** {_goal(ratio >= 0.9, '≥ 0.90')}"
            f"{full.complete()}; {_rss(full, unit)}")


def _rows(s: Services, bench: WorkerBench, runs: dict[str, Run], fills: dict[str, float],
          tables: dict[str, int]) -> None:
    r1, r2, late = runs.get("retry_1"), runs.get("retry_2"), runs.get("retry_late")
    d1, d2 = runs.get("datarouter_1"), runs.get("datarouter_2")
    rh, dh = runs.get("retry_1_history"), runs.get("datarouter_1_history")
    n = f"{bench.burst:,}"
    if r1:
        s.row("retry", f"one worker, {n} due at once, target answering in 100 ms",
              f"**{r1.rate:,.0f} attempts/s** {_goal(r1.rate >= 1000, '≥ 1 000')}; the last sent {r1.seconds:.1f} s "
              f"after they fell due {_goal(r1.seconds <= 10 * bench.burst / 10_000, f'≤ {bench.burst / 1000:g} s')}"
              f"{r1.complete()}; {_rss(r1, 'attempt')}")
    if late:
        t = late.target
        p99 = t["late_p99"] or 0
        s.row("retry", f"lateness, {bench.late_rate} falling due per second for {bench.late_seconds} s, one worker",
              f"**p50 {t['late_p50'] or 0:.2f} s, p99 {p99:.2f} s** {_goal(p99 <= 1, 'p99 ≤ 1 s')}, "
              f"max {t['late_max'] or 0:.2f} s{late.complete()}; {_rss(late, 'attempt')}")
    if r1 and r2:
        s.row("retry", f"two workers, {n} due at once", _gain(r1, r2, "attempt"))
    if r1 and rh:
        s.row("retry", f"one worker, {n} due at once, with {bench.history:,} finished requests (and their attempts)",
              _history(r1, rh, "attempt"))
    deliveries = f"{bench.files:,} 4 KiB files to {SUBSCRIBERS} subscribers answering in 100 ms"
    if d1:
        s.row("datarouter", f"one worker, {deliveries}",
              f"**{d1.rate:,.0f} deliveries/s** {_goal(d1.rate >= 500, '≥ 500')}; {d1.seconds:.1f} s in all"
              f"{d1.complete()}; {_rss(d1, 'delivery')}")
    if d1 and d2:
        s.row("datarouter", f"two workers, {deliveries}", _gain(d1, d2, "delivery"))
    if d1 and dh:
        s.row("datarouter", f"one worker, {deliveries}, with {bench.history:,} delivered deliveries "
              "(and their publications and log records)", _history(d1, dh, "delivery"))
    if fills:
        s.row("history", "set-based fill of the finished rows (INSERT … SELECT)",
              f"retry {fills['retry']:.1f} s, datarouter {fills['datarouter']:.1f} s, VACUUM ANALYZE {fills['analyze']:.1f} s; "
              "rows: " + ", ".join(f"{table} {count:,}" for table, count in tables.items()))
    target = max((run.target["cpu_seconds"] / max(run.target["last"] - run.target["first"], 0.1)
                  for run in runs.values() if run.arrived > 1), default=0.0)
    s.notes.append(
        f"Workers: the target/subscribers run in a process of their own (`localserver.py`), answering every "
        f"request after {DELAY * 1000:.0f} ms (asyncio.sleep); their busiest run used {100 * target:.0f}% of a core. "
        f"Load average before each run: " + "; ".join(f"{name} {run.load}" for name, run in runs.items()) + ". "
        f"{os.cpu_count()} cores: a second worker process shares them with the first, the target and the "
        "database server (whose CPU is not counted in the workers' figures), so its gain here shows how much "
        "of one worker's time is waiting (I/O, locks, its single database thread) rather than what a free core "
        "per worker would give: when one worker alone keeps most of a core busy, two cannot double on two "
        "shared cores.")
