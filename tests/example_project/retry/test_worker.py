"""The retry worker end to end: a real ``runworker`` subprocess against a real local target."""

from __future__ import annotations

import json
import socket
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

import webapi_kit

from retry.models import Attempt, RetryRequest, State
from tests.example_project.conftest import Reply, TargetServer, WorkerProcess, wait_until
from tests.example_project.retry.helpers import submit

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

#: Short settings for the worker subprocess.
FAST = {"RETRY_POLL_SECONDS": "0.1", "RETRY_TIMEOUT": "2", "RETRY_LEASE_SECONDS": "1", "LOG_LEVEL": "INFO"}
TOLERANCE = 0.9

StartWorker = Callable[..., WorkerProcess]


def _started(start: StartWorker, **env: str) -> WorkerProcess:
    worker = start("retry", env=FAST | env)
    wait_until(lambda: "worker started" in worker.output(), timeout=20)
    return worker


def _accept(client: Client, url: str, intervals: list[int], owner: str = "1234", **request: Any) -> RetryRequest:
    body = {"intervals": intervals, "request": {"url": url, "method": "GET", **request}}
    response = submit(client, body, owner=owner)
    assert response.status_code == 200, response.content
    return RetryRequest.objects.latest("pk")


def _finished(request: RetryRequest, timeout: float = 20) -> RetryRequest:
    def done() -> RetryRequest | None:
        request.refresh_from_db()
        return request if request.state != State.PENDING else None

    return wait_until(done, timeout=timeout)  # type: ignore[no-any-return]


def _attempts(request: RetryRequest) -> list[Attempt]:
    return list(request.attempts.order_by("started_at", "pk"))


def test_end_to_end_500_500_200(client: Client, target_server: TargetServer, run_worker: StartWorker) -> None:
    target_server.replies = [Reply(500), Reply(500), Reply(200)]
    _started(run_worker)
    headers = {"X-Foo": ["Bar", "Baz"], "Content-Type": ["application/json"], "X-Quux": ["Corge"]}
    request = _accept(
        client, target_server.url + "/hook?x=1", [1, 2, 3], method="POST", headers=headers, body='{"a": "é"}'
    )
    accepted = request.accepted_at.timestamp()

    received = target_server.wait_for(3, timeout=20)
    request = _finished(request)
    time.sleep(0.3)  # nothing more may arrive

    assert len(target_server.requests) == 3
    for offset, seen in zip([1, 2, 3], received, strict=True):
        assert (seen.method, seen.path, seen.body) == ("POST", "/hook?x=1", '{"a": "é"}'.encode())
        assert seen.header_values("X-Foo") == ["Bar", "Baz"]
        assert seen.header_values("X-Quux") == ["Corge"]
        assert seen.header_values("Content-Type") == ["application/json"]
        assert abs(seen.at - accepted - offset) <= TOLERANCE, (offset, seen.at - accepted)

    item = json.loads(client.get(f"/api/retry/requests/{request.pk}/", HTTP_X_OWNER_ID="1234").content)
    assert item["retry_request"]["state"] == "succeeded"
    attempts = json.loads(client.get(item["retry_request"]["links"]["retry_attempts"]["href"], HTTP_X_OWNER_ID="1234").content)
    assert [(a["index"], a["status_code"], a["error"]) for a in attempts["retry_attempts"]] == [
        (0, 500, ""), (1, 500, ""), (2, 200, "")
    ]
    assert all(a["duration"] is not None and a["finished_at"] for a in attempts["retry_attempts"])


def test_the_target_sees_the_stored_headers_and_a_user_agent_naming_the_service(
    client: Client, target_server: TargetServer, run_worker: StartWorker
) -> None:
    _started(run_worker)
    _accept(client, target_server.url + "/bare", [0])
    _accept(client, target_server.url + "/own", [0], method="POST", body="x",
            headers={"User-Agent": ["billing/2.1"], "Accept": ["text/plain"], "X-Foo": ["a", "b"]})
    received = {seen.path: seen for seen in target_server.wait_for(2)}

    host = target_server.url.removeprefix("http://")
    # Headers as the target's server parsed them off the wire, in order: aiohttp's
    # Accept, Accept-Encoding and Content-Type are not added.
    assert received["/bare"].headers == [("Host", host), ("User-Agent", f"webapi_kit-retry/{webapi_kit.__version__}")]
    # The stored request's own User-Agent wins over the service's.
    assert received["/own"].headers == [
        ("Host", host), ("User-Agent", "billing/2.1"), ("Accept", "text/plain"),
        ("X-Foo", "a"), ("X-Foo", "b"), ("Content-Length", "1"),
    ]


