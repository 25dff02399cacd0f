"""Killed workers lose no attempt: what the target saw is in each request's attempt list, once."""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable

import pytest

from retry import services
from retry.models import Attempt, RetryRequest, State
from tests.example_project.conftest import Reply, TargetServer, WorkerProcess, wait_until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

REQUESTS = 300
KILLS = 5
#: Short attempts and leases (RETRY_LEASE_SECONDS is raised to the timeout + 2 s), few at once,
#: so that each kill finds attempts in flight and the work outlives the kills.
ENV = {"RETRY_TIMEOUT": "1", "RETRY_LEASE_SECONDS": "0.1", "RETRY_CONCURRENCY": "20",
       "RETRY_POLL_SECONDS": "0.1", "LOG_LEVEL": "INFO"}


def test_kill_9_at_random_moments_loses_and_doubles_nothing(
    target_server: TargetServer, run_worker: Callable[..., WorkerProcess]
) -> None:
    target_server.replies = [Reply(200, delay=0.15)]
    for n in range(REQUESTS):
        services.accept_request("o", {"intervals": [0], "request": {"url": f"{target_server.url}/{n}", "method": "GET"}})
    moments = random.Random(17)

    for _ in range(KILLS):
        worker = run_worker("retry", env=ENV)
        wait_until(lambda: "worker started" in worker.output(), timeout=20)  # noqa: B023 - used at once
        time.sleep(moments.uniform(0.2, 1.0))
        worker.kill()
    final = run_worker("retry", env=ENV)
    wait_until(lambda: not RetryRequest.objects.filter(state=State.PENDING).exists(), timeout=60, interval=0.2)
    final.stop()

    arrivals = Counter(int(seen.path.strip("/")) for seen in target_server.requests)
    paths = {request.pk: int(request.url.rsplit("/", 1)[1]) for request in RetryRequest.objects.all()}
    rows = {pk: list(Attempt.objects.filter(request_id=pk)) for pk in paths}
    assert 0 < sum(len(attempts) for attempts in rows.values()) - REQUESTS, "no kill caught an attempt in flight"
    for pk, n in paths.items():
        attempts = rows[pk]
        known = [a for a in attempts if a.status_code is not None]
        interrupted = [a for a in attempts if a.error == services.INTERRUPTED]
        # Every arrival is in the list (an interrupted row stands for one the worker did not
        # hear back from), and no answer is recorded twice.
        assert len(known) <= arrivals[n] <= len(attempts), (n, arrivals[n], attempts)
        assert [a.status_code for a in known] == [200]
        assert len(known) + len(interrupted) == len(attempts)
    assert RetryRequest.objects.exclude(state=State.SUCCEEDED).count() == 0
    assert RetryRequest.objects.exclude(claim_token="").count() == 0
    assert Attempt.objects.filter(finished_at__isnull=True).count() == 0
