"""HTTP benchmark: each framework under its own gunicorn, driven by ``wrk`` on 127.0.0.1.

Every framework gets a gunicorn (sync workers) that loads only that
framework's code, so the RSS of its workers is its own. All servers start
first; then each round runs every endpoint against every framework for a
fixed time (the framework order rotates every round). Reported per
framework and endpoint: median requests/s over the rounds, the median of
the per-round ratios to the plain view's requests/s, and the median p50 /
p99 latency. RSS is read from ``/proc/<pid>/status`` (``VmRSS``) of each
worker after every round; the largest is reported.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from common import HERE, exit_on_sigterm, median, setup_django, versions, write_json

WORKERS = 2
CONNECTIONS = 4  # a little more than the workers, so none idles while a connection reopens
BASE_PORT = 18700

_LUA_DONE = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH-JSON {\\"requests\\": %d, \\"duration_us\\": %d, \\"p50_us\\": %d, \\"p99_us\\": %d, "
    .. "\\"non2xx\\": %d, \\"socket_errors\\": %d}\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.status, e.connect + e.read + e.write + e.timeout))
end
"""


def lua_script(call: Any, directory: Path, name: str) -> Path:
    lines = [f'wrk.method = "{call.method}"', f'wrk.headers["Accept"] = "{call.accept}"']
    if call.body:
        lines.append(f"wrk.body = {json.dumps(call.body.decode())}")
        lines.append(f'wrk.headers["Content-Type"] = "{call.content_type}"')
    path = directory / f"{name}.lua"
    path.write_text("\n".join(lines) + "\n" + _LUA_DONE)
    return path


def wait_for_port(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"gunicorn on port {port} did not start")


def worker_pids(master: int, expected: int = 0, timeout: float = 30) -> list[int]:
    """The children of a gunicorn master; wait until there are ``expected`` of them."""
    deadline = time.monotonic() + timeout
    while True:
        pids = _children(master)
        if len(pids) >= expected or time.monotonic() > deadline:
            return pids
        time.sleep(0.1)


