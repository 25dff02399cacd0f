"""``scripts/run-example`` as a newcomer runs it: it serves, creates the superuser, serves the
admin's CSS with DEBUG off, and stops within a few seconds on SIGTERM (what ``timeout``,
systemd and CI send), leaving no process behind.

The scripts' virtualenv is this test run's own Python (a ``WEBAPI_KIT_VENV`` whose
``bin/python`` execs it, marked installed), so the test does not install anything.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not Path("/proc").is_dir(), reason="finds children in /proc")]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _environment(tmp_path: Path) -> dict[str, str]:
    """The scripts' environment: a WEBAPI_KIT_VENV that is this Python, a database of the test's own."""
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    (venv / "bin" / "python").chmod(0o755)
    (venv / ".installed").touch()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_")) and k != "REDIS_URL"}
    env.update(
        WEBAPI_KIT_VENV=str(venv), DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", MEDIA_ROOT=str(tmp_path / "media")
    )
    return env


def test_scripts_manage_runs_manage_py_from_anywhere(tmp_path: Path) -> None:
    env = _environment(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    def manage(*args: str) -> str:
        result = subprocess.run([str(REPO / "scripts" / "manage"), *args], cwd=elsewhere, env=env,
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    manage("migrate", "--noinput")
    # The key is the last line of standard output.
    assert re.fullmatch(r"[0-9a-f]{32}", manage("queuey_app", "create", "demo").splitlines()[-1])
    assert "demo" in manage("queuey_app", "list")


@pytest.fixture
def started(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], int, Path]]:
    port = _free_port()
    env = _environment(tmp_path)
    env.update(
        PORT=str(port), DJANGO_SUPERUSER_USERNAME="admin",
        DJANGO_SUPERUSER_PASSWORD="ged-sparrowhawk", DJANGO_SUPERUSER_EMAIL="admin@example.org",
    )
    log = tmp_path / "run-example.log"
    with log.open("wb") as out:
        process = subprocess.Popen([str(REPO / "scripts" / "run-example")], env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 90
        while True:
            assert process.poll() is None, log.read_text()
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.3)
        yield process, port, log
    finally:
        if process.poll() is None:
            for child in _children(process.pid):
                os.kill(child, signal.SIGKILL)
            process.kill()
            process.wait()


def test_serves_logs_in_and_stops_on_sigterm(started: tuple[subprocess.Popen[bytes], int, Path]) -> None:
    process, port, log = started
    base = f"http://127.0.0.1:{port}"
    # The admin's CSS with DEBUG off (WhiteNoise), and the superuser logs in.
    css = httpx.get(f"{base}/static/admin/css/base.css")
    assert (css.status_code, css.headers["Content-Type"].split(";")[0]) == (200, "text/css")
    with httpx.Client(base_url=base) as browser:
        page = browser.get("/admin/login/?next=/admin/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert token, page.text
        answer = browser.post("/admin/login/?next=/admin/", data={
            "csrfmiddlewaretoken": token.group(1), "username": "admin", "password": "ged-sparrowhawk", "next": "/admin/",
        })
        assert (answer.status_code, answer.headers.get("Location")) == (302, "/admin/")
        assert "Site administration" in browser.get("/admin/").text

    children = _children(process.pid)
    assert len(children) == 2, children  # runworker and runserver, no shell between
    sent = time.monotonic()
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=10) == 128 + signal.SIGTERM
    took = time.monotonic() - sent
    assert took < 5, took
    assert not [child for child in children if _alive(child)]
    output = log.read_text()
    assert "Superuser created successfully." in output
    assert "worker stopped" in output
