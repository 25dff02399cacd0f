"""Claiming due deliveries with a lease, and settling their outcomes; synchronous ORM code for the worker.

Both sides work in batches, so that a worker's database work per delivery
is a share of a few statements, not a few statements of its own:

* :func:`claim` takes up to ``limit`` due deliveries, with their
  publication and subscription, in one SELECT and marks them with a fresh
  ``claim_token`` and ``claimed_until`` in one UPDATE, in one transaction.
  On PostgreSQL the SELECT locks its rows ``FOR UPDATE SKIP LOCKED`` so
  that concurrent workers take different rows instead of waiting on each
  other; on SQLite the transaction takes the write lock up front
  (``BEGIN IMMEDIATE``, see ``config.sqlite``), which serialises claims.
* :func:`settle` stores a batch of outcomes in one transaction: each
  delivery's new state in one ``UPDATE ... FROM (VALUES ...)``, applied
  only where the claim token is still the one the worker holds, and the
  ``del`` record of every request sent and the ``exp`` records, in one
  INSERT. Records and state commit together or not at all, which is what
  makes the logs exact (see :class:`Outcome`).

A worker that dies leaves its lease to run out: the delivery is claimed
again and sent again (at least once).
"""

from __future__ import annotations

import datetime
import logging
import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Exists, Min, OuterRef, Q
from django.utils import timezone
from worker.status import Backlog

from . import storage
from .logs import delivery_record, expiry_record
from .models import Delivery, LogRecord, Publication, Subscription

__all__ = ["Job", "Outcome", "Sent", "backlog", "claim", "settle", "sweep_storage"]

logger = logging.getLogger("datarouter.delivery")


@dataclass
class Job:
    """One claimed delivery, with everything an attempt needs."""

    delivery: Delivery
    token: str

    @property
    def publication(self) -> Publication:
        return self.delivery.publication

    @property
    def subscription(self) -> Subscription:
        return self.delivery.subscription


@dataclass(frozen=True)
class Sent:
    """One request sent to a subscriber whose outcome is known (``status`` -1: no answer)."""

    url: str
    content_length: int
    status: int


@dataclass
class Outcome:
    """What one attempt came to, waiting to be settled.

    ``state`` is the delivery's next status: ``delivered``, ``expired`` (with
    ``expire_reason``) or ``pending`` (due again at ``retry_at``; ``None``
    keeps its due time and its attempt count: an attempt cut short by a
    shutdown, handed back). ``sent`` lists the requests of the attempt,
    redirect hops included.

    Every request in ``sent`` gets its ``del`` record when the outcome is
    settled, whether or not the worker still holds the claim: the request
    reached the subscriber either way. The state change and the ``exp``
    record happen only under the claim; a worker that lost its lease leaves
    the delivery to the worker that holds it now.
    """

    job: Job
    state: str
    sent: list[Sent] = field(default_factory=list)
    retry_at: datetime.datetime | None = None
    expire_reason: str = ""

    @property
    def finished(self) -> bool:
        return self.state != Delivery.PENDING

    @property
    def counts(self) -> bool:
        """Whether this was an attempt (not a hand-back), so ``attempts`` grows by one."""
        return self.finished or self.retry_at is not None


