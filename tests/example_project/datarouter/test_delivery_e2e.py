"""End to end: publish through the native surface, a real worker subprocess, real subscriber servers."""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

import webapi_kit

from datarouter.delivery import DeliveryLoop
from datarouter.models import Delivery, LogRecord, Publication
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
    "DATAROUTER_LEASE_MARGIN": "1",
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
    # Nothing else: no Accept or Accept-Encoding from httpx, and a User-Agent naming the service.
    assert sorted(name.lower() for name, _ in request.headers) == [
        "authorization", "content-length", "content-type", "expect", "host", "user-agent",
        "x-att-dr-meta", "x-att-dr-publish-id",
    ]
    assert request.header("User-Agent") == f"webapi_kit-datarouter/{webapi_kit.__version__}"
    assert [name for name, _ in request.headers][:2] == ["Host", "User-Agent"]
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
    published = dr.publish(fid, "gone", b"", method="DELETE")
    _worker(run_worker)
    [request] = target_server.wait_for(1)
    assert (request.method, request.path, request.body) == ("DELETE", "/deliver/gone", b"")
    # What the guide lists, plus Host and the framing: aiohttp says "no body" with a
    # Content-Length of 0 on a DELETE, which HTTP/1.1 allows.
    assert sorted((name.lower(), value) for name, value in request.headers if name.lower() != "authorization") == [
        ("content-length", "0"), ("host", target_server.url.removeprefix("http://")),
        ("user-agent", f"webapi_kit-datarouter/{webapi_kit.__version__}"), ("x-att-dr-publish-id", published["X-ATT-DR-PUBLISH-ID"]),
    ]
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
    env = {"DATAROUTER_LEASE": "2", "DATAROUTER_DELIVERY_TIMEOUT": "0.5"}
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


def test_cross_origin_redirect_is_not_followed(dr: DR, target_server: TargetServer,
                                               run_worker: Callable[..., Any]) -> None:
    elsewhere = TargetServer()  # another port on the same host: another origin
    try:
        target_server.replies = [Reply(307, headers={"Location": elsewhere.url + "/deliver/f"})]
        fid, sid = _setup(dr, target_server, follow_redirect=True)
        dr.publish(fid, "f", b"secret")
        _worker(run_worker)
        [expiry] = wait_until(lambda: _records("exp", sid))
        assert (expiry.expiry_reason, expiry.attempts) == ("notRetryable", 1)
        assert [r.status_code for r in _records("del", sid)] == [307]
        assert len(target_server.requests) == 1
        # Neither the credentials nor the file went to the other origin.
        with pytest.raises(AssertionError):
            elsewhere.wait_for(1, timeout=0.5)
    finally:
        elsewhere.close()


def test_an_attempt_outliving_its_bound_is_abandoned_and_not_sent_twice(
    dr: DR, target_server: TargetServer, run_worker: Callable[..., Any]
) -> None:
    # Every hop answers within the per-request timeout (1 s), but the chain of
    # same-origin redirects would take 4.8 s, beyond the 3 s lease; each
    # attempt is cut off at lease - margin = 2 s.
    target_server.replies = [Reply(307, headers={"Location": "/hop/f"}, delay=0.8)]
    fid, sid = _setup(dr, target_server, follow_redirect=True)
    dr.publish(fid, "f", b"once")
    env = {"DATAROUTER_LEASE": "3", "DATAROUTER_LEASE_MARGIN": "1", "DATAROUTER_DELIVERY_TIMEOUT": "1",
           "DATAROUTER_RETRY_INITIAL": "60"}
    workers = [_worker(run_worker, **env), _worker(run_worker, **env)]
    wait_until(lambda: Delivery.objects.get().attempts == 1, timeout=20)
    first = target_server.requests[0].at
    # Well past the lease: a worker that kept sending would have let the other claim it.
    time.sleep(max(0.0, first + 4.0 - time.time()))
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.claim_token) == (Delivery.PENDING, 1, "")
    requests = list(target_server.requests)
    # Hops start at 0, 0.8 and 1.6 s (the last may miss the 2 s cut-off on a busy machine).
    paths = [r.path for r in requests]
    assert paths in (["/deliver/f", "/hop/f"], ["/deliver/f", "/hop/f", "/hop/f"]), [w.output() for w in workers]
    assert requests[-1].at - first < 2.0
    assert [r.status_code for r in _records("del", sid)] == [307] * (len(requests) - 1) + [-1]
    assert _records("exp", sid) == []


@pytest.mark.parametrize(("lease", "timeout", "margin"), [("60", "60", "10"), ("65", "60", "10"), ("90", "60", "0")])
def test_a_lease_not_exceeding_the_timeout_by_the_margin_is_refused(
    monkeypatch: pytest.MonkeyPatch, lease: str, timeout: str, margin: str
) -> None:
    monkeypatch.setenv("DATAROUTER_LEASE", lease)
    monkeypatch.setenv("DATAROUTER_DELIVERY_TIMEOUT", timeout)
    monkeypatch.setenv("DATAROUTER_LEASE_MARGIN", margin)
    with pytest.raises(ImproperlyConfigured, match="DATAROUTER_LEASE"):
        DeliveryLoop()


def test_the_default_bound_leaves_the_margin(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DATAROUTER_LEASE", "DATAROUTER_DELIVERY_TIMEOUT", "DATAROUTER_LEASE_MARGIN"):
        monkeypatch.delenv(name, raising=False)
    assert DeliveryLoop().attempt_bound == 80.0


def test_utf8_metadata_and_content_type_reach_the_subscriber_byte_for_byte(
    dr: DR, target_server: TargetServer, run_worker: Callable[..., Any]
) -> None:
    fid, _ = _setup(dr, target_server)
    meta = '{"name": "café ☃", "size": 4}'
    content_type = "text/plain; title=naïve"
    # A WSGI server hands header bytes to Django as Latin-1 text.
    as_wsgi = meta.encode("utf-8").decode("latin-1")
    response = dr.publish(fid, "f", b"data", content_type=content_type.encode("utf-8").decode("latin-1"),
                          **{"X-ATT-DR-META": as_wsgi})
    assert response.status_code == 204
    publication = Publication.objects.get()
    assert (publication.meta, publication.content_type) == (meta, content_type)
    _worker(run_worker)
    [request] = target_server.wait_for(1)
    # The target's server reads header bytes as Latin-1 too.
    assert request.header("X-ATT-DR-META").encode("latin-1") == meta.encode("utf-8")
    assert request.header("Content-Type").encode("latin-1") == content_type.encode("utf-8")
    assert request.body == b"data"
    wait_until(lambda: Delivery.objects.get().status == Delivery.DELIVERED)


def test_sigterm_hands_back_the_claim_and_records_the_answered_hops(
    dr: DR, target_server: TargetServer, run_worker: Callable[..., Any]
) -> None:
    target_server.replies = [Reply(307, headers={"Location": "/hop/f"}), Reply(204, delay=30)]
    fid, sid = _setup(dr, target_server, follow_redirect=True)
    dr.publish(fid, "f", b"data")
    worker = _worker(run_worker, DATAROUTER_LEASE="60", DATAROUTER_DELIVERY_TIMEOUT="40")
    target_server.wait_for(2)
    started = time.monotonic()
    worker.stop()
    assert worker.process.returncode == 0
    assert time.monotonic() - started < 5
    # The second hop's answer never came: only the first is recorded; the next worker need not wait 60 s.
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.claim_token, delivery.claimed_until) == (
        Delivery.PENDING, 0, "", None)
    assert [(r.status_code, r.request_uri) for r in _records("del", sid)] == [(307, target_server.url + "/deliver/f")]
