"""Several writers at once on the default database setup: no request fails.

On SQLite a transaction that reads and then writes could not wait for the
lock (``database is locked`` at once, whatever the busy timeout) unless it
starts as ``BEGIN IMMEDIATE``; the example project's SQLite setup does so,
in WAL mode, so that readers never wait for writers.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter

import pytest
from django.db import connections, transaction
from django.test import Client

from retry.models import RetryRequest

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(120)]

WRITERS = 6
EACH = 15


def test_concurrent_submissions_all_succeed() -> None:
    statuses: Counter[int] = Counter()
    lock = threading.Lock()
    start = threading.Barrier(WRITERS)

    def writer(number: int) -> None:
        client = Client()
        start.wait()
        try:
            for i in range(EACH):
                body = {"intervals": [60], "request": {"method": "POST", "url": f"http://127.0.0.1:9/{number}/{i}"}}
                response = client.post(
                    "/retry/requests/", json.dumps(body), content_type="application/json", HTTP_X_OWNER_ID="owner"
                )
                with lock:
                    statuses[response.status_code] += 1
        finally:
            connections.close_all()

    done = threading.Event()
    worker_errors: list[Exception] = []

    def worker() -> None:
        # As the services' workers do: transactions that read, then write,
        # with pauses between them (SQLite's lock is not fair to waiters).
        try:
            while not done.is_set():
                with transaction.atomic():
                    RetryRequest.objects.filter(owner_id="nobody").count()
                    time.sleep(0.01)
                    RetryRequest.objects.filter(owner_id="nobody").update(owner_id="nobody")
                time.sleep(0.03)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            worker_errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    busy = threading.Thread(target=worker)
    busy.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    done.set()
    busy.join()
    assert worker_errors == []
    assert statuses == {200: WRITERS * EACH}
    assert RetryRequest.objects.count() == WRITERS * EACH
