"""The worker's side of the service layer: leases, attempts, the schedule."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from retry import services
from retry.models import Attempt, RetryRequest, State
from retry.services import Outcome

pytestmark = pytest.mark.django_db


def _due(intervals: list[int], accepted_ago: float = 10.0) -> RetryRequest:
    accepted = timezone.now() - timedelta(seconds=accepted_ago)
    return RetryRequest.objects.create(
        owner_id="o", method="GET", url="http://t.example/", headers=[["A", "1"], ["A", "2"]],
        body=b"b", intervals=intervals, accepted_at=accepted,
        next_due_at=accepted + timedelta(seconds=intervals[0]),
    )


def _outcome(status: int | None, error: str = "") -> Outcome:
    now = timezone.now()
    return Outcome(started_at=now, finished_at=now, duration=0.01, status_code=status, error=error)


def test_a_claimed_request_is_not_claimed_again_until_its_lease_expires() -> None:
    request = _due([1, 100])

    claims, _ = services.claim_due(10)
    again, _ = services.claim_due(10)

    assert [c.request_id for c in claims] == [request.pk]
    assert claims[0].headers == [("A", "1"), ("A", "2")]
    assert again == []
    RetryRequest.objects.filter(pk=request.pk).update(claimed_until=timezone.now() - timedelta(seconds=1))
    retaken, _ = services.claim_due(10)
    assert [c.request_id for c in retaken] == [request.pk]
    first, second = Attempt.objects.order_by("pk")
    assert first.error == services.INTERRUPTED and first.finished_at is not None
    assert second.finished_at is None


def test_requests_not_yet_due_are_left_and_the_next_due_time_is_reported() -> None:
    request = _due([60], accepted_ago=0)
    claims, upcoming = services.claim_due(10)
    assert claims == []
    assert upcoming == request.next_due_at


def test_claims_respect_the_limit_and_take_the_earliest_first() -> None:
    late = _due([1], accepted_ago=5)
    early = _due([1], accepted_ago=50)
    claims, _ = services.claim_due(1)
    assert [c.request_id for c in claims] == [early.pk]
    assert late.pk != early.pk


def test_failure_schedules_the_next_interval_from_acceptance() -> None:
    request = _due([1, 100])
    [claim] = services.claim_due(10)[0]

    assert services.record_attempt(claim, _outcome(502)) == State.PENDING

    request.refresh_from_db()
    assert request.next_attempt == 1
    assert request.next_due_at == request.accepted_at + timedelta(seconds=100)
    assert (request.claim_token, request.claimed_until) == ("", None)


def test_success_and_giving_up() -> None:
    ok, failing = _due([1]), _due([1])
    claims = {c.request_id: c for c in services.claim_due(10)[0]}

    assert services.record_attempt(claims[ok.pk], _outcome(302)) == State.SUCCEEDED
    assert services.record_attempt(claims[failing.pk], _outcome(None, "timeout")) == State.GAVE_UP


def test_a_final_failure_gives_up_with_intervals_left() -> None:
    request = _due([1, 100, 200])
    [claim] = services.claim_due(10)[0]
    now = timezone.now()
    blocked = Outcome(started_at=now, finished_at=now, duration=0.0, error="blocked target", final=True)

    assert services.record_attempt(claim, blocked) == State.GAVE_UP

    request.refresh_from_db()
    assert (request.state, request.next_due_at, request.finished_at) == (State.GAVE_UP, None, now)
    assert Attempt.objects.get().error == "blocked target"


def test_an_attempt_finishing_after_a_cancel_is_recorded_but_moves_nothing() -> None:
    request = _due([1, 2])
    [claim] = services.claim_due(10)[0]
    services.cancel_request("o", request.pk)

    assert services.record_attempt(claim, _outcome(500)) is None

    request.refresh_from_db()
    assert request.state == State.CANCELLED
    assert Attempt.objects.get().status_code == 500


def test_a_lost_lease_moves_nothing() -> None:
    request = _due([1, 2])
    [stale] = services.claim_due(10)[0]
    RetryRequest.objects.filter(pk=request.pk).update(claimed_until=timezone.now() - timedelta(seconds=1))
    [current] = services.claim_due(10)[0]

    assert services.record_attempt(stale, _outcome(500)) is None
    assert services.record_attempt(current, _outcome(200)) == State.SUCCEEDED


def test_release_hands_work_back_at_once() -> None:
    request = _due([1])
    claims, _ = services.claim_due(10)
    services.release(claims)

    again, _ = services.claim_due(10)
    assert [c.request_id for c in again] == [request.pk]
    assert Attempt.objects.order_by("pk").first().error == services.INTERRUPTED  # type: ignore[union-attr]
