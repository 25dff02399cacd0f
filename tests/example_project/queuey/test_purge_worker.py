"""The purge loop, run by a real ``manage.py runworker`` process."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from queuey import services
from queuey.models import Message
from tests.example_project.conftest import wait_until
from tests.example_project.queuey.conftest import App, Seed, body


def _queue_with_25_expired(seed: Seed, make_app: Callable[[str], App]) -> tuple[App, str]:
    """A queue of 26 messages, 25 of them expired; returns the application and the live one's key."""
    app = make_app("notifications")
    seed.form("POST", f"/v1/{app.name}", {"queue_name": "q"}, **app.auth)
    queue = services.get_queue(app.name, "q")
    services.store_messages(queue, [{"body": f"old {i}"} for i in range(25)], batch=True)
    kept = body(seed.raw("POST", f"/v1/{app.name}/q", "kept", **app.auth))["messages"][0]["key"]
    Message.objects.exclude(message_id=kept).update(expires_at=timezone.now() - timedelta(seconds=1))
    return app, kept


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_worker_purges_expired_messages_in_batches(seed: Seed, make_app: Callable[[str], App], run_worker: Any) -> None:
    app, kept = _queue_with_25_expired(seed, make_app)
    # Hidden at once, before any purge.
    assert [m["message_id"] for m in body(seed.get(f"/v1/{app.name}/q", **app.auth))["messages"]] == [kept]

    worker = run_worker("queuey", env={"QUEUEY_PURGE_INTERVAL": "0.2", "QUEUEY_PURGE_BATCH": "10"})
    wait_until(lambda: Message.objects.count() == 1, timeout=30)
    assert list(Message.objects.values_list("message_id", flat=True)) == [kept]

    # A message whose short TTL runs out while the worker runs is purged too.
    short = body(seed.raw("POST", f"/v1/{app.name}/q", "short", HTTP_X_TTL="1", **app.auth))["messages"][0]["key"]
    assert Message.objects.filter(message_id=short).exists()
    wait_until(lambda: not Message.objects.filter(message_id=short).exists(), timeout=30)
    assert Message.objects.filter(message_id=kept).exists()
    worker.stop()
    assert "purged" in worker.output()


def test_purge_expired_counts_and_batches(seed: Seed, app: App) -> None:
    seed.form("POST", f"/v1/{app.name}", {"queue_name": "q"}, **app.auth)
    queue = services.get_queue(app.name, "q")
    services.store_messages(queue, [{"body": "x"} for _ in range(7)], batch=True)
    Message.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    services.store_messages(queue, [{"body": "live"}], batch=True)
    assert services.purge_expired(batch_size=3) == 7
    assert Message.objects.count() == 1


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_once_purges_what_has_expired_and_exits(seed: Seed, make_app: Callable[[str], App], run_worker: Any) -> None:
    app, kept = _queue_with_25_expired(seed, make_app)

    worker = run_worker("queuey", env={"QUEUEY_PURGE_INTERVAL": "3600", "QUEUEY_PURGE_BATCH": "10"}, args=["--once"])
    assert worker.process.wait(30) == 0, worker.output()
    assert list(Message.objects.values_list("message_id", flat=True)) == [kept]
    lines = _worker_lines(worker.output())
    assert lines[0] == "worker started: queuey (once)"
    assert re.fullmatch(r"queuey      purged 25 in [0-9.]+ s \([0-9. ]+/s\)", lines[-2]), lines
    assert lines[-1] == "worker stopped"


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_status_lines_show_the_expired_backlog(seed: Seed, make_app: Callable[[str], App], run_worker: Any) -> None:
    app = make_app("notifications")
    seed.form("POST", f"/v1/{app.name}", {"queue_name": "q"}, **app.auth)
    queue = services.get_queue(app.name, "q")
    services.store_messages(queue, [{"body": f"old {i}"} for i in range(12)], batch=True)
    Message.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    # One purge round at the start, then none for an hour: what expires later waits, and shows.
    worker = run_worker("queuey", env={"QUEUEY_PURGE_INTERVAL": "3600"}, args=["--status-every", "0.2"])
    wait_until(lambda: "queuey purged 12 expired messages" in worker.output(), timeout=20)
    services.store_messages(queue, [{"body": f"late {i}"} for i in range(7)], batch=True)
    Message.objects.update(expires_at=timezone.now() - timedelta(minutes=10))
    waiting = "queuey      in flight     0  purged     0/s  due       7  leased     0  oldest 10 min late"
    wait_until(lambda: waiting in _worker_lines(worker.output()), timeout=20)
    worker.stop()
    assert worker.process.returncode == 0
    lines = _worker_lines(worker.output())
    assert re.fullmatch(r"queuey      purged 12 in [0-9.]+ s \([0-9. ]+/s\)", lines[-2]), lines
    # The 12 purged at the start count in the line after them, as a rate over the interval.
    assert [line for line in lines if re.search(r"purged +(?!0/s)[0-9][0-9. ]*/s", line)], lines
    assert Message.objects.count() == 7


def _worker_lines(output: str) -> list[str]:
    """The ``worker`` logger's messages, without the time and level in front."""
    return [line.split(" INFO worker: ", 1)[1] for line in output.splitlines() if " INFO worker: " in line]
