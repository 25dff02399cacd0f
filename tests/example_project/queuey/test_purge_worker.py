"""The purge loop, run by a real ``manage.py runworker`` process."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from queuey import services
from queuey.models import Message
from tests.example_project.conftest import wait_until
from tests.example_project.queuey.conftest import App, Seed, body


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_worker_purges_expired_messages_in_batches(seed: Seed, make_app: Callable[[str], App], run_worker: Any) -> None:
    app = make_app("notifications")
    seed.form("POST", f"/v1/{app.name}", {"queue_name": "q"}, **app.auth)
    queue = services.get_queue(app.name, "q")
    services.store_messages(queue, [{"body": f"old {i}"} for i in range(25)], batch=True)
    kept = body(seed.raw("POST", f"/v1/{app.name}/q", "kept", **app.auth))["messages"][0]["key"]
    Message.objects.exclude(message_id=kept).update(expires_at=timezone.now() - timedelta(seconds=1))
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
