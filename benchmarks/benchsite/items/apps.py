from django.apps import AppConfig
from django.db.backends.signals import connection_created


def _sqlite_pragmas(sender, connection, **kwargs):  # type: ignore[no-untyped-def]
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            # WAL lets readers run beside the writer (two gunicorn workers).
            cursor.execute("PRAGMA journal_mode=WAL")
            # The usual pairing with WAL: commits do not fsync, so "create"
            # measures the frameworks rather than the disk.
            cursor.execute("PRAGMA synchronous=NORMAL")


class ItemsConfig(AppConfig):
    name = "benchsite.items"
    label = "items"
    default_auto_field = "django.db.models.AutoField"

    def ready(self) -> None:
        connection_created.connect(_sqlite_pragmas, dispatch_uid="bench-sqlite-wal")
