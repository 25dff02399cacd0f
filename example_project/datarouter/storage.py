"""Published files in Django's storage: written as a stream, removed once nobody waits for them."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from webapi_kit.parsers import BodyStream

from .models import Delivery, Publication

__all__ = ["delete", "open_file", "read_file", "release_finished", "save_stream"]


def save_stream(stream: BodyStream | None) -> tuple[str, int]:
    """Copy a request body to storage as it arrives; returns ``(name, length)``.

    ``File.chunks()`` reads 64 KiB at a time, so the body is never whole in
    memory; a body that breaks off or outgrows the limit leaves no file.
    """
    name = f"datarouter/{uuid.uuid4().hex}"
    if stream is None:  # an empty body
        return default_storage.save(name, ContentFile(b"")), 0
    try:
        return default_storage.save(name, File(stream, name="upload")), stream.bytes_read
    except BaseException:
        default_storage.delete(name)
        raise


def delete(name: str) -> None:
    if name:
        default_storage.delete(name)


def open_file(name: str):  # type: ignore[no-untyped-def]
    return default_storage.open(name, "rb")


def read_file(name: str) -> bytes:
    """A stored file whole: for small files, which many deliveries share."""
    with default_storage.open(name, "rb") as handle:
        return handle.read()  # type: ignore[no-any-return]


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
    done = dict(
        Publication.objects.filter(pk__in=ids - waiting).exclude(storage_name="").values_list("pk", "storage_name")
    )
    for name in done.values():
        delete(name)
    Publication.objects.filter(pk__in=done).update(storage_name="")
