"""Service benchmarks: the example project's retry worker, queuey and data router.

* workers (``service_workers.py``): the retry and data router workers as
  real ``manage.py runworker`` processes against targets answering in
  100 ms: throughput, lateness, a second worker, and the same with a million
  finished rows in the tables;
* retry: how fast ``POST /retry/requests/`` accepts submissions;
* queuey: a queue is filled to 1 000 000 messages (50 000 with --quick)
  through the service layer; then, under gunicorn, ``wrk`` posts batches of
  100 messages (messages/s) and reads 100 messages ``since`` a random
  message's timestamp (reads/s), 3 rounds each;
* datarouter: 4 KiB files published through ``PUT /publish`` (files/s), then
  one 1 GiB file published to a gunicorn worker while its RSS is sampled.

Everything runs against a fresh database with ``benchmarks/services_settings.py``:
SQLite (WAL) in a temporary directory, or, with ``--database
postgres://…``, a database of its own (``bench_services_<pid>``) created on
that server for the run and dropped at the end.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path
from typing import Any, Callable

from common import HERE, exit_on_sigterm, median, status_kib, versions, write_json
from servicedb import Database

REPO = HERE.parent
PROJECT = REPO / "example_project"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


PORT = _free_port()


class Services:
    def __init__(self, quick: bool, database: str) -> None:
        self.quick = quick
        self.tmp = Path(tempfile.mkdtemp(prefix="bench-services-"))
        self.database = Database(database, self.tmp)
        self.env = dict(
            os.environ,
            DJANGO_SETTINGS_MODULE="services_settings",
            DATABASE_URL=self.database.url,
            MEDIA_ROOT=str(self.tmp / "media"),
            PYTHONPATH=os.pathsep.join([str(HERE), str(PROJECT), str(REPO)]),
            LOG_LEVEL="WARNING",
        )
        os.environ.update({k: self.env[k] for k in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "MEDIA_ROOT", "LOG_LEVEL")})
        sys.path[:0] = [str(HERE), str(PROJECT), str(REPO)]
        import django

        django.setup()
        from django.core.management import call_command

        try:
            call_command("migrate", verbosity=0, interactive=False)
        except BaseException:
            self.close()
            raise
        from django.test import Client

        self.client = Client()
        self.rows: list[dict[str, str]] = []
        self.notes: list[str] = []
        self.data: dict[str, Any] = {}

    # -- processes --------------------------------------------------------

    def worker(self, loop: str) -> subprocess.Popen[bytes]:
        """``runworker --only loop``; its progress lines are dropped, its errors (stderr) shown."""
        return subprocess.Popen(
            [sys.executable, str(PROJECT / "manage.py"), "runworker", "--only", loop], cwd=PROJECT, env=self.env,
            stdout=subprocess.DEVNULL,
        )

    def gunicorn(self, workers: int, port: int = PORT) -> subprocess.Popen[bytes]:
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        extra = ["--no-control-socket"] if "--no-control-socket" in subprocess.run(
            [gunicorn, "--help"], capture_output=True, text=True).stdout else []
        proc = subprocess.Popen(
            [gunicorn, "config.wsgi:application", "-k", "sync", "-w", str(workers), "-b", f"127.0.0.1:{port}",
             "--timeout", "600", "--log-level", "warning", *extra],
            cwd=PROJECT, env=self.env,
        )
        from http_bench import wait_for_port

        wait_for_port(port)
        return proc

    @staticmethod
    def stop(*procs: subprocess.Popen[bytes]) -> None:
        """SIGTERM to all of them at once, then wait for each (SIGKILL after 20 s)."""
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def row(self, service: str, what: str, result: str) -> None:
        self.rows.append({"service": service, "what": what, "result": result})
        print(f"  {service}: {what}: {result}", flush=True)

    # -- retry ------------------------------------------------------------

    def retry(self) -> None:
        """How fast the native surface accepts submissions (the worker runs are in service_workers)."""
        n = 300
        started = time.monotonic()
        for i in range(n):
            body = {"intervals": [3600], "request": {"url": f"http://127.0.0.1:9/accept/{i}", "method": "POST",
                                                     "headers": {"X-Bench": ["1"]}, "body": "payload"}}
            response = self.client.post("/retry/requests/", json.dumps(body), content_type="application/json",
                                        headers={"X-Owner-ID": "bench-accept"})
            if response.status_code != 200:
                raise RuntimeError(f"POST /retry/requests/ -> {response.status_code} {response.content[:300]!r}")
        self.row("retry", "requests accepted (POST /retry/requests/, in-process client)",
                 f"{n / (time.monotonic() - started):,.0f}/s")

    def workers(self) -> None:
        import service_workers

        service_workers.measure(self)

    # -- queuey -----------------------------------------------------------

    def queuey(self) -> None:
        from queuey import services
        from queuey.models import Message

        size = 50_000 if self.quick else 1_000_000
        seconds = 2 if self.quick else 5
        _app, key = services.create_application("bench")
        auth = f"Application {key}"
        response = self.client.post("/queuey/v1/bench", {"queue_name": "bench", "partitions": "1"},
                                    headers={"Authorization": auth})
        if response.status_code != 201:
            raise RuntimeError(f"create queue -> {response.status_code} {response.content[:300]!r}")
        queue = services.get_queue("bench", "bench")
        body = "m" * 100
        t0 = time.monotonic()
        batch = [{"body": body, "partition": 1}] * 10_000
        stored = 0
        while stored < size:
            services.store_messages(queue, batch[: min(len(batch), size - stored)], batch=True)
            stored += min(len(batch), size - stored)
        fill = time.monotonic() - t0
        total = Message.objects.filter(queue=queue).count()
        self.row("queuey", "filling the queue through the service layer (batches of 10 000)",
                 f"{total:,} messages in {fill:.0f} s ({total / fill:,.0f} messages/s)")

        # `since` values: the timestamps of 200 messages spread over the queue.
        ordered = Message.objects.filter(queue=queue).order_by("timestamp").values_list("timestamp", flat=True)
        units = [ordered[i] for i in range(0, total - 100, max(1, (total - 100) // 200))]
        since = [f"{u // 10**7}.{u % 10**7:07d}" for u in units]

        from http_bench import run_wrk

        server = self.gunicorn(2)
        scripts = self.tmp / "lua"
        scripts.mkdir()
        post_body = json.dumps({"messages": [{"body": body, "partition": 1}] * 100})
        post_lua = scripts / "post.lua"
        post_lua.write_text(
            'wrk.method = "POST"\n'
            f'wrk.headers["Authorization"] = "{auth}"\n'
            'wrk.headers["Content-Type"] = "application/json"\n'
            f"wrk.body = {json.dumps(post_body)}\n" + _LUA_DONE
        )
        read_lua = scripts / "read.lua"
        read_lua.write_text(
            f'wrk.headers["Authorization"] = "{auth}"\n'
            "local since = {" + ",".join(f'"{s}"' for s in since) + "}\n"
            "request = function()\n"
            '  return wrk.format("GET", "/queuey/v1/bench/bench?limit=100&since=" .. since[math.random(#since)])\n'
            "end\n" + _LUA_DONE
        )
        # One of each, checked, before timing.
        check = self.client.get("/queuey/v1/bench/bench", {"limit": "100", "since": since[len(since) // 2]},
                                headers={"Authorization": auth})
        if check.status_code != 200 or len(check.json()["messages"]) != 100:
            raise RuntimeError(f"since read -> {check.status_code} {check.content[:300]!r}")
        posts, reads = [], []
        try:
            run_wrk(PORT, "/queuey/v1/bench/bench", post_lua, 1)
            run_wrk(PORT, "/queuey/v1/bench/bench", read_lua, 1)
            for _ in range(3):
                posts.append(run_wrk(PORT, "/queuey/v1/bench/bench", post_lua, seconds))
                reads.append(run_wrk(PORT, "/queuey/v1/bench/bench", read_lua, seconds))
        finally:
            self.stop(server)
        bad = sum(r["non2xx"] + r["socket_errors"] for r in posts + reads)
        self.data["queuey"] = {"size": total, "posts": posts, "reads": reads}
        self.row("queuey", f"messages posted, batches of 100 (gunicorn 2 sync workers, wrk, {seconds} s × 3)",
                 f"**{median([r['rps'] for r in posts]) * 100:,.0f} messages/s** "
                 f"(p50 {median([r['p50_us'] for r in posts]) / 1000:.1f} ms, "
                 f"p99 {median([r['p99_us'] for r in posts]) / 1000:.1f} ms per batch)")
        self.row("queuey", f"`since` reads of 100 on a queue of {total:,} messages",
                 f"**{median([r['rps'] for r in reads]):,.0f} reads/s** "
                 f"(p50 {median([r['p50_us'] for r in reads]) / 1000:.1f} ms, "
                 f"p99 {median([r['p99_us'] for r in reads]) / 1000:.1f} ms)" + (f" ⚠ {bad} errors" if bad else ""))

    # -- datarouter -------------------------------------------------------

    def create_feed(self, name: str) -> int:
        body = {
            "name": name, "version": "v1", "description": "benchmark", "business_description": "benchmark",
            "authorization": {"classification": "unclassified", "endpoint_addrs": [],
                              "endpoint_ids": [{"id": "pub", "password": "secret"}]},
        }
        response = self.client.post("/datarouter/", json.dumps(body), content_type="application/vnd.att-dr.feed",
                                    headers=_DR_USER)
        if response.status_code != 201:
            raise RuntimeError(f"create feed -> {response.status_code} {response.content[:300]!r}")
        return int(json.loads(response.content)["links"]["self"].rstrip("/").rsplit("/", 1)[1])

    def subscribe(self, feed: int, url: str) -> None:
        body = {"delivery": {"url": url, "user": "sub", "password": "pw", "use100": False},
                "metadataOnly": False, "subscriber": "bench"}
        response = self.client.post(f"/datarouter/subscribe/{feed}", json.dumps(body),
                                    content_type="application/vnd.att-dr.subscription", headers=_DR_USER)
        if response.status_code != 201:
            raise RuntimeError(f"subscribe -> {response.status_code} {response.content[:300]!r}")

    def datarouter(self) -> None:
        """Publishing over the native surface: 4 KiB files (rate), then one 1 GiB file (server RSS)."""
        files = 50 if self.quick else 300
        basic = "Basic " + base64.b64encode(b"pub:secret").decode()
        feed = self.create_feed("bench")
        self.subscribe(feed, "http://127.0.0.1:9/sub/")
        payload = os.urandom(4096)
        t0 = time.monotonic()
        for i in range(files):
            response = self.client.put(f"/datarouter/publish/{feed}/file-{i}", payload,
                                       content_type="application/octet-stream",
                                       headers={"Authorization": basic}, REMOTE_ADDR="127.0.0.1")
            if response.status_code != 204:
                raise RuntimeError(f"publish -> {response.status_code} {response.content[:300]!r}")
        publish_rate = files / (time.monotonic() - t0)
        self.data["datarouter"] = {"files": files, "publish_rate": publish_rate}
        self.row("datarouter", "4 KiB files published (PUT /publish, in-process client)", f"{publish_rate:,.0f} files/s")
        self.big_publish(self.create_feed("bench-big"), basic)

    def big_publish(self, feed: int, basic: str) -> None:
        size = 1 << 30
        # A port of its own, asked for now: PORT + 1 may be any process's ephemeral port.
        port = _free_port()
        proc = self.gunicorn(1, port)
        try:
            from http_bench import worker_pids

            pid = worker_pids(proc.pid, expected=1)[0]
            # One small publish first, so the worker has loaded everything.
            self._put(port, f"/datarouter/publish/{feed}/warm", basic, 4096)
            before = status_kib(pid, "VmRSS")
            peak = [before]
            done = threading.Event()

            def sample() -> None:
                while not done.is_set():
                    peak[0] = max(peak[0], status_kib(pid, "VmRSS"))
                    time.sleep(0.02)

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            t0 = time.monotonic()
            status = self._put(port, f"/datarouter/publish/{feed}/big", basic, size)
            elapsed = time.monotonic() - t0
            done.set()
            sampler.join()
            hwm = status_kib(pid, "VmHWM")
        finally:
            self.stop(proc)
        self.data["big_publish"] = {"status": status, "before_kib": before, "peak_kib": peak[0], "hwm_kib": hwm,
                                    "seconds": elapsed}
        self.row("datarouter", "server RSS while publishing one 1 GiB file (gunicorn, 1 sync worker)",
                 f"**peak {peak[0] / 1024:.0f} MiB, +{(peak[0] - before) / 1024:.1f} MiB** over {before / 1024:.0f} MiB "
                 f"before (VmHWM {hwm / 1024:.0f} MiB); HTTP {status}, {size / elapsed / 2**20:,.0f} MiB/s")

    @staticmethod
    def _put(port: int, path: str, basic: str, size: int) -> int:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        conn.putrequest("PUT", path)
        conn.putheader("Authorization", basic)
        conn.putheader("Content-Type", "application/octet-stream")
        conn.putheader("Content-Length", str(size))
        conn.endheaders()
        chunk = b"\x5a" * (1 << 20)
        left = size
        while left > 0:
            piece = chunk[: min(left, len(chunk))]
            conn.send(piece)
            left -= len(piece)
        response = conn.getresponse()
        response.read()
        conn.close()
        if response.status != 204:
            raise RuntimeError(f"PUT {path} -> {response.status}")
        return response.status

    def close(self) -> None:
        from django.db import connections

        connections.close_all()
        self.database.drop()
        shutil.rmtree(self.tmp, ignore_errors=True)


_LUA_DONE = ""
_DR_USER = {"X-ATT-DR-ON-BEHALF-OF": "bench"}


def main() -> None:
    global _LUA_DONE
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", action="append", choices=("workers", "retry", "queuey", "datarouter"))
    parser.add_argument("--database", default="sqlite", help="sqlite (default) or a postgres:// URL of a server")
    args = parser.parse_args()
    exit_on_sigterm()
    from http_bench import _LUA_DONE as done

    _LUA_DONE = done
    bench = Services(args.quick, args.database)
    benches: dict[str, Callable[[], None]] = {"workers": bench.workers, "retry": bench.retry,
                                              "queuey": bench.queuey, "datarouter": bench.datarouter}
    timings: dict[str, float] = {}
    try:
        for name in args.only or list(benches):
            started = time.monotonic()
            try:
                benches[name]()
            except Exception as exc:  # noqa: BLE001 - one service failing must not hide the others
                traceback.print_exc()
                bench.row(name, "(failed)", f"{type(exc).__name__}: {str(exc)[:200]}")
            timings[name] = round(time.monotonic() - started, 1)
    finally:
        bench.close()
    bench.notes.append("Seconds per part: " + ", ".join(f"{name} {s:.0f}" for name, s in timings.items()) + ".")
    write_json(args.out, {"database": bench.database.label, "rows": bench.rows, "notes": bench.notes,
                          "data": bench.data, "timings": timings, "versions": versions()})


if __name__ == "__main__":
    main()
