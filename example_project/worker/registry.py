"""The background loops ``manage.py runworker`` runs side by side.

A service registers a loop from its ``AppConfig.ready()``::

    from worker.registry import register
    register("retry", RetryLoop)

A loop is any object built by calling the factory with no arguments and
having ``async def run(self, stop: asyncio.Event) -> None``: it works until
``stop`` is set, then returns promptly (finishing or abandoning in-flight
work so that nothing is lost: unfinished work must be claimed again by the
next worker).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Protocol

__all__ = ["Loop", "loops", "register"]


class Loop(Protocol):
    async def run(self, stop: asyncio.Event) -> None: ...


_LOOPS: dict[str, Callable[[], Loop]] = {}


def register(name: str, factory: Callable[[], Loop]) -> None:
    if name in _LOOPS and _LOOPS[name] is not factory:
        raise ValueError(f"A worker loop named {name!r} is already registered")
    _LOOPS[name] = factory


def loops() -> dict[str, Callable[[], Loop]]:
    return dict(_LOOPS)
