"""The retry service's business rules: plain functions over the models.

Both surfaces (the seed's native one and the /api/ tree) and the worker call
these; nothing here knows about HTTP requests or envelopes.

* Submitting: :func:`accept_request` validates a submission and enforces the
  per-owner limit exactly, even under concurrent posting.
* Reading and cancelling: :func:`list_requests`, :func:`get_request`,
  :func:`list_attempts`, :func:`cancel_request`, all scoped to one owner.
* Working: :func:`claim_due` leases due requests to a worker,
  :func:`record_attempt` stores what an attempt came to and schedules the
  next, :func:`release` hands unfinished work back.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from http import HTTPStatus
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from retry import conf
from retry.models import Attempt, Owner, RetryRequest, State
from retry.validation import Problem, validate_owner, validate_payload
from worker.status import Backlog

__all__ = [
    "AlreadyFinished",
    "Claim",
    "Outcome",
    "SubmissionRejected",
    "accept_request",
    "backlog",
    "cancel_request",
    "claim_due",
    "get_request",
    "limit_message",
    "list_attempts",
    "list_requests",
    "record_attempt",
    "release",
]

INTERRUPTED = "interrupted: the worker stopped before the attempt finished; it is made again"
_MAX_ID = 2**63 - 1


class SubmissionRejected(Exception):
    """A submission refused: every problem, and the status to answer with."""

    def __init__(self, problems: Sequence[Problem], status: HTTPStatus, retry_after: int | None = None) -> None:
        super().__init__("; ".join(problem.message for problem in problems))
        self.problems = list(problems)
        self.status = status
        self.retry_after = retry_after


class AlreadyFinished(Exception):
    """Cancelling a request that already succeeded or gave up."""

    def __init__(self, request: RetryRequest) -> None:
        super().__init__(f"The request has already finished ({request.state}); there is nothing to cancel")
        self.request = request


# ----------------------------------------------------------------------
# Submitting.


def limit_message(count: int, window: int) -> str:
    """The seed's 429 message, for the configured numbers."""
    return f"Only {count} requests are allowed per owner per {_duration(window)}"


def _duration(seconds: int) -> str:
    for unit, size in (("hour", 3600), ("minute", 60)):
        if seconds >= size and seconds % size == 0:
            amount = seconds // size
            return f"{amount} {unit}{'s' if amount != 1 else ''}"
    return f"{seconds} second{'s' if seconds != 1 else ''}"


def accept_request(owner_id: str | None, payload: Any) -> RetryRequest:
    """Store a submission to retry, or raise :class:`SubmissionRejected`.

    ``owner_id`` is the ``X-Owner-ID`` header's value (``None`` when absent);
    ``payload`` the decoded JSON body or a
    :class:`~retry.validation.MalformedBody`. Problems are reported all at
    once (400); past the limit the answer is 429 with a ``retry_after``.
    """
    owner, problems = validate_owner(owner_id)
    valid, body_problems = validate_payload(payload)
    problems += body_problems
    if problems or owner is None or valid is None:
        raise SubmissionRejected(problems, HTTPStatus.BAD_REQUEST)

    count, window = conf.limit_count(), conf.limit_window()
    with transaction.atomic():
        _lock_owner(owner)
        # The clock is read under the lock, so accepted_at follows the order
        # in which submissions were admitted.
        now = timezone.now()
        recent = RetryRequest.objects.filter(owner_id=owner, accepted_at__gt=now - timedelta(seconds=window))
        accepted = recent.count()
        if accepted >= count:
            raise SubmissionRejected(
                [Problem("too_many_requests", limit_message(count, window))],
                HTTPStatus.TOO_MANY_REQUESTS,
                retry_after=_retry_after(recent, accepted - count, window, now),
            )
        Owner.objects.filter(owner_id=owner).update(last_accepted_at=now)
        return RetryRequest.objects.create(
            owner_id=owner,
            method=valid.method,
            url=valid.url,
            headers=valid.headers,
            body=valid.body,
            intervals=valid.intervals,
            accepted_at=now,
            next_due_at=now + timedelta(seconds=valid.intervals[0]),
        )


