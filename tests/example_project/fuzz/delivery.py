"""What was accepted must be sendable: each worker's own sending code against a real server.

After an example, every retry request and every datarouter publication it
created is sent the way the workers send them (:func:`retry.sender.send`,
:func:`datarouter.sending.send`) to :class:`Recorder`, a
local HTTP server that takes any method, and what arrives is compared,
byte for byte, with what the client submitted.
"""

from __future__ import annotations

import asyncio
import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from django.utils import timezone

from datarouter import claims
from datarouter.models import Delivery, Publication
from datarouter.sending import Bodies, delivery_url, send
from retry import sender
from retry import services as retry_services
from retry.models import RetryRequest
from worker import outbound

from .harness import ANSWERED, Answer, fail
from .world import World

__all__ = ["Recorder", "check_publications", "check_retry_requests"]


@dataclass
class Arrival:
    method: str
    path: str
    headers: list[tuple[str, str]]
    body: bytes

    def values(self, name: str) -> list[str]:
        return [value for key, value in self.headers if key.lower() == name.lower()]


class Recorder:
    """A local HTTP server that answers 200 to any method and records what it got."""

    def __init__(self) -> None:
        self.arrivals: list[Arrival] = []
        self.lock = threading.Lock()
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def __getattr__(self, name: str) -> Any:
                if name.startswith("do_"):
                    return self._handle
                raise AttributeError(name)

            def _handle(self) -> None:
                if self.headers.get("Expect", "").lower() == "100-continue":
                    self.send_response_only(100)
                    self.end_headers()
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                with recorder.lock:
                    recorder.arrivals.append(Arrival(self.command, self.path, list(self.headers.items()), body))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def last(self) -> Arrival | None:
        with self.lock:
            return self.arrivals[-1] if self.arrivals else None

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _ows(value: str) -> str:
    return value.strip(" \t")


def _submitted_retry(answer: Answer) -> dict[str, Any] | None:
    """The submitted request object, when the body was a JSON submission."""
    if answer.call.content_type and "form" in answer.call.content_type:
        return None
    try:
        payload = json.loads(answer.call.body)
    except ValueError:
        return None
    request = payload.get("request") if isinstance(payload, dict) else None
    return request if isinstance(request, dict) else None


def check_retry_requests(world: World, recorder: Recorder, answer: Answer) -> int:
    """Send every retry request the example created; each must arrive as submitted. Returns how many."""
    new = RetryRequest.objects.exclude(pk__in=world.retry_pks)
    if not new.exists():
        return 0
    new.update(next_due_at=timezone.now())
    due, _ = retry_services.claim_due(100)
    submitted = _submitted_retry(answer)

    async def send_all() -> list[Any]:
        async with outbound.session("retry", connections=4, timeout=10.0) as client:
            return [await sender.send(client, claim, 10.0) for claim in due]

    for claim, outcome in zip(due, asyncio.run(send_all()), strict=True):
        ANSWERED["retry requests sent by the worker's code"] += 1
        if outcome.status_code != 200:
            fail(answer, f"an accepted retry request cannot be sent: {outcome.error or outcome.status_code}; "
                         f"stored headers {claim.headers!r}")
        arrival = recorder.last()
        assert arrival is not None
        expected_headers = [(name, value) for name, value in claim.headers]
        body = claim.body
        if submitted is not None and isinstance(submitted.get("headers"), dict):
            expected_headers = [(name, value) for name, values in submitted["headers"].items() for value in values]
            if isinstance(submitted.get("body"), str):
                body = submitted["body"].encode("utf-8")
        if arrival.method != claim.method.upper():
            fail(answer, f"sent as {arrival.method}, submitted as {claim.method}")
        for name in {name.lower() for name, _ in expected_headers}:
            wanted = [_ows(v).encode("utf-8") for n, v in expected_headers if n.lower() == name]
            got = [_ows(v).encode("latin-1") for v in arrival.values(name)]
            if got != wanted:
                fail(answer, f"header {name} arrived as {got!r}, submitted {wanted!r}")
        if arrival.body != body:
            fail(answer, f"the body arrived as {arrival.body[:200]!r}, submitted {body[:200]!r}")
    return len(due)


def check_publications(world: World, recorder: Recorder, answer: Answer, *, meta: str | None,
                       content_type: str | None, body: bytes | None) -> int:
    """Deliver every publication the example created to Bob's subscription on the recorder.

    ``meta`` and ``content_type`` are the header values as the publisher's
    bytes (latin-1 characters); ``body`` the file's bytes.
    """
    count = 0
    for publication in Publication.objects.exclude(pk__in=world.publication_pks):
        deliveries = Delivery.objects.filter(publication=publication).select_related("publication", "subscription")
        for delivery in deliveries:
            sub = delivery.subscription
            if not sub.delivery_url.startswith(recorder.url):
                continue
            job = claims.Job(delivery, "fuzz")
            url = delivery_url(sub.delivery_url, publication.file_id)

            async def send_one() -> Any:
                async with outbound.session("datarouter", connections=4, timeout=10.0) as client:
                    return await send(client, job, url, Bodies())

            outcome = asyncio.run(send_one())
            ANSWERED["publications delivered by the worker's code"] += 1
            count += 1
            if outcome.status != 200:
                fail(answer, f"an accepted publication cannot be delivered (status {outcome.status}); "
                             f"stored meta {publication.meta!r}, content type {publication.content_type!r}")
            arrival = recorder.last()
            assert arrival is not None
            if arrival.method != publication.method:
                fail(answer, f"delivered as {arrival.method}, published as {publication.method}")
            if arrival.values("X-ATT-DR-PUBLISH-ID") != [publication.publish_id]:
                fail(answer, f"publish id arrived as {arrival.values('X-ATT-DR-PUBLISH-ID')}")
            if meta and [_ows(v) for v in arrival.values("X-ATT-DR-META")] != [_ows(meta)]:
                fail(answer, f"X-ATT-DR-META arrived as {arrival.values('X-ATT-DR-META')!r}, published {meta!r}")
            if publication.method == "PUT":
                if content_type and [_ows(v) for v in arrival.values("Content-Type")] != [_ows(content_type)]:
                    fail(answer, f"Content-Type arrived as {arrival.values('Content-Type')!r}, published {content_type!r}")
                if body is not None and not sub.metadata_only and arrival.body != body:
                    fail(answer, f"the file arrived as {arrival.body[:100]!r}, published {body[:100]!r}")
    return count
