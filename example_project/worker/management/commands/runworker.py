"""``manage.py runworker``: every service's background loops in one process."""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from worker.registry import loops

logger = logging.getLogger("worker")


class Command(BaseCommand):
    help = "Run the services' background loops (retries, deliveries, purges) until SIGTERM/SIGINT."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--only", action="append", default=[], metavar="LOOP",
            help="Run only this loop (repeatable). Default: all of them.",
        )
        parser.add_argument("--list", action="store_true", help="List the registered loops and exit.")

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
        asyncio.run(self._run({name: registered[name].factory for name in selected}))

    async def _run(self, factories: dict[str, Any]) -> None:
        stop = asyncio.Event()
        event_loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            event_loop.add_signal_handler(sig, stop.set)
        logger.info("worker started: %s", ", ".join(factories) or "(no loops)")
        tasks = {name: asyncio.create_task(factory().run(stop), name=name) for name, factory in factories.items()}
        if not tasks:
            await stop.wait()
            return
        done, _ = await asyncio.wait(tasks.values(), return_when=asyncio.FIRST_EXCEPTION)
        for task in done:
            if task.exception() is not None:
                stop.set()
                await asyncio.gather(*tasks.values(), return_exceptions=True)
                raise CommandError(f"worker loop {task.get_name()!r} failed: {task.exception()!r}")
        logger.info("worker stopped")