def _lock_owner(owner: str) -> None:
    """Serialize this owner's submissions until the transaction ends.

    The insert comes first on purpose: on SQLite a write takes the
    database's write lock, so nobody else can commit between our count and
    our insert; on PostgreSQL the row lock taken next does the same per owner.
    """
    Owner.objects.bulk_create([Owner(owner_id=owner)], ignore_conflicts=True)
    if connection.features.has_select_for_update:
        Owner.objects.select_for_update().get(owner_id=owner)


def _retry_after(recent: QuerySet[RetryRequest], excess: int, window: int, now: datetime) -> int:
    """Seconds until enough of ``recent`` leave the window for one more."""
    oldest = recent.order_by("accepted_at").values_list("accepted_at", flat=True)[excess : excess + 1]
    first = next(iter(oldest), now)
    return max(1, math.ceil((first + timedelta(seconds=window) - now).total_seconds()))


# ----------------------------------------------------------------------
# Reading and cancelling, always within one owner's requests.


def owner_for_user(username: str) -> str:
    """The owner id a site user acts as: their username, on every surface."""
    return username


def list_requests(owner_id: str, state: str | None = None) -> QuerySet[RetryRequest]:
    """An owner's requests, newest first, optionally in one state."""
    queryset = RetryRequest.objects.filter(owner_id=owner_id)
    if state is not None:
        queryset = queryset.filter(state=state)
    return queryset


def get_request(owner_id: str, request_id: str | int) -> RetryRequest:
    """One of an owner's requests; ``RetryRequest.DoesNotExist`` for anyone else's."""
    return list_requests(owner_id).get(pk=_parse_id(request_id))


def list_attempts(owner_id: str, request_id: str | int) -> QuerySet[Attempt]:
    """The attempts made for one of an owner's requests, oldest first."""
    return Attempt.objects.filter(request__owner_id=owner_id, request_id=_parse_id(request_id))


def cancel_request(owner_id: str, request_id: str | int) -> RetryRequest:
    """Stop retrying a pending request; cancelling twice is harmless.

    Raises ``RetryRequest.DoesNotExist`` or :class:`AlreadyFinished` (it
    succeeded or gave up). An attempt in flight completes and is recorded,
    but no further attempt is made.
    """
    pk = _parse_id(request_id)
    with transaction.atomic():
        RetryRequest.objects.filter(owner_id=owner_id, pk=pk, state=State.PENDING).update(
            state=State.CANCELLED, finished_at=timezone.now(), next_due_at=None
        )
        request = RetryRequest.objects.get(owner_id=owner_id, pk=pk)
    if request.state != State.CANCELLED:
        raise AlreadyFinished(request)
    return request


def _parse_id(request_id: str | int) -> int:
    try:
        pk = int(request_id)
    except (TypeError, ValueError):
        raise RetryRequest.DoesNotExist() from None
    if not 0 < pk <= _MAX_ID:  # beyond a bigint the database would fail, not miss
        raise RetryRequest.DoesNotExist()
    return pk


# ----------------------------------------------------------------------
# Working: leases, attempts, schedule.


@dataclass(frozen=True, slots=True)
class Claim:
    """One attempt a worker holds the lease for, with what it must send."""

    request_id: int
    attempt_id: int
    token: str
    index: int
    method: str
    url: str
    headers: list[tuple[str, str]]
    body: bytes


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


def _claimable(now: datetime) -> QuerySet[RetryRequest]:
    return RetryRequest.objects.filter(state=State.PENDING).filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    )


