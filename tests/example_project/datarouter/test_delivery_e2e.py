"""End to end: publish through the native surface, a real worker subprocess, real subscriber servers."""

from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from datarouter.models import Delivery, LogRecord
from tests.example_project.conftest import Reply, TargetServer, wait_until

from .conftest import DR, SUB_TYPE, feed_id, sub_body, sub_id

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

FAST = {
    "DATAROUTER_POLL_INTERVAL": "0.05",
    "DATAROUTER_RETRY_INITIAL": "0.5",
    "DATAROUTER_RETRY_FACTOR": "2",
    "DATAROUTER_RETRY_MAX": "3600",
    "DATAROUTER_MAX_AGE": "86400",
    "DATAROUTER_DELIVERY_TIMEOUT": "5",
    "DATAROUTER_LEASE": "10",
}


def _setup(dr: DR, target: TargetServer, **sub_changes: Any) -> tuple[int, int]:
    fid = feed_id(dr.feed())
    body = sub_body(target.url + "/deliver/", **sub_changes)
    delivery = sub_changes.get("delivery")
    if delivery:
        body["delivery"] = {**sub_body()["delivery"], "url": target.url + "/deliver/", **delivery}
    return fid, sub_id(dr.sub(fid, body))


def _records(type: str, sid: int) -> list[LogRecord]:
    return list(LogRecord.objects.filter(type=type, subscription_id=sid).order_by("pk"))


def _stored() -> list[Path]:
    root = Path(settings.MEDIA_ROOT) / "datarouter"
    return list(root.iterdir()) if root.exists() else []


def _worker(run_worker: Callable[..., Any], **env: str) -> Any:
    return run_worker("datarouter", env={**FAST, **env})


def test_delivered_with_headers_body_and_credentials(dr: DR, target_server: TargetServer,
                                                     run_worker: Callable[..., Any]) -> None:
    target_server.replies = [Reply(204)]
    fid, sid = _setup(dr, target_server, delivery={"use100": True})
    published = dr.publish(fid, "sample File.txt", b"file body", content_type="text/plain",
                           **{"X-ATT-DR-META": '{"filetype":"txt"}'})
    publish_id = published["X-ATT-DR-PUBLISH-ID"]
    _worker(run_worker)
    [request] = target_server.wait_for(1)
    assert request.method == "PUT"
    assert request.path == "/deliver/sample%20File.txt"
    assert request.body == b"file body"
    assert request.header("Authorization") == "Basic " + base64.b64encode(b"LOGIN:PASSWORD").decode()
    assert request.header("X-ATT-DR-PUBLISH-ID") == publish_id
    assert request.header("X-ATT-DR-META") == '{"filetype":"txt"}'
    assert request.header("Content-Type") == "text/plain"
    assert request.header("Expect") == "100-continue"
    [record] = wait_until(lambda: _records("del", sid))
    assert (record.status_code, record.publish_id, record.delivery_id, record.method) == (204, publish_id, "LOGIN", "PUT")
    assert record.request_uri == target_server.url + "/deliver/sample%20File.txt"
    assert record.content_length == 9
    wait_until(lambda: Delivery.objects.get().status == Delivery.DELIVERED)
    wait_until(lambda: not _stored())
    # The feedlog shows it too, through the API.
    log = dr.request("GET", f"feedlog/{fid}", user=None).json()
    assert [(r["type"], r["statusCode"]) for r in log] == [("pub", 204), ("del", 204)]


def test_503_twice_then_204_retries_at_the_backoff(dr: DR, target_server: TargetServer,
                                                  run_worker: Callable[..., Any]) -> None:
    target_server.replies = [Reply(503), Reply(503), Reply(204)]
    fid, sid = _setup(dr, target_server)
    dr.publish(fid, "f", b"data")
    _worker(run_worker)
    requests = target_server.wait_for(3)
    gaps = [later.at - earlier.at for earlier, later in zip(requests, requests[1:])]
    assert 0.45 <= gaps[0] <= 1.5, gaps
    assert 0.95 <= gaps[1] <= 2.0, gaps
    assert all(r.body == b"data" for r in requests)
    wait_until(lambda: Delivery.objects.get().status == Delivery.DELIVERED)
    assert [r.status_code for r in _records("del", sid)] == [503, 503, 204]
    assert _records("exp", sid) == []
    assert Delivery.objects.get().attempts == 3


def test_400_expires_not_retryable(dr: DR, target_server: TargetServer, run_worker: Callable[..., Any]) -> None:
    target_server.replies = [Reply(400)]
    fid, sid = _setup(dr, target_server)
    dr.publish(fid, "f", b"data")
    _worker(run_worker)
    [expiry] = wait_until(lambda: _records("exp", sid))
    assert (expiry.expiry_reason, expiry.attempts) == ("notRetryable", 1)
    assert [r.status_code for r in _records("del", sid)] == [400]
    assert Delivery.objects.get().status == Delivery.EXPIRED
    wait_until(lambda: not _stored())
    assert len(target_server.requests) == 1


