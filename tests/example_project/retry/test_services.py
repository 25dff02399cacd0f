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


def _state(request: RetryRequest) -> tuple[str, int, str]:
    request.refresh_from_db()
    return request.state, request.next_attempt, request.claim_token


def test_failure_schedules_the_next_interval_from_acceptance() -> None:
    request = _due([1, 100])
    [claim] = services.claim_due(10)[0]

    services.settle([(claim, _outcome(502))])

    request.refresh_from_db()
    assert (request.state, request.next_attempt) == (State.PENDING, 1)
    assert request.next_due_at == request.accepted_at + timedelta(seconds=100)
    assert (request.claim_token, request.claimed_until) == ("", None)
    attempt = Attempt.objects.get()
    assert (attempt.index, attempt.status_code, attempt.duration) == (0, 502, 0.01)
    assert attempt.finished_at is not None


def test_a_batch_settles_each_request_by_its_own_outcome() -> None:
    ok, failing, again = _due([1]), _due([1]), _due([1, 5])
    claims = {c.request_id: c for c in services.claim_due(10)[0]}

    services.settle([(claims[ok.pk], _outcome(302)), (claims[failing.pk], _outcome(None, "timeout")),
                     (claims[again.pk], _outcome(500))])

    assert _state(ok) == (State.SUCCEEDED, 0, "")
    assert _state(failing) == (State.GAVE_UP, 0, "")
    assert _state(again) == (State.PENDING, 1, "")
    assert ok.finished_at is not None and ok.next_due_at is None
    assert sorted((a.request_id, a.status_code, a.error) for a in Attempt.objects.all()) == [
        (ok.pk, 302, ""), (failing.pk, None, "timeout"), (again.pk, 500, "")
    ]


def test_a_final_failure_gives_up_with_intervals_left() -> None:
    request = _due([1, 100, 200])
    [claim] = services.claim_due(10)[0]
    now = timezone.now()
    blocked = Outcome(started_at=now, finished_at=now, duration=0.0, error="blocked target", final=True)

    services.settle([(claim, blocked)])

    request.refresh_from_db()
    assert (request.state, request.next_due_at, request.finished_at) == (State.GAVE_UP, None, now)
    assert Attempt.objects.get().error == "blocked target"


@pytest.mark.parametrize(
    ("index", "intervals", "status", "final", "expected"),
    [
        (0, (1, 100), 200, False, (State.SUCCEEDED, 0, None, True)),
        (0, (1, 100), 499, False, (State.SUCCEEDED, 0, None, True)),
        (0, (1, 100), 500, False, (State.PENDING, 1, 100, False)),
        (0, (1, 100), None, False, (State.PENDING, 1, 100, False)),
        (1, (1, 100), 503, False, (State.GAVE_UP, 1, None, True)),
        (0, (1, 100), None, True, (State.GAVE_UP, 0, None, True)),
    ],
)
def test_next_step_follows_the_schedule_from_acceptance(
    index: int, intervals: tuple[int, ...], status: int | None, final: bool, expected: tuple[object, ...]
) -> None:
    accepted = timezone.now()
    claim = services.Claim(request_id=1, attempt_id=1, token="t", index=index, method="GET", url="http://x/",
                           headers=[], body=b"", intervals=intervals, accepted_at=accepted)
    outcome = Outcome(started_at=accepted, finished_at=accepted, duration=0.1, status_code=status, final=final)

    step = services.next_step(claim, outcome)

    state, following, due_after, finished = expected
    assert (step.state, step.next_attempt) == (state, following)
    assert step.next_due_at == (None if due_after is None else accepted + timedelta(seconds=due_after))
    assert (step.finished_at is not None) == finished


def test_an_attempt_finishing_after_a_cancel_is_recorded_but_moves_nothing() -> None:
    request = _due([1, 2])
    [claim] = services.claim_due(10)[0]
    services.cancel_request("o", request.pk)

    services.settle([(claim, _outcome(500))])

    request.refresh_from_db()
    assert (request.state, request.next_attempt) == (State.CANCELLED, 0)
    assert Attempt.objects.get().status_code == 500


def test_a_lost_lease_moves_nothing() -> None:
    request = _due([1, 2])
    [stale] = services.claim_due(10)[0]
    RetryRequest.objects.filter(pk=request.pk).update(claimed_until=timezone.now() - timedelta(seconds=1))
    [current] = services.claim_due(10)[0]

    services.settle([(stale, _outcome(500))])
    assert _state(request) == (State.PENDING, 0, current.token)
    services.settle([(current, _outcome(200))])
    assert _state(request) == (State.SUCCEEDED, 0, "")
    assert sorted(a.status_code for a in Attempt.objects.all()) == [200, 500]


def test_release_hands_work_back_at_once() -> None:
    request = _due([1])
    claims, _ = services.claim_due(10)
    services.release(claims)

    again, _ = services.claim_due(10)
    assert [c.request_id for c in again] == [request.pk]
    assert Attempt.objects.order_by("pk").first().error == services.INTERRUPTED  # type: ignore[union-attr]


def _finished(state: State, finished_ago: float) -> RetryRequest:
    request = _due([1])
    RetryRequest.objects.filter(pk=request.pk).update(
        state=state, next_due_at=None, finished_at=timezone.now() - timedelta(seconds=finished_ago)
    )
    Attempt.objects.create(request=request, index=0, scheduled_at=request.accepted_at,
                           started_at=request.accepted_at, finished_at=request.accepted_at, status_code=200)
    return request


def test_finished_requests_past_retention_go_with_their_attempts(settings: object) -> None:
    settings.RETRY_RETENTION = 3600  # type: ignore[attr-defined]
    old = [_finished(state, 7200) for state in (State.SUCCEEDED, State.GAVE_UP, State.CANCELLED)]
    recent = _finished(State.SUCCEEDED, 60)
    pending = _due([1], accepted_ago=100_000)

    assert services.purge_finished() == 3

    assert set(RetryRequest.objects.values_list("pk", flat=True)) == {recent.pk, pending.pk}
    assert set(Attempt.objects.values_list("request_id", flat=True)) == {recent.pk}
    assert not RetryRequest.objects.filter(pk__in=[r.pk for r in old]).exists()


def test_purging_goes_in_bounded_batches_oldest_first(settings: object) -> None:
    settings.RETRY_RETENTION = 3600  # type: ignore[attr-defined]
    requests = [_finished(State.SUCCEEDED, 7200 + n) for n in range(5)]

    assert services.purge_finished(limit=2) == 2
    assert set(RetryRequest.objects.values_list("pk", flat=True)) == {r.pk for r in requests[:3]}
    assert services.purge_finished(limit=2) == 2
    assert services.purge_finished(limit=2) == 1
    assert services.purge_finished(limit=2) == 0


@pytest.mark.parametrize("retention", [0, -1])
def test_a_retention_of_zero_or_less_keeps_history_forever(settings: object, retention: int) -> None:
    settings.RETRY_RETENTION = retention  # type: ignore[attr-defined]
    request = _finished(State.SUCCEEDED, 10**8)

    assert services.purge_finished() == 0
    assert RetryRequest.objects.filter(pk=request.pk).exists()
