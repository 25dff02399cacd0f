"""The retry service's business rules: plain functions over the models.

Both surfaces (the seed's native one and the /api/ tree) and the worker call
these; nothing here knows about HTTP requests or envelopes.

* Submitting: :func:`accept_request` validates a submission and enforces the
  per-owner limit exactly, even under concurrent posting.
* Reading and cancelling: :func:`list_requests`, :func:`get_request`,
  :func:`list_attempts`, :func:`cancel_request`, all scoped to one owner.
* Working (in :mod:`retry.working`, re-exported here): :func:`claim_due`
  leases a batch of due requests to a worker, :func:`settle` stores a batch
  of outcomes and schedules what comes next (:func:`next_step`),
  :func:`release` hands unfinished work back, :func:`purge_finished`
  applies ``RETRY_RETENTION``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timedelta
from http import HTTPStatus
from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from retry import conf
from retry.models import Attempt, Owner, RetryRequest, State
from retry.validation import Problem, validate_owner, validate_payload
from retry.working import (
    INTERRUPTED,
    Claim,
    Outcome,
    Step,
    backlog,
    claim_due,
    next_step,
    purge_finished,
    release,
    settle,
)

__all__ = [
    "INTERRUPTED",
    "AlreadyFinished",
    "Claim",
    "Outcome",
    "Step",
    "SubmissionRejected",
    "accept_request",
    "backlog",
    "cancel_request",
    "claim_due",
    "get_request",
    "limit_message",
    "list_attempts",
    "list_requests",
    "next_step",
    "purge_finished",
    "release",
    "settle",
]

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
