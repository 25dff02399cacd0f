"""The worker's side of the service layer: leases, attempts, the schedule, retention.

Everything works on batches, one transaction per call, so that a worker's
database work grows with the number of batches, not of attempts:

* :func:`claim_due` leases up to *n* due requests and opens an attempt row
  for each (before anything is sent, so that every attempt a target may see
  is in the list even if the worker dies);
* :func:`settle` stores a batch of outcomes and moves each request on, if
  its claim is still held; the next state is :func:`next_step`, a pure
  function of the claim and the outcome;
* :func:`release` hands unfinished claims back (a stopping worker);
* :func:`purge_finished` removes finished requests past ``RETRY_RETENTION``;
* :func:`backlog` is what waits, for status displays.

A worker that dies leaves its claims leased and their attempts open; when a
lease expires the request is claimed again, and the open attempt is marked
interrupted before the attempt is made again (at least once, never lost).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from http import HTTPStatus

from django.db import connection, transaction
from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from retry import conf
from retry.bulk import update_many
from retry.models import Attempt, RetryRequest, State
from worker.status import Backlog

__all__ = [
    "INTERRUPTED",
    "Claim",
    "Outcome",
    "Step",
    "backlog",
    "claim_due",
    "next_step",
    "purge_finished",
    "release",
    "settle",
]

INTERRUPTED = "interrupted: the worker stopped before the attempt finished; it is made again"


@dataclass(frozen=True, slots=True)
class Claim:
    """One attempt a worker holds the lease for: what to send, and what the schedule needs."""

    request_id: int
    attempt_id: int
    token: str
    index: int
    method: str
    url: str
    headers: list[tuple[str, str]]
    body: bytes
    #: The request's schedule, so that the next due time needs no re-read.
    intervals: tuple[int, ...]
    accepted_at: datetime


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one attempt came to: a status code, or the error that stopped it."""

    started_at: datetime
    finished_at: datetime
    duration: float
    status_code: int | None = None
    error: str = ""
    #: A failure that retrying cannot mend (a blocked target): give up at once.
    final: bool = False

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and self.status_code < HTTPStatus.INTERNAL_SERVER_ERROR


@dataclass(frozen=True, slots=True)
class Step:
    """Where a request stands after an attempt."""

    state: State
    next_attempt: int
    next_due_at: datetime | None
    finished_at: datetime | None


def next_step(claim: Claim, outcome: Outcome) -> Step:
    """The request's state after ``outcome``: the schedule's rule, with no database.

    Success (a status below 500) finishes the request; a failure schedules
    the next interval or, after the last (or a ``final`` failure), gives up.
    """
    following = claim.index + 1
    if outcome.succeeded:
        return Step(State.SUCCEEDED, claim.index, None, outcome.finished_at)
    if following < len(claim.intervals) and not outcome.final:
        # Every interval counts from acceptance, not from the last attempt.
        due = claim.accepted_at + timedelta(seconds=claim.intervals[following])
        return Step(State.PENDING, following, due, None)
    return Step(State.GAVE_UP, claim.index, None, outcome.finished_at)


def _claimable(now: datetime) -> QuerySet[RetryRequest]:
    return RetryRequest.objects.filter(state=State.PENDING).filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    )


_CLAIMED_FIELDS = ("pk", "method", "url", "headers", "body", "intervals", "accepted_at", "next_attempt", "next_due_at")


def claim_due(limit: int) -> tuple[list[Claim], datetime | None]:
    """Lease up to ``limit`` due requests, earliest first, and open an attempt for each.

    Returns the claims and, when fewer than ``limit`` were due, when the
    next unclaimed request falls due (for the worker's sleep; ``None`` if
    none is waiting or the batch was full). A lease lasts ``lease_seconds()``.
    """
    now = timezone.now()
    claims: list[Claim] = []
    if limit > 0:
        token = uuid.uuid4().hex
        due = _claimable(now).filter(next_due_at__lte=now).order_by("next_due_at")
        with transaction.atomic():
            if connection.features.has_select_for_update_skip_locked:
                # Rows another worker is claiming right now are skipped, not waited for.
                due = due.select_for_update(skip_locked=True)
            rows = list(due.values_list(*_CLAIMED_FIELDS)[:limit])
            if rows:
                claims = _lease(rows, token, now)
    upcoming = None
    if len(claims) < limit:
        upcoming = (
            _claimable(now)
            .filter(next_due_at__gt=now)
            .order_by("next_due_at")
            .values_list("next_due_at", flat=True)
            .first()
        )
    return claims, upcoming


