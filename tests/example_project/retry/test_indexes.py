"""Every query the retry worker issues is answered from an index (PostgreSQL's plans).

The statements are captured from the worker's own functions, not re-typed,
and each is explained with sequential scans disabled: the planner then
still picks a Seq Scan only where no index can answer, which is what must
not happen on tables that grow with every request ever accepted.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from retry import services
from retry.models import RetryRequest, State
from retry.services import Outcome

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans (the production path)"),
]

_BIG_TABLES = ("retry_retryrequest", "retry_attempt")


def _worker_queries(settings: Any) -> list[str]:
    settings.RETRY_RETENTION = 60
    now = timezone.now()
    for n in range(3):
        services.accept_request("o", {"intervals": [0, 5], "request": {"url": f"http://t.example/{n}", "method": "GET"}})
    finished = services.accept_request("o", {"intervals": [0], "request": {"url": "http://t.example/", "method": "GET"}})
    RetryRequest.objects.filter(pk=finished.pk).update(state=State.SUCCEEDED, finished_at=now - timedelta(hours=1))
    outcome = Outcome(started_at=now, finished_at=now, duration=0.1, status_code=500)
    with CaptureQueriesContext(connection) as first:
        claims, _ = services.claim_due(2)
        services.settle([(claims[0], outcome)])
        services.release(claims[1:])
        services.claim_due(10)
    RetryRequest.objects.update(claimed_until=now - timedelta(seconds=1))  # every lease expired
    with CaptureQueriesContext(connection) as second:
        services.claim_due(10)  # takes over, marking the open attempts interrupted
        services.purge_finished()
        services.backlog()
    return [query["sql"] for query in (*first.captured_queries, *second.captured_queries)]


def test_the_worker_never_scans_its_tables(settings: Any) -> None:
    queries = [
        sql for sql in _worker_queries(settings)
        if sql.split(None, 1)[0].upper() in {"SELECT", "UPDATE", "DELETE"} and "retry_" in sql
    ]
    # Claims, settling (UPDATE ... FROM VALUES), releasing, interrupted attempts, purging, the backlog.
    assert len(queries) >= 12, queries

    scans = {}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        for sql in queries:
            cursor.execute("EXPLAIN " + sql)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            if any(f"Seq Scan on {table}" in plan for table in _BIG_TABLES):
                scans[sql] = plan
    assert scans == {}
