"""Filling the services' real tables with finished rows, fast: set-based SQL.

One ``INSERT … SELECT`` per chunk of rows, over ``generate_series`` on
PostgreSQL and a recursive CTE on SQLite, or over rows inserted before (the
attempts of the requests just written, the deliveries of the publications
…). Tables and columns come from the models' ``_meta``, and every column
this module does not set gets the field's default (or NULL): columns that
other changes add to the models (retention bookkeeping, say) are filled as
Django would fill them.

The rows look like a busy service's history: finished (succeeded retries
with one attempt each, delivered files with a ``pub`` and a ``del`` record
per delivery), finished within the last half hour — inside any retention
window, so a purge during the run has nothing to remove.
"""

from __future__ import annotations

import datetime
import time
from typing import Any

from django.db import connection, models, transaction
from django.db.models.fields import NOT_PROVIDED
from django.utils import timezone

#: How far back the finished rows reach.
SPREAD = datetime.timedelta(minutes=30)
CHUNKS = 10


class Raw(str):
    """An SQL expression over the source rows, as opposed to a value to bind."""


def _column(model: type[models.Model], name: str) -> str:
    return connection.ops.quote_name(model._meta.get_field(name).column)


def _table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _value(field: models.Field[Any, Any], value: Any) -> Any:
    return field.get_db_prep_save(value, connection)


