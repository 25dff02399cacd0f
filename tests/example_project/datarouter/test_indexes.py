"""Every query the delivery worker issues can be served by an index (PostgreSQL's EXPLAIN says so).

The queries are captured from the real functions; each is explained with
``enable_seqscan`` off, which makes PostgreSQL choose an index wherever one
can serve: a ``Seq Scan`` left in the plan means none can.
"""

from __future__ import annotations

import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from datarouter import claims, logs, retention, storage
from datarouter.claims import Outcome, Sent
from datarouter.models import Delivery

from .conftest import DR, feed_id, sub_body, sub_id

pytestmark = pytest.mark.django_db

BIG_TABLES = ("datarouter_delivery", "datarouter_publication", "datarouter_logrecord")


def _explained(sql: str) -> str:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_the_workers_queries_use_indexes(dr: DR) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("EXPLAIN plans are PostgreSQL's")
    fid = feed_id(dr.feed())
    sids = [sub_id(dr.sub(fid, sub_body(f"http://127.0.0.1:9/{n}/"))) for n in range(2)]
    for n in range(3):
        dr.publish(fid, f"f{n}", b"data")
    with CaptureQueriesContext(connection) as captured:
        jobs = claims.claim(10, 30)
        claims.settle([
            Outcome(jobs[0], Delivery.DELIVERED, [Sent("http://x/f0", 4, 204)]),
            Outcome(jobs[1], Delivery.EXPIRED, [Sent("http://x/f0", 4, 400)], expire_reason="notRetryable"),
            Outcome(jobs[2], Delivery.PENDING, [Sent("http://x/f1", 4, 503)], retry_at=jobs[2].delivery.next_attempt_at),
            *(Outcome(job, Delivery.PENDING) for job in jobs[3:]),  # handed back
        ])
        claims.sweep_storage()
        storage.release_finished([jobs[0].delivery.publication_id])
        claims.backlog()
        retention.purge()
        logs.query_records(feed_id=fid, params={})
        logs.query_records(sub_id=sids[0], params={"type": "del"})
    statements = [query["sql"] for query in captured.captured_queries
                  if re.match(r"\s*(SELECT|UPDATE|DELETE|WITH)\b", query["sql"], re.IGNORECASE)]
    assert any("SKIP LOCKED" in sql for sql in statements)
    scanned = {}
    for sql in statements:
        plan = _explained(sql)
        tables = [table for table in BIG_TABLES if re.search(rf"Seq Scan on {table}\b", plan)]
        if tables:
            scanned[sql] = plan
    assert not scanned, "\n\n".join(f"{sql}\n{plan}" for sql, plan in scanned.items())
