"""The example project's settings, as the service benchmarks run it.

Two changes, both for a benchmark on SQLite: WAL mode (the web server and
the worker write at once) and a fast password hasher (the data router checks
a publisher's password on every publish; PBKDF2 would make setting up a
thousand publishes the slowest part of the run — see the README).
"""

from config.settings import *  # noqa: F403
from django.db.backends.signals import connection_created

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}


def _wal(sender, connection, **kwargs):  # type: ignore[no-untyped-def]
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")


connection_created.connect(_wal, dispatch_uid="bench-services-wal")
