"""The retry loop run in the test's process (``once``): it drains what is due, then returns."""

from __future__ import annotations

import asyncio
import socket
from datetime import timedelta
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.db import connections
from django.utils import timezone

from retry import services
from retry.models import Attempt, RetryRequest, State
from retry.worker import RetryLoop
from tests.example_project.conftest import TargetServer

pytestmark = pytest.mark.django_db(transaction=True)


def _accept(url: str, intervals: list[int]) -> RetryRequest:
    return services.accept_request("o", {"intervals": intervals, "request": {"url": url, "method": "GET"}})


def _run_once(loop: RetryLoop) -> None:
    async def main() -> None:
        try:
            await asyncio.wait_for(loop.run(asyncio.Event(), once=True), timeout=20)
        finally:
            # The loop's database thread outlives the run: its connection must not outlive the test.
            await sync_to_async(connections.close_all)()

    asyncio.run(main())


def test_once_drains_what_is_due_and_leaves_what_is_not(target_server: TargetServer, settings: Any) -> None:
    settings.RETRY_RETENTION = 3600
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    sent = _accept(target_server.url + "/sent", [0])
    # Refused twice: its second attempt falls due as the first fails, and is part of the drain.
    refused = _accept(f"http://127.0.0.1:{closed}/", [0, 0])
    later = _accept(target_server.url + "/later", [60])
    old = _accept(target_server.url + "/old", [0])
    RetryRequest.objects.filter(pk=old.pk).update(
        state=State.SUCCEEDED, next_due_at=None, finished_at=timezone.now() - timedelta(hours=2)
    )

    loop = RetryLoop()
    _run_once(loop)

    assert [r.path for r in target_server.requests] == ["/sent"]
    assert (loop.progress.done, loop.progress.in_flight) == (3, 0)
    sent.refresh_from_db()
    refused.refresh_from_db()
    later.refresh_from_db()
    assert (sent.state, sent.claim_token, sent.attempts.count()) == (State.SUCCEEDED, "", 1)
    assert (refused.state, refused.attempts.count()) == (State.GAVE_UP, 2)
    assert (later.state, later.attempts.count()) == (State.PENDING, 0)
    # History past RETRY_RETENTION went on the way.
    assert not RetryRequest.objects.filter(pk=old.pk).exists()
    assert Attempt.objects.filter(finished_at__isnull=True).count() == 0


def test_once_with_nothing_due_returns_at_once() -> None:
    loop = RetryLoop()
    _run_once(loop)
    assert (loop.progress.done, loop.progress.in_flight) == (0, 0)
