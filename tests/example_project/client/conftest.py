"""A real server process of the example project, for the client's tests.

``api_server`` starts gunicorn on a socket the test bound (port 0, so never
a fixed port) against the test database, and waits until ``/api/``
answers. Tests that use it need ``transactional_db``: the server is another
process and sees committed rows only.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from django.conf import settings

from tests.example_project.conftest import EXAMPLE_PROJECT, database_url


@dataclass
class APIServer:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def api(self) -> str:
        return self.url + "/api/"

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@pytest.fixture
def api_server(transactional_db: None, tmp_path: Path) -> Iterator[APIServer]:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    port = listener.getsockname()[1]
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "PYTHONPATH": os.pathsep.join([str(EXAMPLE_PROJECT.parent), str(EXAMPLE_PROJECT)]),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    log = tmp_path / "gunicorn.log"
    fd = listener.fileno()
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--bind", f"fd://{fd}", "--worker-class", "gthread",
             "--workers", "1", "--threads", "8", "--timeout", "60", "config.wsgi:application"],
            env=env, stdout=out, stderr=subprocess.STDOUT, pass_fds=(fd,), cwd=EXAMPLE_PROJECT,
        )
    listener.close()
    server = APIServer(f"http://127.0.0.1:{port}", process, log)
    try:
        deadline = time.time() + 30
        while True:
            if process.poll() is not None:
                raise AssertionError(f"the server exited:\n{server.output()}")
            try:
                if httpx.get(server.api, timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.time() > deadline:
                raise AssertionError(f"the server did not answer within 30s:\n{server.output()}")
            time.sleep(0.1)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
