"""Service benchmarks: the example project's retry worker, queuey and data router.

* retry: N requests with ``intervals: [0]`` are accepted through the native
  surface, then ``manage.py runworker --only retry`` starts; the rate is the
  attempts per second arriving at a local target that answers 200.
* queuey: a queue is filled to 1 000 000 messages (50 000 with --quick)
  through the service layer; then, under gunicorn, ``wrk`` posts batches of
  100 messages (messages/s) and reads 100 messages ``since`` a random
  message's timestamp (reads/s), 3 rounds each.
* datarouter: N 4 KiB files are published to a feed with 10 subscriptions
  on a local server, then ``runworker --only datarouter`` delivers them; the
  rate is deliveries (file × subscriber) per second at the subscribers. Then
  one 1 GiB file is published to a gunicorn worker while its RSS is sampled.

Everything runs against a fresh SQLite database (WAL) in a temporary
directory, with ``benchmarks/services_settings.py``.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path
from typing import Any, Callable

from common import HERE, exit_on_sigterm, median, versions, write_json
from localserver import CountingServer, rate

REPO = HERE.parent
PROJECT = REPO / "example_project"
PORT = 18790


class Services:
    def __init__(self, quick: bool) -> None:
        self.quick = quick
        self.tmp = Path(tempfile.mkdtemp(prefix="bench-services-"))
        self.env = dict(
            os.environ,
            DJANGO_SETTINGS_MODULE="services_settings",
            DATABASE_URL=f"sqlite:///{self.tmp / 'services.sqlite3'}",
            MEDIA_ROOT=str(self.tmp / "media"),
            PYTHONPATH=os.pathsep.join([str(HERE), str(PROJECT), str(REPO)]),
            LOG_LEVEL="WARNING",
        )
        os.environ.update({k: self.env[k] for k in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "MEDIA_ROOT", "LOG_LEVEL")})
        sys.path[:0] = [str(HERE), str(PROJECT), str(REPO)]
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
        from django.test import Client

        self.client = Client()
        self.rows: list[dict[str, str]] = []
        self.notes: list[str] = []
        self.data: dict[str, Any] = {}

    # -- processes --------------------------------------------------------

    def worker(self, loop: str, **env: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [sys.executable, str(PROJECT / "manage.py"), "runworker", "--only", loop],
            cwd=PROJECT, env={**self.env, **env},
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
    def stop(proc: subprocess.Popen[bytes]) -> None:
        proc.send_signal(signal.SIGTERM)
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
        n = 300 if self.quick else 2000
        target = CountingServer(200).start()
        started = time.monotonic()
        for i in range(n):
            body = {"intervals": [0], "request": {"url": f"{target.url}/hit/{i}", "method": "POST",
                                                  "headers": {"X-Bench": ["1"]}, "body": "payload"}}
            response = self.client.post("/retry/requests/", json.dumps(body), content_type="application/json",
                                        headers={"X-Owner-ID": f"bench-{i // 5000}"})
            if response.status_code != 200:
                raise RuntimeError(f"POST /retry/requests/ -> {response.status_code} {response.content[:300]!r}")
        accept_rate = n / (time.monotonic() - started)
        proc = self.worker("retry")
        t0 = time.monotonic()
        try:
            deadline = t0 + (60 if self.quick else 180)
            while target.count() < n and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:
            self.stop(proc)
            target.stop()
        got = target.count()
        self.data["retry"] = {"n": n, "received": got, "rate": rate(target.arrivals), "accept_rate": accept_rate}
        self.row("retry", f"attempts sent by the worker to a local 200 target ({n} due at once)",
                 f"**{rate(target.arrivals):,.0f} attempts/s** ({got}/{n} arrived; "
                 f"{time.monotonic() - t0:.1f} s from worker start)")
        self.row("retry", "requests accepted (POST /retry/requests/, in-process client)", f"{accept_rate:,.0f}/s")

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

    def datarouter(self) -> None:
        files = 50 if self.quick else 300
        subscribers = 10
        user_headers = {"X-ATT-DR-ON-BEHALF-OF": "bench"}
        basic = "Basic " + base64.b64encode(b"pub:secret").decode()

        def create_feed(name: str) -> int:
            body = {
                "name": name, "version": "v1", "description": "benchmark", "business_description": "benchmark",
                "authorization": {"classification": "unclassified", "endpoint_addrs": [],
                                  "endpoint_ids": [{"id": "pub", "password": "secret"}]},
            }
            response = self.client.post("/datarouter/", json.dumps(body), content_type="application/vnd.att-dr.feed",
                                        headers=user_headers)
            if response.status_code != 201:
                raise RuntimeError(f"create feed -> {response.status_code} {response.content[:300]!r}")
            return int(json.loads(response.content)["links"]["self"].rstrip("/").rsplit("/", 1)[1])

        server = CountingServer(204, "No Content").start()
        feed = create_feed("bench")
        for i in range(subscribers):
            body = {"delivery": {"url": f"{server.url}/sub{i}/", "user": "sub", "password": "pw", "use100": False},
                    "metadataOnly": False, "subscriber": "bench"}
            response = self.client.post(f"/datarouter/subscribe/{feed}", json.dumps(body),
                                        content_type="application/vnd.att-dr.subscription", headers=user_headers)
            if response.status_code != 201:
                raise RuntimeError(f"subscribe -> {response.status_code} {response.content[:300]!r}")
        payload = os.urandom(4096)
        t0 = time.monotonic()
        for i in range(files):
            response = self.client.put(f"/datarouter/publish/{feed}/file-{i}", payload,
                                       content_type="application/octet-stream",
                                       headers={"Authorization": basic}, REMOTE_ADDR="127.0.0.1")
            if response.status_code != 204:
                raise RuntimeError(f"publish -> {response.status_code} {response.content[:300]!r}")
        publish_rate = files / (time.monotonic() - t0)
        expected = files * subscribers
        proc = self.worker("datarouter")
        t0 = time.monotonic()
        try:
            deadline = t0 + (90 if self.quick else 300)
            while server.count() < expected and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:
            self.stop(proc)
            server.stop()
        got = server.count()
        per_second = rate(server.arrivals)
        self.data["datarouter"] = {"files": files, "subscribers": subscribers, "received": got,
                                   "deliveries_per_s": per_second, "publish_rate": publish_rate}
        self.row("datarouter", f"4 KiB files delivered to {subscribers} subscribers on a local server "
                 f"({files} files published, then the worker started)",
                 f"**{per_second:,.0f} deliveries/s** = {per_second / subscribers:,.1f} files/s to all "
                 f"{subscribers} ({got}/{expected} arrived in {time.monotonic() - t0:.1f} s)")
        self.row("datarouter", "4 KiB files published (PUT /publish, in-process client)", f"{publish_rate:,.0f} files/s")
        self.big_publish(create_feed("bench-big"), basic)

    def big_publish(self, feed: int, basic: str) -> None:
        size = 1 << 30
        proc = self.gunicorn(1, PORT + 1)
        try:
            from http_bench import worker_pids

            pid = worker_pids(proc.pid, expected=1)[0]
            # One small publish first, so the worker has loaded everything.
            self._put(PORT + 1, f"/datarouter/publish/{feed}/warm", basic, 4096)
            before = _status_kib(pid, "VmRSS")
            peak = [before]
            done = threading.Event()

            def sample() -> None:
                while not done.is_set():
                    peak[0] = max(peak[0], _status_kib(pid, "VmRSS"))
                    time.sleep(0.02)

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            t0 = time.monotonic()
            status = self._put(PORT + 1, f"/datarouter/publish/{feed}/big", basic, size)
            elapsed = time.monotonic() - t0
            done.set()
            sampler.join()
            hwm = _status_kib(pid, "VmHWM")
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
        shutil.rmtree(self.tmp, ignore_errors=True)


def _status_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


_LUA_DONE = ""


def main() -> None:
    global _LUA_DONE
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", action="append", choices=("retry", "queuey", "datarouter"))
    args = parser.parse_args()
    exit_on_sigterm()
    from http_bench import _LUA_DONE as done

    _LUA_DONE = done
    bench = Services(args.quick)
    benches: dict[str, Callable[[], None]] = {"retry": bench.retry, "queuey": bench.queuey, "datarouter": bench.datarouter}
    try:
        for name in args.only or list(benches):
            try:
                benches[name]()
            except Exception as exc:  # noqa: BLE001 - one service failing must not hide the others
                traceback.print_exc()
                bench.row(name, "(failed)", f"{type(exc).__name__}: {str(exc)[:200]}")
    finally:
        bench.close()
    write_json(args.out, {"rows": bench.rows, "notes": bench.notes, "data": bench.data, "versions": versions()})


if __name__ == "__main__":
    main()