def _lease(rows: list[tuple], token: str, now: datetime) -> list[Claim]:  # type: ignore[type-arg]
    ids = [row[0] for row in rows]
    until = now + timedelta(seconds=conf.lease_seconds())
    # The condition is repeated so that, on a database without row locks
    # between the read and this write, a row another worker took is not taken twice.
    taken = _claimable(now).filter(pk__in=ids).update(claim_token=token, claimed_until=until)
    if taken != len(ids):
        mine = set(RetryRequest.objects.filter(pk__in=ids, claim_token=token).values_list("pk", flat=True))
        rows = [row for row in rows if row[0] in mine]
        ids = [row[0] for row in rows]
    # A previous worker's attempt left open was cut short with that worker.
    Attempt.objects.filter(request_id__in=ids, finished_at__isnull=True).update(finished_at=now, error=INTERRUPTED)
    attempts = Attempt.objects.bulk_create(
        [Attempt(request_id=pk, index=index, scheduled_at=due, started_at=now) for pk, *_, index, due in rows]
    )
    return [
        Claim(
            request_id=pk,
            attempt_id=attempt.pk,
            token=token,
            index=index,
            method=method,
            url=url,
            headers=[(name, value) for name, value in headers],
            body=bytes(body),
            intervals=tuple(intervals),
            accepted_at=accepted_at,
        )
        for (pk, method, url, headers, body, intervals, accepted_at, index, _), attempt in zip(
            rows, attempts, strict=True
        )
    ]


def settle(results: Sequence[tuple[Claim, Outcome]]) -> None:
    """Store a batch of attempts' outcomes and move their requests on, in one transaction.

    An attempt is recorded whatever happened meanwhile; its request moves
    (:func:`next_step`) only if the claim is still held and the request
    still pending: not if it was cancelled, or its lease lost to another worker.
    """
    if not results:
        return
    attempts = [
        (c.attempt_id, o.started_at, o.finished_at, o.duration, o.status_code, o.error) for c, o in results
    ]
    steps = [(c, next_step(c, o)) for c, o in results]
    requests = [
        (c.request_id, c.token, s.state, s.next_attempt, s.next_due_at, s.finished_at) for c, s in steps
    ]
    with transaction.atomic():
        update_many(Attempt, ["id"], ["started_at", "finished_at", "duration", "status_code", "error"], attempts)
        update_many(
            RetryRequest,
            ["id", "claim_token"],
            ["state", "next_attempt", "next_due_at", "finished_at"],
            requests,
            constants={"claim_token": "", "claimed_until": None},
            only_if={"state": State.PENDING},
        )


def release(claims: Sequence[Claim]) -> None:
    """Hand back claims a stopping worker did not finish, for another to make at once."""
    if not claims:
        return
    with transaction.atomic():
        Attempt.objects.filter(pk__in=[c.attempt_id for c in claims], finished_at__isnull=True).update(
            finished_at=timezone.now(), error=INTERRUPTED
        )
        update_many(
            RetryRequest,
            ["id", "claim_token"],
            [],
            [(c.request_id, c.token) for c in claims],
            constants={"claim_token": "", "claimed_until": None},
        )


def purge_finished(limit: int = 1000) -> int:
    """Delete up to ``limit`` requests finished longer than ``RETRY_RETENTION`` ago, with their attempts.

    Returns how many went; nothing goes when the retention is 0 or less
    (keep forever). Oldest first, in one short transaction: the worker
    calls this between batches of sends.
    """
    retention = conf.retention_seconds()
    if retention <= 0 or limit <= 0:
        return 0
    cutoff = timezone.now() - timedelta(seconds=retention)
    with transaction.atomic():
        # exclude(state=pending) is written as the finished index's condition, so the index applies.
        old = RetryRequest.objects.filter(finished_at__lt=cutoff).exclude(state=State.PENDING)
        ids = list(old.order_by("finished_at").values_list("pk", flat=True)[:limit])
        if ids:
            Attempt.objects.filter(request_id__in=ids).delete()
            RetryRequest.objects.filter(pk__in=ids).only("pk").delete()
    return len(ids)


def backlog() -> Backlog:
    """Pending requests due and untaken, those leased to a worker, and the oldest due time."""
    now = timezone.now()
    pending = RetryRequest.objects.filter(state=State.PENDING)
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    figures = pending.aggregate(
        due=Count("pk", filter=free & Q(next_due_at__lte=now)),
        leased=Count("pk", filter=Q(claimed_until__gte=now)),
        oldest=Min("next_due_at", filter=free & Q(next_due_at__lte=now)),
    )
    return Backlog(due=figures["due"], leased=figures["leased"], oldest_due_at=figures["oldest"])
