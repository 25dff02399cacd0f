"""Claiming due deliveries with a lease, and settling them; synchronous ORM code for the worker.

A claim sets ``claim_token`` and ``claimed_until`` on rows that are due and
unclaimed (or whose lease ran out) in one UPDATE ... WHERE, so two workers
never hold the same row; on PostgreSQL the candidates are first locked with
``SELECT ... FOR UPDATE SKIP LOCKED`` so that concurrent workers pick
different rows instead of racing for the same ones. A worker that dies
leaves its lease to run out: the delivery is claimed again (at least once).
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Collection
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count, Exists, Min, OuterRef, Q
from django.utils import timezone
from worker.status import Backlog

from . import storage
from .logs import record_delivery, record_expiry
from .models import Delivery, Publication, Subscription

__all__ = ["Job", "backlog", "claim", "record_attempt", "release", "settle", "sweep_storage"]


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


def _due(now: datetime.datetime) -> Q:
    return (
        Q(status=Delivery.PENDING, next_attempt_at__lte=now, subscription__suspended=False)
        & (Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
    )


def claim(limit: int, lease: float, exclude: Collection[int] = ()) -> list[Job]:
    """Claim up to ``limit`` due deliveries for ``lease`` seconds."""
    if limit <= 0:
        return []
    now = timezone.now()
    token = uuid.uuid4().hex
    due = Delivery.objects.filter(_due(now)).exclude(pk__in=list(exclude)).order_by("next_attempt_at", "pk")
    with transaction.atomic():
        if connection.vendor == "postgresql":
            candidates = list(due.select_for_update(skip_locked=True, of=("self",)).values_list("pk", flat=True)[:limit])
        else:
            candidates = list(due.values_list("pk", flat=True)[:limit])
        if not candidates:
            return []
        # The WHERE repeats the due condition: on SQLite another worker may
        # have claimed a candidate since it was read.
        Delivery.objects.filter(_due(now), pk__in=candidates).update(
            claim_token=token, claimed_until=now + datetime.timedelta(seconds=lease)
        )
    claimed = Delivery.objects.filter(claim_token=token).select_related("publication", "subscription")
    return [Job(delivery, token) for delivery in claimed]


def record_attempt(job: Job, request_uri: str, content_length: int, status_code: int) -> None:
    """The ``del`` record of one request sent to the subscriber."""
    record_delivery(job.publication, job.subscription, request_uri, content_length, status_code)


def settle(job: Job, *, delivered: bool = False, expire_reason: str | None = None,
           retry_at: datetime.datetime | None = None, request_uri: str = "", content_length: int = 0) -> None:
    """Store an attempt's outcome, if the lease is still ours."""
    delivery = job.delivery
    attempts = delivery.attempts + 1
    mine = Delivery.objects.filter(pk=delivery.pk, claim_token=job.token, status=Delivery.PENDING)
    with transaction.atomic():
        if delivered:
            updated = mine.update(status=Delivery.DELIVERED, attempts=attempts, claim_token="", claimed_until=None)
        elif expire_reason is not None:
            updated = mine.update(status=Delivery.EXPIRED, attempts=attempts, claim_token="", claimed_until=None)
            if updated:
                record_expiry(job.publication, job.subscription, request_uri, content_length, expire_reason, attempts)
        else:
            assert retry_at is not None
            updated = mine.update(attempts=attempts, next_attempt_at=retry_at, claim_token="", claimed_until=None)
    if updated and (delivered or expire_reason is not None):
        storage.release_finished([delivery.publication_id])


def release(jobs: Collection[Job]) -> None:
    """Give back unfinished claims (a clean shutdown) so the next worker need not wait for the lease."""
    for job in jobs:
        Delivery.objects.filter(pk=job.delivery.pk, claim_token=job.token).update(claim_token="", claimed_until=None)


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