def test_timeout_is_a_failed_attempt(client: Client, target_server: TargetServer, run_worker: StartWorker) -> None:
    target_server.replies = [Reply(200, delay=3)]
    _started(run_worker, RETRY_TIMEOUT="1")
    request = _accept(client, target_server.url + "/slow", [0])

    request = _finished(request)

    assert request.state == State.GAVE_UP
    [attempt] = _attempts(request)
    assert attempt.status_code is None
    assert attempt.error == "timeout: no response within 1 s"
    assert attempt.duration is not None and 0.9 <= attempt.duration < 2.5


def test_refused_connection_is_a_failed_attempt(client: Client, run_worker: StartWorker) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    _started(run_worker)
    request = _accept(client, f"http://127.0.0.1:{port}/", [0, 1])

    request = _finished(request)

    assert request.state == State.GAVE_UP
    attempts = _attempts(request)
    assert [a.index for a in attempts] == [0, 1]
    assert all(a.status_code is None and a.error.startswith("connection failed") for a in attempts)


def test_dns_failure_is_a_failed_attempt(client: Client, run_worker: StartWorker) -> None:
    _started(run_worker)
    request = _accept(client, "http://no-such-host.invalid/", [0])

    request = _finished(request)

    assert request.state == State.GAVE_UP
    [attempt] = _attempts(request)
    assert attempt.error.startswith("connection failed")


def test_4xx_ends_retrying(client: Client, target_server: TargetServer, run_worker: StartWorker) -> None:
    target_server.replies = [Reply(404)]
    _started(run_worker)
    request = _accept(client, target_server.url + "/gone", [0, 1, 2])

    request = _finished(request)
    time.sleep(2.5)  # past the remaining intervals

    assert request.state == State.SUCCEEDED
    assert len(target_server.requests) == 1
    assert [a.status_code for a in _attempts(request)] == [404]


def test_failure_of_the_last_interval_gives_up(client: Client, target_server: TargetServer, run_worker: StartWorker) -> None:
    target_server.replies = [Reply(503)]
    _started(run_worker)
    request = _accept(client, target_server.url + "/down", [0, 1])

    request = _finished(request)

    assert request.state == State.GAVE_UP
    assert request.finished_at is not None and request.next_due_at is None
    assert len(target_server.requests) == 2
    assert [(a.index, a.status_code) for a in _attempts(request)] == [(0, 503), (1, 503)]


def test_cancel_stops_further_attempts(client: Client, target_server: TargetServer, run_worker: StartWorker) -> None:
    target_server.replies = [Reply(500)]
    _started(run_worker)
    request = _accept(client, target_server.url + "/flaky", [0, 2])
    target_server.wait_for(1)
    wait_until(lambda: RetryRequest.objects.get(pk=request.pk).next_attempt == 1)

    response = client.delete(f"/api/retry/requests/{request.pk}/", HTTP_X_OWNER_ID="1234")
    time.sleep(2.5)  # past the second interval

    assert response.status_code == 200
    assert len(target_server.requests) == 1
    request.refresh_from_db()
    assert request.state == State.CANCELLED
    assert [a.status_code for a in _attempts(request)] == [500]


def test_worker_killed_mid_attempt_makes_it_again(
    client: Client, target_server: TargetServer, run_worker: StartWorker
) -> None:
    # The first answer comes too late for the worker that asked: it is killed meanwhile.
    target_server.replies = [Reply(200, delay=5), Reply(200)]
    first = _started(run_worker)
    request = _accept(client, target_server.url + "/once", [0], method="PUT", body="data")
    target_server.wait_for(1)

    first.kill()
    _started(run_worker)
    received = target_server.wait_for(2, timeout=20)
    request = _finished(request)

    assert request.state == State.SUCCEEDED
    assert [(r.method, r.path, r.body) for r in received] == [("PUT", "/once", b"data")] * 2
    # The second worker waited for the dead one's lease (timeout 2 s + margin) to expire.
    assert received[1].at - received[0].at >= 3.0
    interrupted, made = _attempts(request)
    assert (interrupted.index, interrupted.status_code) == (0, None)
    assert interrupted.error.startswith("interrupted")
    assert (made.index, made.status_code) == (0, 200)


