"""Bodies sent without Content-Length (chunked), through real WSGI servers.

Django caps a WSGI body at its Content-Length, so a chunked body would read
as empty: webapi_kit reads the raw input when the server promises to end it
(gunicorn does), and answers 411 when it cannot know where the body ends.
"""

from __future__ import annotations

import hashlib
import io
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from django.test import RequestFactory

from webapi_kit.errors import LengthRequired
from webapi_kit.parsers import RawParser, parse_body

ROOT = Path(__file__).resolve().parents[2]
PAYLOAD = os.urandom(300_000)
CHUNKS = [PAYLOAD[i : i + 65_536] for i in range(0, len(PAYLOAD), 65_536)]


def chunked_wsgi_request(*, terminated: bool) -> object:
    request = RequestFactory().generic("POST", "/api/uploads/", b"", content_type="application/octet-stream",
                                       HTTP_TRANSFER_ENCODING="chunked")
    request.META.pop("CONTENT_LENGTH", None)  # RequestFactory leaves it out for an empty body
    request.META["wsgi.input"] = io.BytesIO(PAYLOAD)
    if terminated:
        request.META["wsgi.input_terminated"] = True
    return request


def test_a_terminated_wsgi_input_is_read_to_its_end() -> None:
    body = parse_body(chunked_wsgi_request(terminated=True), [RawParser()])  # type: ignore[arg-type]
    assert body.raw is not None and body.raw.read() == PAYLOAD


def test_an_unterminated_wsgi_input_without_length_is_411() -> None:
    with pytest.raises(LengthRequired):
        parse_body(chunked_wsgi_request(terminated=False), [RawParser()])  # type: ignore[arg-type]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


_WSGIREF = """
import django, os
from wsgiref.simple_server import make_server
django.setup()
from django.core.wsgi import get_wsgi_application
server = make_server("127.0.0.1", int(os.environ["PORT"]), get_wsgi_application())
server.serve_forever()
"""


@pytest.fixture(params=["gunicorn", "wsgiref"])
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DJANGO_SETTINGS_MODULE": "tests.settings",
           "DJANGO_ROOT_URLCONF": "tests.testapp.echo_urls", "PORT": str(port)}
    if request.param == "gunicorn":
        pytest.importorskip("gunicorn")
        args = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1",
                "tests.testapp.echo_wsgi:application"]
    else:
        args = [sys.executable, "-c", _WSGIREF]
    log = open(tmp_path / "server.log", "w")
    process = subprocess.Popen(args, env=env, cwd=ROOT, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}/api/uploads/"
    try:
        deadline = time.time() + 20
        while True:
            try:
                httpx.get(url, timeout=1)
                break
            except httpx.TransportError:
                if time.time() > deadline or process.poll() is not None:
                    raise AssertionError((tmp_path / "server.log").read_text()) from None
                time.sleep(0.1)
        yield request.param, url
    finally:
        process.terminate()
        process.wait(10)


@pytest.mark.slow
def test_a_chunked_upload_is_received_whole_or_refused_with_411(server: tuple[str, str]) -> None:
    name, url = server
    response = httpx.post(url, content=iter(CHUNKS), headers={"Content-Type": "application/octet-stream"}, timeout=30)
    if name == "gunicorn":
        assert response.status_code == 200
        assert response.json() == {"stat": "ok", "size": len(PAYLOAD), "sha256": hashlib.sha256(PAYLOAD).hexdigest()}
    else:
        # wsgiref gives no way to find the end of a chunked body: refuse rather than lose it.
        assert response.status_code == 411
        assert response.json()["err"] == {"code": 128, "msg": "The request body needs a Content-Length",
                                          "type": "length-required"}