def test_never_answering_in_time_is_retried_then_retries_exhausted(
    dr: DR, target_server: TargetServer, run_worker: Callable[..., Any]
) -> None:
    target_server.replies = [Reply(204, delay=3)]
    fid, sid = _setup(dr, target_server)
    worker = _worker(run_worker, DATAROUTER_DELIVERY_TIMEOUT="0.3", DATAROUTER_RETRY_INITIAL="0.2",
                     DATAROUTER_MAX_AGE="2")
    # The file's age counts from its publish: publish once the worker runs, whatever its start-up time.
    wait_until(lambda: "worker started" in worker.output(), timeout=20)
    dr.publish(fid, "f", b"data")
    [expiry] = wait_until(lambda: _records("exp", sid), timeout=20)
    assert expiry.expiry_reason == "retriesExhausted"
    deliveries = _records("del", sid)
    assert len(deliveries) >= 2
    assert {r.status_code for r in deliveries} == {-1}
    assert expiry.attempts == len(deliveries)
    assert Delivery.objects.get().status == Delivery.EXPIRED


def test_suspended_subscription_holds_files_until_resumed(
    dr: DR, target_server: TargetServer, run_worker: Callable[..., Any]
) -> None:
    fid, sid = _setup(dr, target_server, suspend=True)
    dr.publish(fid, "f", b"held")
    _worker(run_worker)
    with pytest.raises(AssertionError):
        target_server.wait_for(1, timeout=1.5)
    body = sub_body(target_server.url + "/deliver/", suspend=False)
    assert dr.request("PUT", f"subs/{sid}", body, content_type=SUB_TYPE).status_code == 200
    [request] = target_server.wait_for(1)
    assert request.body == b"held"
    wait_until(lambda: Delivery.objects.get().status == Delivery.DELIVERED)


def test_metadata_only_gets_an_empty_body(dr: DR, target_server: TargetServer, run_worker: Callable[..., Any]) -> None:
    fid, sid = _setup(dr, target_server, metadataOnly=True)
    dr.publish(fid, "f", b"not sent", **{"X-ATT-DR-META": '{"a": 1}'})
    _worker(run_worker)
    [request] = target_server.wait_for(1)
    assert request.method == "PUT"
    assert request.body == b""
    assert request.header("Content-Length") == "0"
    assert request.header("X-ATT-DR-META") == '{"a": 1}'
    assert request.header("Expect") is None
    wait_until(lambda: Delivery.objects.get().status == Delivery.DELIVERED)


def test_deletion_is_delivered_as_delete(dr: DR, target_server: TargetServer, run_worker: Callable[..., Any]) -> None:
    fid, sid = _setup(dr, target_server)
    dr.publish(fid, "gone", b"", method="DELETE")
    _worker(run_worker)
    [request] = target_server.wait_for(1)
    assert (request.method, request.path, request.body) == ("DELETE", "/deliver/gone", b"")
    wait_until(lambda: Delivery.objects.get().status == Delivery.DELIVERED)


def test_redirects(dr: DR, target_server: TargetServer, run_worker: Callable[..., Any]) -> None:
    target_server.replies = [Reply(301, headers={"Location": "/elsewhere/f"}), Reply(204)]
    fid, sid = _setup(dr, target_server, follow_redirect=True)
    dr.publish(fid, "f", b"moved")
    _worker(run_worker)
    first, second = target_server.wait_for(2)
    assert (first.path, second.path, second.body) == ("/deliver/f", "/elsewhere/f", b"moved")
    wait_until(lambda: Delivery.objects.get().status == Delivery.DELIVERED)
    assert [r.status_code for r in _records("del", sid)] == [301, 204]


def test_redirect_not_followed_expires(dr: DR, target_server: TargetServer, run_worker: Callable[..., Any]) -> None:
    target_server.replies = [Reply(302, headers={"Location": "/elsewhere/other-name"})]
    fid, sid = _setup(dr, target_server, follow_redirect=True)
    dr.publish(fid, "f", b"moved")
    _worker(run_worker)
    [expiry] = wait_until(lambda: _records("exp", sid))
    assert expiry.expiry_reason == "notRetryable"
    assert len(target_server.requests) == 1


def test_many_deliveries_in_flight_at_once(dr: DR, target_server: TargetServer,
                                           run_worker: Callable[..., Any]) -> None:
    target_server.replies = [Reply(204, delay=1.5)]
    fid, sid = _setup(dr, target_server)
    for index in range(6):
        dr.publish(fid, f"f{index}", b"x")
    _worker(run_worker)
    requests = target_server.wait_for(6, timeout=10)
    # All six arrive before the first is answered.
    assert max(r.at for r in requests) - min(r.at for r in requests) < 1.2
    wait_until(lambda: Delivery.objects.filter(status=Delivery.DELIVERED).count() == 6)


def test_sigkill_mid_delivery_loses_nothing(dr: DR, target_server: TargetServer,
                                            run_worker: Callable[..., Any]) -> None:
    target_server.replies = [Reply(204, delay=30), Reply(204)]
    fid, sid = _setup(dr, target_server)
    published = dr.publish(fid, "f", b"precious")
    env = {"DATAROUTER_LEASE": "1.5", "DATAROUTER_DELIVERY_TIMEOUT": "60"}
    first_worker = _worker(run_worker, **env)
    target_server.wait_for(1)
    first_worker.kill()
    assert Delivery.objects.get().status == Delivery.PENDING
    _worker(run_worker, **env)
    requests = target_server.wait_for(2, timeout=20)
    assert requests[1].body == b"precious"
    assert requests[1].header("X-ATT-DR-PUBLISH-ID") == published["X-ATT-DR-PUBLISH-ID"]
    wait_until(lambda: Delivery.objects.get().status == Delivery.DELIVERED)
    assert [r.status_code for r in _records("del", sid)] == [204]
    wait_until(lambda: not _stored())