def test_two_workers_never_send_the_same_attempt_twice(
    client: Client, target_server: TargetServer, run_worker: StartWorker
) -> None:
    target_server.replies = [Reply(500)]
    requests = [
        _accept(client, target_server.url + "/n", [1, 2], headers={"X-Req": [str(n)]}) for n in range(20)
    ]
    _started(run_worker)
    _started(run_worker)

    received = target_server.wait_for(40, timeout=30)
    for request in requests:
        assert _finished(request).state == State.GAVE_UP
    time.sleep(0.5)

    assert len(target_server.requests) == 40
    assert Counter(r.header("X-Req") for r in received) == {str(n): 2 for n in range(20)}
    assert all(len(_attempts(request)) == 2 for request in requests)


def test_many_attempts_run_at_once(client: Client, target_server: TargetServer, run_worker: StartWorker) -> None:
    target_server.replies = [Reply(200, delay=3)]
    requests = [_accept(client, target_server.url + "/slow", [1]) for _ in range(10)]
    _started(run_worker, RETRY_TIMEOUT="5")

    received = target_server.wait_for(10, timeout=20)

    # Sent one after another they would span 30 s; at once, all arrive before the
    # first answer. (The target's listen backlog is 5, so a burst of connections
    # may see one SYN retransmitted, a second later.)
    assert received[-1].at - received[0].at < 2.5
    for request in requests:
        assert _finished(request).state == State.SUCCEEDED


def test_secrets_are_sent_though_never_shown(
    client: Client, target_server: TargetServer, run_worker: StartWorker
) -> None:
    target_server.replies = [Reply(200)]
    _started(run_worker)
    headers = {"Authorization": ["Bearer secret"], "X-Api-Key": ["k1", "k2"], "X-Foo": ["Bar"]}
    request = _accept(client, target_server.url + "/auth", [0], method="POST", headers=headers, body="s3cret")

    [seen] = target_server.wait_for(1, timeout=20)
    request = _finished(request)

    assert seen.header_values("Authorization") == ["Bearer secret"]
    assert seen.header_values("X-Api-Key") == ["k1", "k2"]
    assert seen.body == b"s3cret"
    shown = json.loads(client.get(f"/retry/requests/{request.pk}/", HTTP_X_OWNER_ID="1234").content)
    assert shown["request"] == {
        "url": target_server.url + "/auth",
        "method": "POST",
        "headers": {"Authorization": ["[redacted]"], "X-Api-Key": ["[redacted]", "[redacted]"], "X-Foo": ["Bar"]},
        "body_size": 6,
    }


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1"])
def test_a_target_in_a_blocked_network_gives_up_at_once(
    client: Client, target_server: TargetServer, run_worker: StartWorker, host: str
) -> None:
    # Accepted (a name cannot be judged without resolving it; loopback was
    # allowed when the literal was accepted), then blocked by the worker,
    # whose blocked networks here include loopback: the name by the session's
    # resolver, the same lookup it connects with; the literal by the sender.
    target_server.replies = [Reply(200)]
    _started(run_worker, RETRY_BLOCKED_NETWORKS="127.0.0.0/8,::1/128")
    port = target_server.url.rsplit(":", 1)[1]
    request = _accept(client, f"http://{host}:{port}/internal", [0, 1, 2])

    request = _finished(request)
    time.sleep(1.5)  # past the next interval: nothing more is tried

    assert request.state == State.GAVE_UP
    assert target_server.requests == []
    [attempt] = _attempts(request)
    assert (attempt.index, attempt.status_code, attempt.error) == (0, None, "blocked target")
    assert request.next_due_at is None


def test_sigterm_hands_an_unfinished_attempt_back_at_once(
    client: Client, target_server: TargetServer, run_worker: StartWorker
) -> None:
    # The first answer would come long after the worker was asked to stop.
    target_server.replies = [Reply(200, delay=8), Reply(200)]
    first = _started(run_worker, RETRY_TIMEOUT="20")  # a lease of 22 s
    request = _accept(client, target_server.url + "/slow", [0])
    target_server.wait_for(1)

    asked = time.monotonic()
    first.stop()
    stopped = time.monotonic() - asked
    request.refresh_from_db()
    lease = (request.claim_token, request.claimed_until)
    [interrupted] = _attempts(request)
    _started(run_worker, RETRY_TIMEOUT="20")
    received = target_server.wait_for(2, timeout=20)
    request = _finished(request)

    assert stopped < 5  # a grace of 2 s for the attempt in flight
    assert lease == ("", None)
    assert interrupted.error.startswith("interrupted") and interrupted.finished_at is not None
    # Handed back, not left to its lease: the next worker made it again at once.
    assert received[1].at - received[0].at < 15
    assert request.state == State.SUCCEEDED
    assert [(a.index, a.status_code) for a in _attempts(request)] == [(0, None), (0, 200)]