def insert_select(model: type[models.Model], values: dict[str, Any], source: str, params: list[Any]) -> int:
    """``INSERT INTO model (…) SELECT … FROM source``; :class:`Raw` values are expressions over ``source``."""
    columns, selects, bound = [], [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        if field.name in values:
            value = values[field.name]
        elif field.default is not NOT_PROVIDED:
            value = field.get_default()
        elif field.null:
            value = None
        else:
            raise RuntimeError(f"{model.__name__}.{field.name} needs a value for the history fill")
        columns.append(connection.ops.quote_name(field.column))
        if isinstance(value, Raw):
            selects.append(str(value))
        else:
            selects.append("%s")
            bound.append(_value(field, value))
    sql = f"INSERT INTO {_table(model)} ({', '.join(columns)}) SELECT {', '.join(selects)} FROM {source}"
    with connection.cursor() as cursor:
        cursor.execute(sql, [*bound, *params])
        return cursor.rowcount


def _series(n: int) -> tuple[str, list[Any]]:
    """A row source of ``n`` rows, with a column ``i`` counting from 1."""
    if connection.vendor == "postgresql":
        return "generate_series(1, %s) AS g(i)", [n]
    return "(WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < %s) SELECT i FROM g) AS g", [n]


def _fast_commit(*tables: type[models.Model]) -> None:
    """On PostgreSQL, within the chunk's transaction: no wait for the WAL flush at commit (it is
    test data), and fresh statistics of what the previous chunks wrote, so that the joins of
    the next chunk are planned for the rows actually there."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")
            for model in tables:
                cursor.execute(f"ANALYZE {_table(model)}")


def _max_pk(model: type[models.Model]) -> int:
    return model.objects.aggregate(top=models.Max("pk"))["top"] or 0


def _chunks(total: int) -> list[tuple[int, datetime.datetime]]:
    """Chunk sizes, each with the time its rows finished (spread over SPREAD)."""
    now = timezone.now()
    size = -(-total // CHUNKS)
    return [(min(size, total - k * size), now - SPREAD * (CHUNKS - k) / (CHUNKS + 1))
            for k in range(CHUNKS) if total > k * size]


def fill_retry(total: int) -> float:
    """``total`` succeeded retry requests, each with its one attempt; returns seconds taken."""
    from retry.models import Attempt, RetryRequest, State

    started = time.monotonic()
    for size, when in _chunks(total):
        with transaction.atomic():
            _fast_commit(RetryRequest, Attempt)
            first = _max_pk(RetryRequest)
            source, params = _series(size)
            insert_select(RetryRequest, {
                "owner_id": "history", "method": "POST", "url": "http://127.0.0.1:9/history", "headers": [],
                "body": b"payload", "intervals": [0, 60, 300], "accepted_at": when - datetime.timedelta(seconds=1),
                "state": State.SUCCEEDED, "next_attempt": 0, "next_due_at": None, "finished_at": when,
                "claim_token": "", "claimed_until": None,
            }, source, params)
            r = "r"
            insert_select(Attempt, {
                "request": Raw(f"{r}.{_column(RetryRequest, 'id')}"), "index": 0,
                "scheduled_at": Raw(f"{r}.{_column(RetryRequest, 'accepted_at')}"),
                "started_at": Raw(f"{r}.{_column(RetryRequest, 'accepted_at')}"),
                "finished_at": Raw(f"{r}.{_column(RetryRequest, 'finished_at')}"),
                "duration": 0.1, "status_code": 200, "error": "",
            }, f"{_table(RetryRequest)} AS {r} WHERE {r}.{_column(RetryRequest, 'id')} > %s", [first])
    return time.monotonic() - started


def fill_datarouter(total: int, feed_id: int) -> float:
    """``total`` delivered deliveries to the feed's subscriptions, with their publications and
    ``pub``/``del`` log records; returns seconds taken."""
    from datarouter.models import Delivery, Feed, LogRecord, Publication, Subscription

    started = time.monotonic()
    feed = Feed.objects.get(pk=feed_id)
    subscriptions = Subscription.objects.filter(feed=feed).count()
    p, s, d = "p", "s", "d"
    pid, sid = f"{p}.{_column(Publication, 'id')}", f"{s}.{_column(Subscription, 'id')}"
    for size, when in _chunks(max(1, total // subscriptions)):
        with transaction.atomic():
            _fast_commit(Publication, Delivery, LogRecord)
            first_pub, first_log = _max_pk(Publication), _max_pk(LogRecord)
            source, params = _series(size)
            insert_select(Publication, {
                "feed": feed.pk, "file_id": "history", "method": "PUT", "content_type": "application/octet-stream",
                "content_length": 4096, "meta": "", "source_ip": "127.0.0.1", "endpoint_id": "pub",
                "storage_name": "", "created_at": when - datetime.timedelta(seconds=1),
            }, source, params)
            publications = f"{_table(Publication)} AS {p} WHERE {pid} > %s"
            insert_select(Delivery, {
                "publication": Raw(pid), "subscription": Raw(sid), "status": Delivery.DELIVERED, "attempts": 1,
                "next_attempt_at": Raw(f"{p}.{_column(Publication, 'created_at')}"), "claim_token": "",
                "claimed_until": None,
            }, f"{_table(Publication)} AS {p} CROSS JOIN {_table(Subscription)} AS {s} "
               f"WHERE {pid} > %s AND {s}.{_column(Subscription, 'feed')} = %s", [first_pub, feed.pk])
            log = {
                "type": LogRecord.PUB, "date": Raw(f"{p}.{_column(Publication, 'created_at')}"), "feed_id": feed.pk,
                "subscription_id": None, "publish_id": Raw(f"CAST({pid} AS TEXT)"),
                "request_uri": f"/publish/{feed.pk}/history", "method": "PUT",
                "content_type": "application/octet-stream", "content_length": 4096, "source_ip": "127.0.0.1",
                "endpoint_id": "pub", "delivery_id": "", "status_code": 204, "expiry_reason": "", "attempts": None,
            }
            insert_select(LogRecord, log, publications, [first_pub])
            insert_select(LogRecord, {
                **log, "type": LogRecord.DEL, "date": when, "subscription_id": Raw(f"{d}.{_column(Delivery, 'subscription')}"),
                "source_ip": "", "endpoint_id": "", "delivery_id": "sub", "status_code": 204,
            }, f"{_table(Delivery)} AS {d} JOIN {_table(Publication)} AS {p} "
               f"ON {pid} = {d}.{_column(Delivery, 'publication')} "
               f"WHERE {pid} > %s AND {d}.{_column(Delivery, 'publication')} > %s", [first_pub, first_pub])
            assert _max_pk(LogRecord) > first_log
    return time.monotonic() - started


def counts() -> dict[str, int]:
    """Rows per table of the two services (to print beside the results)."""
    from datarouter.models import Delivery, LogRecord, Publication
    from retry.models import Attempt, RetryRequest

    return {m._meta.db_table: m.objects.count() for m in (RetryRequest, Attempt, Publication, Delivery, LogRecord)}


def clear_retry() -> None:
    """Remove every retry request and attempt (children first: plain DELETEs, no ORM cascade walk)."""
    from retry.models import Attempt, RetryRequest

    _delete(Attempt, RetryRequest)


def clear_datarouter() -> None:
    """Remove every delivery, log record and publication (feeds and subscriptions stay)."""
    from datarouter.models import Delivery, LogRecord, Publication

    _delete(Delivery, LogRecord, Publication)


def _delete(*tables: type[models.Model]) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        for model in tables:
            cursor.execute(f"DELETE FROM {_table(model)}")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in tables:
                cursor.execute(f"VACUUM ANALYZE {_table(model)}")


def analyze() -> float:
    """On PostgreSQL, vacuum and fresh planner statistics after the fill, as autovacuum would do within a minute.

    Without the VACUUM, autovacuum's own (a million inserted rows trigger
    it) runs during the measurement that follows and takes the CPU the
    worker and the database need: history that grew over days has long
    been vacuumed. Not on SQLite, which gathers no statistics unless told
    to: the run compares the same database with and without the rows, as a
    deployment would have it.
    """
    started = time.monotonic()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    return time.monotonic() - started