def _due(now: datetime.datetime) -> Q:
    return (
        Q(status=Delivery.PENDING, next_attempt_at__lte=now, subscription__suspended=False)
        & (Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
    )


def claim(limit: int, lease: float, exclude: Collection[int] = ()) -> list[Job]:
    """Claim up to ``limit`` due deliveries for ``lease`` seconds, oldest due first.

    ``exclude``: deliveries this worker still has in hand (their outcome not
    yet settled), never to be claimed twice by the same worker.
    """
    if limit <= 0:
        return []
    now = timezone.now()
    token = uuid.uuid4().hex
    due = (
        Delivery.objects.filter(_due(now)).exclude(pk__in=list(exclude))
        .select_related("publication", "subscription").order_by("next_attempt_at", "pk")
    )
    if connection.vendor == "postgresql":
        due = due.select_for_update(skip_locked=True, of=("self",))
    with transaction.atomic():
        deliveries = list(due[:limit])
        if not deliveries:
            return []
        Delivery.objects.filter(pk__in=[d.pk for d in deliveries]).update(
            claim_token=token, claimed_until=now + datetime.timedelta(seconds=lease)
        )
    return [Job(delivery, token) for delivery in deliveries]


def settle(outcomes: Sequence[Outcome]) -> None:
    """Store a batch of outcomes and their log records in one transaction, then free finished files.

    Raises only when the transaction did not commit, so that the caller may
    settle the same outcomes again without recording anything twice.
    """
    if not outcomes:
        return
    now = timezone.now()
    with transaction.atomic():
        held = _update_states(outcomes, now)
        records: list[LogRecord] = []
        for outcome in outcomes:
            job = outcome.job
            for sent in outcome.sent:
                records.append(delivery_record(job.publication, job.subscription, sent.url, sent.content_length,
                                               sent.status, now))
            if outcome.state == Delivery.EXPIRED and job.delivery.pk in held:
                first = outcome.sent[0]  # an expiry always follows a request; its record names the first
                records.append(expiry_record(job.publication, job.subscription, first.url, first.content_length,
                                             outcome.expire_reason, job.delivery.attempts + 1, now))
        LogRecord.objects.bulk_create(records)
    finished = {o.job.delivery.publication_id for o in outcomes if o.finished and o.job.delivery.pk in held}
    try:
        storage.release_finished(finished)
    except Exception:  # the outcomes are stored; the storage sweep removes what is left behind
        logger.exception("removing the files of %d publications failed", len(finished))


def _update_states(outcomes: Sequence[Outcome], now: datetime.datetime) -> set[int]:
    """One UPDATE of every delivery still claimed by its outcome's token; the ids it changed.

    The rows come as a VALUES list joined to the table (PostgreSQL, and
    SQLite since 3.33), so a batch costs one statement whatever its size.
    A finished delivery's ``next_attempt_at`` becomes the time it finished,
    which retention goes by.
    """
    table = Delivery._meta.db_table
    adapt = connection.ops.adapt_datetimefield_value
    if connection.vendor == "postgresql":
        row = "(%s::bigint, %s, %s, %s::timestamptz, %s::int)"
    else:
        row = "(%s, %s, %s, %s, %s)"
    params: list[Any] = []
    for outcome in outcomes:
        delivery = outcome.job.delivery
        due = now if outcome.finished else outcome.retry_at or delivery.next_attempt_at
        params += [delivery.pk, outcome.job.token, outcome.state, adapt(due), int(outcome.counts)]
    sql = (
        f"WITH v (id, token, status, due, counted) AS (VALUES {', '.join([row] * len(outcomes))}) "
        f"UPDATE {table} SET status = v.status, next_attempt_at = v.due, attempts = {table}.attempts + v.counted, "
        f"claim_token = '', claimed_until = NULL "
        f"FROM v WHERE {table}.id = v.id AND {table}.claim_token = v.token AND {table}.status = %s "
        f"RETURNING {table}.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, Delivery.PENDING])
        return {row[0] for row in cursor.fetchall()}


def sweep_storage() -> None:
    """Remove stored files nobody waits for (after deletions of subscriptions, or a crash between steps)."""
    pending = Delivery.objects.filter(publication=OuterRef("pk"), status=Delivery.PENDING)
    ids = list(
        Publication.objects.exclude(storage_name="").filter(~Exists(pending)).values_list("pk", flat=True)[:500]
    )
    storage.release_finished(ids)


def backlog() -> Backlog:
    """Deliveries due and untaken (to subscriptions not suspended), those leased, and the oldest due time."""
    now = timezone.now()
    figures = Delivery.objects.filter(status=Delivery.PENDING).aggregate(
        due=Count("pk", filter=_due(now)),
        leased=Count("pk", filter=Q(claimed_until__gte=now)),
        oldest=Min("next_attempt_at", filter=_due(now)),
    )
    return Backlog(due=figures["due"], leased=figures["leased"], oldest_due_at=figures["oldest"])
