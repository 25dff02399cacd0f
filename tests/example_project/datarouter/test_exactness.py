"""The logs agree with what subscribers received, across kill -9 of the worker at random moments.

A real worker subprocess delivers 100 files to 3 subscriptions on 3 real
servers and is killed (SIGKILL) again and again while it works; a last
worker finishes. Each subscriber's received requests are then held against
its sublog and the feedlog, as read through the native API.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.db.models import Sum

from datarouter.models import Delivery, LogRecord
from tests.example_project.conftest import Reply, TargetServer, wait_until

from .conftest import DR, feed_id, sub_body, sub_id

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

FILES = 100
CONCURRENCY = 10
KILLS = 5
ENV = {
    "DATAROUTER_POLL_INTERVAL": "0.05",
    "DATAROUTER_RETRY_INITIAL": "0.2",
    "DATAROUTER_CONCURRENCY": str(CONCURRENCY),
    # Short leases, so that what a killed worker held is claimed again soon.
    "DATAROUTER_DELIVERY_TIMEOUT": "0.5",
    "DATAROUTER_LEASE": "2",
    "DATAROUTER_LEASE_MARGIN": "1.5",
}


def test_logs_match_what_subscribers_received_across_kills(dr: DR, run_worker: Callable[..., Any]) -> None:
    servers = [TargetServer() for _ in range(3)]
    try:
        for server in servers:
            server.replies = [Reply(204, delay=0.1)]  # a tenth of a second: kills find requests in flight
        fid = feed_id(dr.feed())
        sids = [sub_id(dr.sub(fid, sub_body(server.url + "/in/"))) for server in servers]
        publish_ids = {dr.publish(fid, f"file-{n}", b"x" * 100)["X-ATT-DR-PUBLISH-ID"] for n in range(FILES)}
        rng = random.Random()
        for _ in range(KILLS):
            worker = run_worker("datarouter", env=ENV)
            # Anywhere from start-up to mid-batch: python and django take about a second to start.
            time.sleep(rng.uniform(0.8, 2.5))
            worker.kill()
            # A record is never apart from its settlement: as many del records as attempts counted.
            attempts = Delivery.objects.aggregate(total=Sum("attempts"))["total"]
            assert LogRecord.objects.filter(type=LogRecord.DEL).count() == attempts
        last = run_worker("datarouter", env=ENV)
        wait_until(lambda: not Delivery.objects.exclude(status=Delivery.DELIVERED).exists(), timeout=60)
        last.stop()
        assert not Delivery.objects.exclude(claim_token="").exists()

        feedlog = dr.request("GET", f"feedlog/{fid}", user=None).json()
        assert Counter(r["publishId"] for r in feedlog if r["type"] == "pub") == Counter(publish_ids)
        feed_dels = Counter((r["publishId"], r["statusCode"]) for r in feedlog if r["type"] == "del")
        sub_dels: Counter[tuple[str, int]] = Counter()
        shortfall = 0
        for server, sid in zip(servers, sids):
            sublog = dr.request("GET", f"sublog/{sid}", user=None).json()
            assert {r["type"] for r in sublog} == {"del"}
            logged = Counter(r["publishId"] for r in sublog)
            succeeded = {r["publishId"] for r in sublog if r["statusCode"] == 204}
            received = Counter(request.header("X-ATT-DR-PUBLISH-ID") for request in server.requests)
            assert set(received) == publish_ids  # every file reached every subscriber
            assert succeeded == publish_ids  # ... and each has its successful del record
            doubled = {pid: (logged[pid], received[pid]) for pid in logged if logged[pid] > received[pid]}
            assert not doubled, f"more del records than requests (records, requests): {doubled}"
            shortfall += sum((received - logged).values())
            sub_dels.update((r["publishId"], r["statusCode"]) for r in sublog)
        # Unrecorded requests are those whose answer died with a worker: at most what it had in hand.
        assert shortfall <= KILLS * CONCURRENCY
        assert feed_dels == sub_dels
    finally:
        for server in servers:
            server.close()
