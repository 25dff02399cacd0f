"""SQLite for several processes writing at once: WAL, immediate transactions, a busy timeout.

Django's SQLite transactions start deferred (``BEGIN``): one that reads and
then writes finds, at its first write, that another connection wrote
meanwhile, and SQLite answers ``database is locked`` at once, without
waiting out the busy timeout (waiting could deadlock). Starting every
transaction with ``BEGIN IMMEDIATE`` takes the write lock up front, where
waiting is safe, so writers queue instead of failing. WAL lets readers go on
while one writer writes. (Django 5.1's ``transaction_mode`` and
``init_command`` options do the same; this backend also serves Django 4.2.)

``ENGINE = "config.sqlite"``; the busy timeout is the ``timeout`` option.
"""

from __future__ import annotations

from typing import Any

from django.db.backends.sqlite3 import base


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        connection = super().get_new_connection(conn_params)
        # In-memory databases (the tests' default) have no WAL; asking is harmless.
        connection.execute("PRAGMA journal_mode=WAL")
        # Durable at every checkpoint, not every commit: WAL's usual pairing.
        connection.execute("PRAGMA synchronous=NORMAL")
        return connection

    def _start_transaction_under_autocommit(self) -> None:
        self.cursor().execute("BEGIN IMMEDIATE")
