"""Removing history: finished deliveries, publications nobody waits for, old log records.

The worker calls :func:`purge` every few seconds. Each call removes at most
``batch`` rows of each kind, oldest first, through the partial and date
indexes (``datarouter_delivery_finished``, ``datarouter_publication_age``,
the log's ``date``), so one round is a few short statements however large
the tables have grown, and rows keep leaving as fast as they come:

* a delivered or expired delivery ``DATAROUTER_RETENTION`` seconds after
  it finished;
* a publication ``DATAROUTER_RETENTION`` seconds after it was published,
  once none of its deliveries is left (none pending, the finished ones
  removed), with its stored file if it still has one;
* log records dated before the first of the last ``DATAROUTER_LOG_DAYS``
  UTC days (today included): logs go by whole days.

Log records name publications and subscriptions by plain id, and nothing
else points at a delivery or publication, so no reference is left broken.
"""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef
from django.utils import timezone

from . import storage
from .conf import number
from .models import Delivery, LogRecord, Publication

__all__ = ["BATCH", "log_cutoff", "purge"]

BATCH = 1000


def log_cutoff(now: datetime.datetime, days: int) -> datetime.datetime:
    """The oldest log date kept: midnight UTC starting the oldest of the last ``days`` days."""
    today = now.astimezone(datetime.timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    return today - datetime.timedelta(days=max(days, 1) - 1)


def purge(batch: int = BATCH) -> bool:
    """One bounded round of removals; whether any kind filled its batch (more may be waiting)."""
    now = timezone.now()
    kept = now - datetime.timedelta(seconds=number("DATAROUTER_RETENTION"))
    removed = [
        _deliveries(kept, batch),
        _publications(kept, batch),
        _log_records(log_cutoff(now, int(number("DATAROUTER_LOG_DAYS"))), batch),
    ]
    return any(count >= batch for count in removed)


def _deliveries(before: datetime.datetime, batch: int) -> int:
    finished = Delivery.objects.exclude(status=Delivery.PENDING).filter(next_attempt_at__lt=before)
    ids = list(finished.order_by("next_attempt_at").values_list("pk", flat=True)[:batch])
    return Delivery.objects.filter(pk__in=ids).delete()[0] if ids else 0


def _publications(before: datetime.datetime, batch: int) -> int:
    unwanted = (
        Publication.objects.filter(created_at__lt=before)
        .filter(~Exists(Delivery.objects.filter(publication=OuterRef("pk"))))
        .order_by("created_at")
    )
    stored = dict(unwanted.values_list("pk", "storage_name")[:batch])
    if not stored:
        return 0
    for name in stored.values():
        storage.delete(name)
    Publication.objects.filter(pk__in=stored).delete()  # deliveries are never added to an old publication
    return len(stored)


def _log_records(before: datetime.datetime, batch: int) -> int:
    ids = list(LogRecord.objects.filter(date__lt=before).order_by("date").values_list("pk", flat=True)[:batch])
    return LogRecord.objects.filter(pk__in=ids).delete()[0] if ids else 0
