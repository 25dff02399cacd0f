"""A small asyncio HTTP/1.1 server that answers every request with one status, and counts.

Used as the retry target and as the data router's subscribers: it reads the
whole request (``Content-Length`` bodies, ``Expect: 100-continue``), keeps
connections alive, optionally answers each request ``delay`` seconds late
(``asyncio.sleep``: other connections are served meanwhile, as by a real
server whose handler waits on its own back end), and records the arrival of
each request. A path holding ``/due/<unix time>/`` is a request that fell
due then: its lateness (arrival − due) is recorded too.

:class:`Sink` runs the server in a process of its own, so that the target's
work does not compete with the benchmark's for the GIL; the benchmark reads
its figures from ``GET /_stats`` (including the server's own CPU seconds) and
clears them with ``POST /_reset``. Run alone:
``python localserver.py --status 204 --delay 0.1`` prints the port.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import resource
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

_DUE = re.compile(r"/due/(\d+(?:\.\d+)?)/")


class CountingServer:
    def __init__(self, status: int = 200, reason: str = "OK", delay: float = 0.0) -> None:
        self.status_line = f"HTTP/1.1 {status} {reason}\r\n".encode()
        self.delay = delay
        self.arrivals: list[float] = []
        self.lateness: list[float] = []
        self.bytes_received = 0
        self.open_connections = 0
        self.most_connections = 0

    async def serve(self, port: int = 0) -> asyncio.Server:
        return await asyncio.start_server(self._handle, "127.0.0.1", port, backlog=4096)

    def reset(self) -> None:
        self.arrivals.clear()
        self.lateness.clear()
        self.bytes_received = 0
        self.most_connections = self.open_connections

    def stats(self) -> dict[str, Any]:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        late = sorted(self.lateness)
        return {
            "count": len(self.arrivals),
            "first": min(self.arrivals, default=None),
            "last": max(self.arrivals, default=None),
            "rate": rate(self.arrivals),
            "late_n": len(late),
            "late_p50": _percentile(late, 0.50),
            "late_p99": _percentile(late, 0.99),
            "late_max": late[-1] if late else None,
            "most_connections": self.most_connections,
            "cpu_seconds": usage.ru_utime + usage.ru_stime,
        }

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.open_connections += 1
        self.most_connections = max(self.most_connections, self.open_connections)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, _, rest = lines[0].partition(" ")
                path = rest.partition(" ")[0]
                headers = {}
                for line in lines[1:]:
                    if ":" in line:
                        name, value = line.split(":", 1)
                        headers[name.strip().lower()] = value.strip()
                length = int(headers.get("content-length", "0") or 0)
                if headers.get("expect", "").lower() == "100-continue":
                    writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
                while length > 0:
                    chunk = await reader.read(min(length, 1 << 16))
                    if not chunk:
                        return
                    length -= len(chunk)
                    self.bytes_received += len(chunk)
                if path.startswith("/_"):
                    self._control(method, path, writer)
                else:
                    now = time.time()
                    self.arrivals.append(now)
                    due = _DUE.search(path)
                    if due:
                        self.lateness.append(now - float(due.group(1)))
                    if self.delay:
                        await asyncio.sleep(self.delay)
                    writer.write(self.status_line + b"Content-Length: 0\r\n\r\n")
                await writer.drain()
                if headers.get("connection", "").lower() == "close":
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            self.open_connections -= 1
            writer.close()

    def _control(self, method: str, path: str, writer: asyncio.StreamWriter) -> None:
        if method == "POST" and path == "/_reset":
            self.reset()
        body = json.dumps(self.stats()).encode()
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                     + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)


def _percentile(ordered: list[float], q: float) -> float | None:
    if not ordered:
        return None
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def rate(arrivals: list[float]) -> float:
    """Requests per second between the first and the last arrival."""
    if len(arrivals) < 2:
        return float("nan")
    first, last = min(arrivals), max(arrivals)
    return (len(arrivals) - 1) / (last - first) if last > first else float("nan")


class Sink:
    """A :class:`CountingServer` in a process of its own."""

    def __init__(self, status: int = 200, reason: str = "OK", delay: float = 0.0) -> None:
        self._proc = subprocess.Popen(
            [sys.executable, str(Path(__file__)), "--status", str(status), "--reason", reason, "--delay", str(delay)],
            stdout=subprocess.PIPE, text=True,
        )
        assert self._proc.stdout is not None
        self.port = int(self._proc.stdout.readline())
        self.url = f"http://127.0.0.1:{self.port}"

    def _call(self, method: str, path: str) -> dict[str, Any]:
        request = urllib.request.Request(self.url + path, method=method, data=b"" if method == "POST" else None)
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    def stats(self) -> dict[str, Any]:
        return self._call("GET", "/_stats")

    def reset(self) -> dict[str, Any]:
        return self._call("POST", "/_reset")

    def count(self) -> int:
        return int(self.stats()["count"])

    def stop(self) -> None:
        self._proc.terminate()
        self._proc.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--status", type=int, default=200)
    parser.add_argument("--reason", default="OK")
    parser.add_argument("--delay", type=float, default=0.0)
    args = parser.parse_args()

    async def run() -> None:
        server = await CountingServer(args.status, args.reason, args.delay).serve()
        print(server.sockets[0].getsockname()[1], flush=True)
        async with server:
            await server.serve_forever()

    try:
        asyncio.run(run())
    except KeyboardInterrupt:
        pass
    os._exit(0)


if __name__ == "__main__":
    main()
