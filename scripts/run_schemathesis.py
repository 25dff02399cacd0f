#!/usr/bin/env python3
"""Run schemathesis against the example project, served for real by gunicorn.

Every API of the project is tested from its own OpenAPI document: /api/
and the native surfaces of retry, queuey and datarouter. A fresh database
each run: SQLite in a temporary directory, or, when DATABASE_URL names a
PostgreSQL server, a database of its own created there and dropped after.
The run is bounded (SCHEMATHESIS_MAX_EXAMPLES cases per operation and
SCHEMATHESIS_MAX_TIME seconds per API); any failure fails the script.

    python scripts/run_schemathesis.py           # from the repository root
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PROJECT = ROOT / "example_project"
CHECKS = ",".join([
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _on_server(url: str, database: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path="/" + database))


def postgres_database(url: str) -> tuple[str, str]:
    """A new database on the server of ``url`` (whatever database it names): (its URL, its name)."""
    import psycopg

    name = f"schemathesis_{secrets.token_hex(4)}"
    with psycopg.connect(_on_server(url, "postgres"), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return _on_server(url, name), name


def drop_postgres_database(url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(_on_server(url, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=PROJECT, env=env, check=True, capture_output=True, text=True
    )
    return result.stdout


def wait_for(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline:
                raise SystemExit(f"the server did not answer {url}") from None
            time.sleep(0.3)


def main() -> int:
    workdir = Path(tempfile.mkdtemp(prefix="schemathesis-"))
    env = {
        **os.environ, "MEDIA_ROOT": str(workdir / "media"), "PYTHONPATH": f"{ROOT / 'scripts'}{os.pathsep}{ROOT}", "LOG_LEVEL": "ERROR",
        "SCHEMATHESIS_HOOKS": "schemathesis_hooks",
    }
    server_url = os.environ.get("DATABASE_URL", "")
    created: str | None = None
    if server_url.startswith(("postgres://", "postgresql://")):
        env["DATABASE_URL"], created = postgres_database(server_url)
    else:
        env["DATABASE_URL"] = f"sqlite:///{workdir / 'db.sqlite3'}"
    server: subprocess.Popen[bytes] | None = None
    failed = False
    started = time.monotonic()
    try:
        manage(env, "migrate", "--noinput")
        key = manage(env, "queuey_app", "create", "schemathesis").strip().splitlines()[-1]
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}",
             "--workers", "2", "--threads", "2", "--log-level", "warning",
             # Our own answer to any URL, however long, not the server's HTML 414.
             "--limit-request-line", "0"],
            cwd=PROJECT, env=env,
        )
        wait_for(base + "/api/")
        owner = ["-H", "X-Owner-ID: schemathesis"]
        reader = ["-H", "X-ATT-DR-ON-BEHALF-OF: alice"]
        app_key = ["-H", f"Authorization: Application {key}"]
        runs = [
            ("/api/openapi.json", [*owner, *reader, *app_key]),
            ("/retry/openapi.json", owner),
            ("/queuey/openapi.json", app_key),
            ("/datarouter/openapi.json", reader),
        ]
        max_examples = os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "25")
        # Seconds per API: /api/ has most operations and gets the most.
        scale = float(os.environ.get("SCHEMATHESIS_TIME_SCALE", "1"))
        budgets = {"/api/openapi.json": 60 * scale}
        for schema, headers in runs:
            max_time = str(int(budgets.get(schema, 20 * scale)))
            print(f"\n=== schemathesis: {schema}", flush=True)
            command = [
                sys.executable, "-m", "schemathesis.cli", "--config-file", str(ROOT / "scripts" / "schemathesis.toml"),
                "run", base + schema,
                "--checks", CHECKS, "--max-examples", max_examples, "--max-time", max_time,
                "--workers", "1", "--seed", os.environ.get("SCHEMATHESIS_SEED", "1"),
                "--suppress-health-check", "all", "--request-timeout", "30", *headers,
            ]
            # Run in the temporary directory: schemathesis keeps its cache in the working directory.
            if subprocess.run(command, cwd=workdir, env=env).returncode != 0:
                failed = True
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        if created is not None:
            drop_postgres_database(server_url, created)
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"\nschemathesis: {'FAILED' if failed else 'passed'} in {time.monotonic() - started:.0f}s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