def _children(master: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("PPid:") and int(line.split()[1]) == master:
                pids.append(int(entry.name))
    return pids


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def run_wrk(port: int, path: str, script: Path, seconds: float) -> dict[str, Any]:
    cmd = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{max(1, round(seconds))}s", "--latency", "-s", str(script),
           f"http://127.0.0.1:{port}{path}"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        if line.startswith("BENCH-JSON "):
            data = json.loads(line[len("BENCH-JSON "):])
            data["rps"] = data["requests"] / (data["duration_us"] / 1e6)
            return data
    raise RuntimeError(f"no result from wrk:\n{out}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int)
    parser.add_argument("--frameworks")
    args = parser.parse_args()
    exit_on_sigterm()
    seconds = args.seconds or (1 if args.quick else 5)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install -y wrk)")

    setup_django(args.frameworks)
    from django.conf import settings

    from benchsite import db
    from benchsite.endpoints import ENDPOINTS, calls

    frameworks = list(settings.FRAMEWORKS)
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    scripts_dir = Path(tempfile.mkdtemp(prefix="bench-wrk-"))
    servers: dict[str, dict[str, Any]] = {}
    extra = []
    if "--no-control-socket" in subprocess.run([gunicorn, "--help"], capture_output=True, text=True).stdout:
        extra.append("--no-control-socket")  # gunicorn 25+: several masters would share one socket path
    try:
        for i, fw in enumerate(frameworks):
            port = BASE_PORT + i
            env = dict(os.environ, BENCH_FRAMEWORKS=fw, DJANGO_SETTINGS_MODULE="benchsite.settings")
            proc = subprocess.Popen(
                [gunicorn, "benchsite.wsgi:application", "-k", "sync", "-w", str(WORKERS),
                 "-b", f"127.0.0.1:{port}", "--log-level", "warning", "--timeout", "60", *extra],
                cwd=HERE, env=env,
            )
            servers[fw] = {"proc": proc, "port": port, "calls": calls(fw)}
        for fw, server in servers.items():
            wait_for_port(server["port"])
            for endpoint in ENDPOINTS:
                call = server["calls"][endpoint]
                server[f"lua_{endpoint}"] = lua_script(call, scripts_dir, f"{fw}-{endpoint}")
                # One real request first: the status must be the expected one.
                req = urllib.request.Request(f"http://127.0.0.1:{server['port']}{call.path}", method=call.method,
                                             data=call.body or None, headers={"Accept": call.accept})
                if call.content_type:
                    req.add_header("Content-Type", call.content_type)
                with urllib.request.urlopen(req, timeout=30) as response:
                    if response.status != call.status:
                        raise SystemExit(f"{fw} {endpoint}: HTTP {response.status}")
        # Warm up every worker on every path (--quick: the check above has to do).
        for fw, server in servers.items():
            if args.quick:
                break
            for endpoint in ENDPOINTS:
                run_wrk(server["port"], server["calls"][endpoint].path, server[f"lua_{endpoint}"], 1)
            db.reset()

        runs: dict[str, dict[str, list[dict[str, Any]]]] = {fw: {e: [] for e in ENDPOINTS} for fw in frameworks}
        ratios: dict[str, dict[str, list[float]]] = {fw: {e: [] for e in ENDPOINTS} for fw in frameworks}
        rss: dict[str, list[int]] = {fw: [] for fw in frameworks}
        started = time.time()
        for rnd in range(args.rounds):
            order = frameworks[rnd % len(frameworks):] + frameworks[: rnd % len(frameworks)]
            for endpoint in ENDPOINTS:
                this_round = {}
                for fw in order:
                    server = servers[fw]
                    result = run_wrk(server["port"], server["calls"][endpoint].path, server[f"lua_{endpoint}"], seconds)
                    runs[fw][endpoint].append(result)
                    this_round[fw] = result["rps"]
                    if endpoint == "create":
                        db.reset()
                for fw in frameworks:
                    ratios[fw][endpoint].append(this_round[fw] / this_round["plain"])
            for fw, server in servers.items():
                rss[fw].extend(rss_kib(pid) for pid in worker_pids(server["proc"].pid))
            print(f"  round {rnd + 1}/{args.rounds} done ({time.time() - started:.0f} s)", flush=True)
    finally:
        for server in servers.values():
            server["proc"].send_signal(signal.SIGTERM)
        for server in servers.values():
            try:
                server["proc"].wait(timeout=20)
            except subprocess.TimeoutExpired:
                server["proc"].kill()
        shutil.rmtree(scripts_dir, ignore_errors=True)

    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split("\n")[0].strip()
    result = {
        "rounds": args.rounds,
        "seconds": seconds,
        "workers": WORKERS,
        "connections": CONNECTIONS,
        "wrk": wrk_version,
        "frameworks": frameworks,
        "versions": versions(),
        "rps": {fw: {e: median([r["rps"] for r in v]) for e, v in per.items()} for fw, per in runs.items()},
        "ratio": {fw: {e: median(v) for e, v in per.items()} for fw, per in ratios.items()},
        "p50_ms": {fw: {e: median([r["p50_us"] for r in v]) / 1000 for e, v in per.items()} for fw, per in runs.items()},
        "p99_ms": {fw: {e: median([r["p99_us"] for r in v]) / 1000 for e, v in per.items()} for fw, per in runs.items()},
        "errors": {fw: {e: sum(r["non2xx"] + r["socket_errors"] for r in v) for e, v in per.items()}
                   for fw, per in runs.items()},
        "rss_mib": {fw: (max(v) / 1024 if v else None) for fw, v in rss.items()},
        "runs": runs,
    }
    for fw in frameworks:
        cells = "  ".join(
            f"{e}={result['rps'][fw][e]:6.0f}/s x{result['ratio'][fw][e]:.2f} p99={result['p99_ms'][fw][e]:.1f}ms"
            for e in ENDPOINTS
        )
        print(f"  {fw:<11} {cells}  rss={result['rss_mib'][fw]:.0f}MiB", flush=True)
    write_json(args.out, result)


if __name__ == "__main__":
    main()
