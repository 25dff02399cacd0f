"""A small asyncio HTTP/1.1 server that answers every request with one status, and counts.

Used as the retry target and as the data router's subscribers: it reads the
whole request (``Content-Length`` bodies, ``Expect: 100-continue``), keeps
connections alive, and records the arrival time and path of each request.
It runs in a thread of the benchmark process.
"""

from __future__ import annotations

import asyncio
import threading
import time


class CountingServer:
    def __init__(self, status: int = 200, reason: str = "OK") -> None:
        self.status_line = f"HTTP/1.1 {status} {reason}\r\n".encode()
        self.arrivals: list[tuple[float, str]] = []
        self.bytes_received = 0
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> CountingServer:
        self._thread.start()
        self._ready.wait(10)
        return self

    def stop(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)

    def count(self) -> int:
        return len(self.arrivals)

    def _run(self) -> None:
        self._loop = asyncio.new_event_loop()
        server = self._loop.run_until_complete(asyncio.start_server(self._handle, "127.0.0.1", 0, backlog=1024))
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                path = lines[0].split(" ")[1] if " " in lines[0] else ""
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
                self.arrivals.append((time.monotonic(), path))
                writer.write(self.status_line + b"Content-Length: 0\r\n\r\n")
                await writer.drain()
                if headers.get("connection", "").lower() == "close":
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


def rate(arrivals: list[tuple[float, str]]) -> float:
    """Requests per second between the first and the last arrival."""
    if len(arrivals) < 2:
        return float("nan")
    times = sorted(t for t, _ in arrivals)
    return (len(times) - 1) / (times[-1] - times[0]) if times[-1] > times[0] else float("nan")
