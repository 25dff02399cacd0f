"""``manage.py runworker``: every service's background loops in one process.

Every ``--status-every`` seconds it logs a line per loop (in flight, units
finished per second, the service's backlog: :mod:`worker.report`), and a
summary line per loop when it stops. ``--once`` drains what is due and exits.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Mapping
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from worker.registry import Loop, Registration, loops
from worker.report import StatusReporter

logger = logging.getLogger("worker")


class Command(BaseCommand):
    help = "Run the services' background loops (retries, deliveries, purges) until SIGTERM/SIGINT."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--only", action="append", default=[], metavar="LOOP",
            help="Run only this loop (repeatable). Default: all of them.",
        )
        parser.add_argument("--list", action="store_true", help="List the registered loops and exit.")
        parser.add_argument(
            "--once", action="store_true",
            help="Drain what is due, then exit (each loop returns once nothing is due or in flight).",
        )
        parser.add_argument(
            "--status-every", type=float, default=5.0, metavar="SECONDS",
            help="Log a status line per loop this often (default 5; 0 turns them off).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        registered = loops()
        if options["list"]:
            for name in sorted(registered):
                self.stdout.write(name)
            return
        selected = options["only"] or sorted(registered)
        unknown = [name for name in selected if name not in registered]
        if unknown:
            raise CommandError(f"Unknown loop(s): {', '.join(unknown)}; known: {', '.join(sorted(registered))}")
        every = options["status_every"]
        if not every >= 0:  # also refuses nan
            raise CommandError("--status-every takes a number of seconds, or 0 for no status lines")
        asyncio.run(self._run({name: registered[name] for name in selected}, once=options["once"], every=every))

    async def _run(self, selected: Mapping[str, Registration], *, once: bool, every: float) -> None:
        stop = asyncio.Event()
        event_loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            event_loop.add_signal_handler(sig, stop.set)
        running: dict[str, tuple[Loop, Registration]] = {
            name: (registration.factory(), registration) for name, registration in selected.items()
        }
        logger.info("worker started: %s%s", ", ".join(running) or "(no loops)", " (once)" if once else "")
        if not running:
            if not once:
                await stop.wait()
            return
        tasks = {name: asyncio.create_task(loop.run(stop, once=once), name=name) for name, (loop, _) in running.items()}
        reporter = StatusReporter(running, every)
        reporting = asyncio.create_task(reporter.run()) if every else None
        try:
            done, _ = await asyncio.wait(tasks.values(), return_when=asyncio.FIRST_EXCEPTION)
            for task in done:
                if task.exception() is not None:
                    stop.set()
                    await asyncio.gather(*tasks.values(), return_exceptions=True)
                    raise CommandError(f"worker loop {task.get_name()!r} failed: {task.exception()!r}")
        finally:
            if reporting is not None:
                reporting.cancel()
                await asyncio.gather(reporting, return_exceptions=True)
            reporter.close()
        reporter.summarise()
        logger.info("worker stopped")

