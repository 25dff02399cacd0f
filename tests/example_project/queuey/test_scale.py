"""100 000 messages: a `since` read of 100 is an index seek, not a scan."""

from __future__ import annotations

import time
from typing import Any

from django.db import connection

from queuey import services
from queuey.models import Message
from tests.example_project.queuey.conftest import App, Seed, body


def test_since_read_of_100_among_100000_uses_the_index(
    seed: Seed, app: App, django_assert_max_num_queries: Any
) -> None:
    seed.form("POST", f"/v1/{app.name}", {"queue_name": "big", "partitions": "2"}, **app.auth)
    queue = services.get_queue(app.name, "big")
    started = time.monotonic()
    for start in range(0, 100_000, 10_000):
        services.store_messages(
            queue, [{"body": f"m{i}", "partition": 1 + i % 2} for i in range(start, start + 10_000)], batch=True
        )
    assert time.monotonic() - started < 60
    assert Message.objects.count() == 100_000
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE queuey_message")

    middle = Message.objects.filter(queue=queue, partition=1).order_by("timestamp", "id")[25_000]
    since = services.visible_messages(queue).filter(partition=1, timestamp__gte=middle.timestamp)
    plan = since.order_by("timestamp", "id")[:100].explain()
    assert "queuey_msg_since_idx" in plan, plan
    if connection.vendor == "sqlite":
        assert "SEARCH" in plan and "TEMP B-TREE" not in plan, plan
    else:
        assert "Index Scan" in plan and "Sort" not in plan.split("Index Scan")[0], plan

    with django_assert_max_num_queries(6):
        response = seed.get(f"/v1/{app.name}/big", {"since": middle.message_id, "limit": "100"}, **app.auth)
    messages = body(response)["messages"]
    assert len(messages) == 100
    assert messages[0]["message_id"] == middle.message_id
    assert all(m["partition"] == 1 for m in messages)
