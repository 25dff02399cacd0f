"""Throttling: by user, address and header, per resource and per API; the exact
database-count throttle; and one count shared by several server processes."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

import django
import httpx
import pytest
from django.core.cache import cache
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.test import Client, override_settings
from django.utils import timezone

from tests.testapp.models import Note
from webapi_kit import throttling
from webapi_kit.throttling import parse_rate, window_counter

pytestmark = pytest.mark.urls("tests.testapp.bulk_urls")

ROOT = Path(__file__).resolve().parents[2]
T0 = 1_800_000_000.0  # the start of an hour, a minute and a day


def limited() -> dict[str, Any]:
    return {
        "stat": "fail",
        "err": {"code": 114, "msg": "API rate limit has been exceeded.", "type": "request-rate-limit-exceeded"},
    }


@pytest.fixture(autouse=True)
def _fresh_counts(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[float]]:
    cache.clear()
    now = [T0]
    monkeypatch.setattr(throttling, "clock", lambda: now[0])
    yield now
    cache.clear()


@pytest.fixture
def now(_fresh_counts: list[float]) -> list[float]:
    return _fresh_counts


def assert_throttled(response: Any, retry_after: int, limit: int) -> None:
    assert response.status_code == 429
    assert response["Retry-After"] == str(retry_after)
    assert response["X-RateLimit-Limit"] == str(limit)
    assert response.json() == limited()


# --- rates --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rate", "parsed"),
    [("100/hour", (100, 3600)), ("10/15m", (10, 900)), ("5/s", (5, 1)), ("1/day", (1, 86400)), (" 3 / 2 minutes ", (3, 120))],
)
def test_parse_rate(rate: str, parsed: tuple[int, int]) -> None:
    assert parse_rate(rate) == parsed


@pytest.mark.parametrize("rate", ["", "100", "x/hour", "10/fortnight", "10/0s"])
def test_parse_rate_refuses(rate: str) -> None:
    with pytest.raises(ValueError):
        parse_rate(rate)


# --- cache-counted throttles, in process ----------------------------------------


@override_settings(WEBAPI_KIT={"THROTTLE_RATES": {"user": "3/hour"}})
def test_by_address_for_anonymous_callers(client: Client, now: list[float]) -> None:
    for _ in range(3):
        assert client.get("/bulk/ping/").status_code == 200
    now[0] += 600
    assert_throttled(client.get("/bulk/ping/"), retry_after=3000, limit=3)
    assert client.get("/bulk/ping/", REMOTE_ADDR="10.1.2.3").status_code == 200
    now[0] += 3000
    assert client.get("/bulk/ping/").status_code == 200


@pytest.mark.django_db
@override_settings(WEBAPI_KIT={"THROTTLE_RATES": {"user": "2/hour"}})
def test_by_user(django_user_model: Any) -> None:
    alice, bob = Client(), Client()
    alice.force_login(django_user_model.objects.create_user("alice"))
    bob.force_login(django_user_model.objects.create_user("bob"))
    assert [alice.get("/bulk/ping/").status_code for _ in range(3)] == [200, 200, 429]
    # Same address, other user: a count of its own.
    assert [bob.get("/bulk/ping/").status_code for _ in range(3)] == [200, 200, 429]


def test_by_header(client: Client) -> None:
    # The user rate is unset, so only the X-Owner-ID throttle (3/hour) counts.
    statuses = [client.get("/bulk/ping/", HTTP_X_OWNER_ID="owner-1").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert client.get("/bulk/ping/", HTTP_X_OWNER_ID="owner-2").status_code == 200
    assert all(client.get("/bulk/ping/").status_code == 200 for _ in range(5))  # no header: not throttled


@override_settings(WEBAPI_KIT={"THROTTLE_RATES": {"anon": "2/minute"}})
def test_per_api(client: Client, now: list[float]) -> None:
    assert [client.get("/bulk-anon/hit/").status_code for _ in range(3)] == [200, 200, 429]
    assert_throttled(client.get("/bulk-anon/hit/"), retry_after=60, limit=2)
    now[0] += 60
    assert client.get("/bulk-anon/hit/").status_code == 200
    # Another API's resources are not throttled by it.
    assert client.get("/bulk/ping/").status_code == 200


def test_429_in_xml(client: Client) -> None:
    with override_settings(WEBAPI_KIT={"THROTTLE_RATES": {"anon": "0/minute"}}):
        response = client.get("/bulk-anon/hit/?api_format=xml")
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    assert b"<code>114</code>" in response.content


class NonAtomicCache(LocMemCache):
    """A cache whose incr is get-then-set, like the database and file caches."""

    incr = BaseCache.incr


@override_settings(CACHES={"default": {"BACKEND": f"{__name__}.NonAtomicCache", "LOCATION": "non-atomic"}})
def test_slot_counting_for_caches_without_atomic_incr() -> None:
    counts = [window_counter("k", 60)[0] for _ in range(5)]
    assert counts == [1, 2, 3, 4, 5]
    assert window_counter("k", 60, increment=False) == (5, 60)
    # A lost hint only costs a few more adds, never a wrong count.
    cache.delete(f"webapi_kit:k:60:{int(T0 // 60)}:hint")
    assert window_counter("k", 60, increment=False)[0] == 5
    assert window_counter("k", 60)[0] == 6


# --- the exact database count ---------------------------------------------------


@pytest.mark.django_db
def test_query_count_throttle(django_user_model: Any, now: list[float]) -> None:
    alice = django_user_model.objects.create_user("alice")
    client = Client()
    client.force_login(alice)
    now[0] = time.time()
    for i in range(3):
        assert client.post("/bulk/notes/", {"text": f"note {i}"}).status_code == 201
    # The oldest note was written half an hour ago: one more fits in 30 minutes.
    Note.objects.filter(text="note 0").update(created=timezone.now() - timedelta(minutes=30))
    response = client.post("/bulk/notes/", {"text": "one too many"})
    assert response.status_code == 429
    assert response["X-RateLimit-Limit"] == "3"
    assert 1799 <= int(response["Retry-After"]) <= 1801
    assert Note.objects.count() == 3
    # Reading is not limited, and another owner has a quota of their own.
    assert client.get("/bulk/notes/").status_code == 200
    bob = Client()
    bob.force_login(django_user_model.objects.create_user("bob"))
    assert bob.post("/bulk/notes/", {"text": "bob's"}).status_code == 201
    # Once the oldest leaves the window, there is room for one.
    Note.objects.filter(text="note 0").update(created=timezone.now() - timedelta(hours=1, seconds=1))
    assert client.post("/bulk/notes/", {"text": "fits now"}).status_code == 201
    assert client.post("/bulk/notes/", {"text": "full again"}).status_code == 429


# --- one count across server processes ----------------------------------------------


def _redis_reachable(url: str) -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except Exception:  # noqa: BLE001 - any failure means no Redis here
        return False


_SERVE = """
import socketserver, sys
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server
import django
django.setup()
from django.core.wsgi import get_wsgi_application

class Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass

class Threaded(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True

server = make_server("127.0.0.1", 0, get_wsgi_application(), server_class=Threaded, handler_class=Quiet)
print(server.server_port, flush=True)
server.serve_forever()
"""


class Servers:
    def __init__(self, env: dict[str, str], count: int, log_dir: Path) -> None:
        self.processes: list[subprocess.Popen[str]] = []
        self.urls: list[str] = []
        for i in range(count):
            log = open(log_dir / f"server-{i}.log", "w")
            process = subprocess.Popen(
                [sys.executable, "-c", _SERVE], env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=log, text=True
            )
            self.processes.append(process)
        for process in self.processes:
            assert process.stdout is not None
            port = process.stdout.readline().strip()
            assert port, "a server did not start; see its log in " + str(log_dir)
            self.urls.append(f"http://127.0.0.1:{port}")

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["redis", "database"])
def test_two_server_processes_share_one_count(backend: str, tmp_path: Path) -> None:
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/7")
    if backend == "redis" and not _redis_reachable(redis_url):
        pytest.skip("Redis is not reachable; the database-cache variant covers this")
    if backend == "database" and django.VERSION < (5, 1):
        # Two SQLite writers need BEGIN IMMEDIATE (transaction_mode, Django 5.1+).
        pytest.skip("the SQLite database-cache variant needs Django 5.1+")
    limit = 20
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "tests.throttle_settings",
        "THROTTLE_TEST_CACHE": backend,
        "THROTTLE_TEST_REDIS": redis_url,
        "THROTTLE_TEST_PREFIX": f"webapi-kit-test-{uuid.uuid4().hex}",
        "THROTTLE_TEST_DB": str(tmp_path / "cache.sqlite3"),
        "THROTTLE_TEST_RATE": f"{limit}/hour",
    }
    if backend == "database":
        subprocess.run([sys.executable, "-m", "django", "createcachetable"], env=env, cwd=ROOT, check=True)
    # A fixed window that ends mid-test would hand out a second allowance.
    seconds_left = 3600 - time.time() % 3600
    if seconds_left < 60:
        time.sleep(seconds_left + 1)

    servers = Servers(env, 2, tmp_path)
    try:
        with httpx.Client(timeout=30) as http:

            def hit(i: int) -> httpx.Response:
                return http.get(servers.urls[i % 2] + "/bulk/ping/")

            with ThreadPoolExecutor(max_workers=8) as pool:
                responses = list(pool.map(hit, range(3 * limit)))
    finally:
        servers.stop()

    statuses = [r.status_code for r in responses]
    assert statuses.count(200) == limit, statuses
    assert statuses.count(429) == 2 * limit, statuses
    # Both processes answered some of each.
    assert {r.status_code for r in responses[0::2]} == {r.status_code for r in responses[1::2]} == {200, 429}
    for response in responses:
        if response.status_code == 429:
            assert 0 < int(response.headers["Retry-After"]) <= 3600
            assert response.headers["X-RateLimit-Limit"] == str(limit)
            assert response.json()["err"]["code"] == 114

