"""The background loops ``manage.py runworker`` runs side by side.

A service registers a loop from its ``AppConfig.ready()``::

    from worker.registry import register
    register("retry", RetryLoop, backlog=services.backlog, verb="sent")

A loop is any object built by calling the factory with no arguments that
has a :class:`~worker.status.Progress` as ``progress`` and
``async def run(self, stop: asyncio.Event, *, once: bool = False) -> None``:

* it works until ``stop`` is set, then returns promptly, finishing or
  handing back in-flight work so that nothing is lost (unfinished work must
  be claimed again by the next worker);
* with ``once=True`` it also returns as soon as nothing is due and nothing
  is in flight (``runworker --once``: drain what is due, then exit).

``backlog`` reads the service's waiting work from the database; it runs in
a thread of its own, never on the loop's. ``verb`` says what finishing a
unit is (``sent``, ``delivered``, ``purged``) in ``runworker``'s lines.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from worker.status import Backlog, Progress

__all__ = ["Loop", "Registration", "loops", "register"]


class Loop(Protocol):
    progress: Progress

    async def run(self, stop: asyncio.Event, *, once: bool = False) -> None: ...


@dataclass(frozen=True)
class Registration:
    factory: Callable[[], Loop]
    backlog: Callable[[], Backlog]
    verb: str = "done"


_LOOPS: dict[str, Registration] = {}


def register(name: str, factory: Callable[[], Loop], *, backlog: Callable[[], Backlog], verb: str = "done") -> None:
    registration = Registration(factory, backlog, verb)
    if name in _LOOPS and _LOOPS[name] != registration:
        raise ValueError(f"A worker loop named {name!r} is already registered")
    _LOOPS[name] = registration


def loops() -> dict[str, Registration]:
    return dict(_LOOPS)
