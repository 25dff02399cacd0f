"""The database a service benchmark runs against: SQLite in a temporary directory, or
a PostgreSQL database of its own, created for the run and dropped after it.

On PostgreSQL the server is the one a ``postgres://`` URL names; the
database is ``bench_services_<pid>`` (never the URL's own database, nor
``postgres``/``template1``, which are only connected to for CREATE/DROP).
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit


class Database:
    def __init__(self, spec: str, tmp: Path) -> None:
        self.postgres = spec.startswith(("postgres://", "postgresql://"))
        if not self.postgres:
            self.url = f"sqlite:///{tmp / 'services.sqlite3'}"
            self.label = "SQLite"
            return
        parts = urlsplit(spec)
        self.name = f"bench_services_{os.getpid()}"
        self.url = urlunsplit(parts._replace(path="/" + self.name))
        self._admin = urlunsplit(parts._replace(path="/template1"))
        self._execute(f'CREATE DATABASE "{self.name}" TEMPLATE template0')
        self.label = f"PostgreSQL {self._execute('SHOW server_version')}"

    def _execute(self, sql: str) -> str:
        import psycopg

        with psycopg.connect(self._admin, autocommit=True) as conn:
            cursor = conn.execute(sql)
            row = cursor.fetchone() if cursor.description else None
        return str(row[0]) if row else ""

    def drop(self) -> None:
        if self.postgres:
            self._execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