def claim_due(limit: int) -> tuple[list[Claim], datetime | None]:
    """Lease up to ``limit`` due requests to the caller and open an attempt for each.

    Returns the claims and when the next unclaimed request falls due (for
    the worker's sleep). A lease lasts ``lease_seconds()``; if the worker
    dies, the request becomes claimable again when it expires, and the
    unfinished attempt is marked interrupted and made again.
    """
    now = timezone.now()
    token = uuid.uuid4().hex
    until = now + timedelta(seconds=conf.lease_seconds())
    due = _claimable(now).filter(next_due_at__lte=now).order_by("next_due_at")
    claims: list[Claim] = []
    if limit > 0:
        with transaction.atomic():
            if connection.features.has_select_for_update_skip_locked:
                # Rows another worker is claiming right now are skipped, not waited for.
                ids = list(due.select_for_update(skip_locked=True).values_list("pk", flat=True)[:limit])
                claimed = RetryRequest.objects.filter(pk__in=ids).update(claim_token=token, claimed_until=until)
            else:
                # One UPDATE statement is atomic under SQLite's single writer.
                claimed = RetryRequest.objects.filter(pk__in=due.values("pk")[:limit]).update(
                    claim_token=token, claimed_until=until
                )
            if claimed:
                claims = _open_attempts(token, now)
    upcoming = (
        _claimable(now)
        .filter(next_due_at__gt=now)
        .order_by("next_due_at")
        .values_list("next_due_at", flat=True)
        .first()
    )
    return claims, upcoming


def _open_attempts(token: str, now: datetime) -> list[Claim]:
    requests = list(RetryRequest.objects.filter(claim_token=token))
    Attempt.objects.filter(request__in=requests, finished_at__isnull=True).update(finished_at=now, error=INTERRUPTED)
    attempts = Attempt.objects.bulk_create(
        [Attempt(request=r, index=r.next_attempt, scheduled_at=r.next_due_at, started_at=now) for r in requests]
    )
    return [
        Claim(
            request_id=r.pk,
            attempt_id=attempt.pk,
            token=token,
            index=r.next_attempt,
            method=r.method,
            url=r.url,
            headers=[(name, value) for name, value in r.headers],
            body=bytes(r.body),
        )
        for r, attempt in zip(requests, attempts, strict=True)
    ]


def record_attempt(claim: Claim, outcome: Outcome) -> str | None:
    """Store an attempt's outcome and move its request on; returns the new state.

    Success (a status below 500) finishes the request; a failure schedules
    the next interval or, after the last (or a ``final`` failure), gives up. Returns ``None`` when the
    request is no longer this claim's to move (cancelled meanwhile, or the
    lease was lost): the attempt is recorded all the same.
    """
    with transaction.atomic():
        Attempt.objects.filter(pk=claim.attempt_id).update(
            started_at=outcome.started_at,
            finished_at=outcome.finished_at,
            duration=outcome.duration,
            status_code=outcome.status_code,
            error=outcome.error,
        )
        request = (
            RetryRequest.objects.select_for_update()
            .filter(pk=claim.request_id, claim_token=claim.token, state=State.PENDING)
            .first()
        )
        if request is None:
            return None
        following = request.next_attempt + 1
        if outcome.succeeded:
            request.state = State.SUCCEEDED
        elif following < len(request.intervals) and not outcome.final:
            request.next_attempt = following
            # Every interval counts from acceptance, not from the last attempt.
            request.next_due_at = request.accepted_at + timedelta(seconds=request.intervals[following])
        else:
            request.state = State.GAVE_UP
        if request.state != State.PENDING:
            request.finished_at = outcome.finished_at
            request.next_due_at = None
        request.claim_token = ""
        request.claimed_until = None
        request.save(
            update_fields=["state", "next_attempt", "next_due_at", "finished_at", "claim_token", "claimed_until"]
        )
        return str(request.state)


def release(claims: Sequence[Claim]) -> None:
    """Hand back claims a stopping worker did not finish, for another to make at once."""
    if not claims:
        return
    with transaction.atomic():
        Attempt.objects.filter(pk__in=[c.attempt_id for c in claims], finished_at__isnull=True).update(
            finished_at=timezone.now(), error=INTERRUPTED
        )
        for claim in claims:
            RetryRequest.objects.filter(pk=claim.request_id, claim_token=claim.token).update(
                claim_token="", claimed_until=None
            )


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
