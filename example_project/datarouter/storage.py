"""Published files in Django's storage: written as a stream, removed once nobody waits for them."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Protocol

from django.core.files import File
from django.core.files.storage import default_storage

from .models import Delivery, Publication

__all__ = ["CountingReader", "release_finished", "save_stream"]

CHUNK_SIZE = 64 * 1024


class _Readable(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...


class CountingReader:
    """Reads at most ``limit`` bytes from ``source`` (a request), counting them."""

    def __init__(self, source: _Readable, limit: int) -> None:
        self._source = source
        self._remaining = limit
        self.count = 0

    def read(self, size: int = -1, /) -> bytes:
        if self._remaining <= 0:
            return b""
        wanted = self._remaining if size is None or size < 0 else min(size, self._remaining)
        chunk = self._source.read(min(wanted, CHUNK_SIZE))
        self._remaining -= len(chunk)
        self.count += len(chunk)
        return chunk


def save_stream(reader: CountingReader) -> str:
    """Copy ``reader`` to storage chunk by chunk; returns the stored name."""
    # File.chunks() reads CHUNK_SIZE at a time, so the body is never whole in memory.
    return default_storage.save(f"datarouter/{uuid.uuid4().hex}", File(reader, name="upload"))


def delete(name: str) -> None:
    if name:
        default_storage.delete(name)


def open_file(name: str):  # type: ignore[no-untyped-def]
    return default_storage.open(name, "rb")


def release_finished(publication_ids: Iterable[int]) -> None:
    """Remove the files of these publications that no delivery waits for any more.

    Callers run this after committing their own change, so that of two
    deliveries finishing at once the later one always sees none pending.
    """
    ids = set(publication_ids)
    if not ids:
        return
    waiting = set(
        Delivery.objects.filter(publication_id__in=ids, status=Delivery.PENDING).values_list("publication_id", flat=True)
    )
    done = Publication.objects.filter(pk__in=ids - waiting).exclude(storage_name="")
    for publication in done:
        delete(publication.storage_name)
        Publication.objects.filter(pk=publication.pk).update(storage_name="")
