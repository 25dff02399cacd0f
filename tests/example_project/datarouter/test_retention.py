"""Retention: what the worker's purge removes, in bounded batches, and that the APIs still read well after."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from datarouter import retention
from datarouter.models import Delivery, LogRecord, Publication

from .conftest import DR, feed_id, sub_body, sub_id

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def _retention(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATAROUTER_RETENTION", str(7 * 86400))
    monkeypatch.setenv("DATAROUTER_LOG_DAYS", "30")


def _age(publish_id: str, finished: datetime.timedelta, published: datetime.timedelta, **changes: str) -> None:
    now = timezone.now()
    Publication.objects.filter(pk=publish_id).update(created_at=now - published)
    Delivery.objects.filter(publication_id=publish_id).update(next_attempt_at=now - finished, **changes)


def test_finished_history_goes_after_the_retention_time(dr: DR) -> None:
    fid = feed_id(dr.feed())
    sids = [sub_id(dr.sub(fid, sub_body(f"http://127.0.0.1:9/{n}/"))) for n in range(2)]
    old = dr.publish(fid, "old", b"x")["X-ATT-DR-PUBLISH-ID"]
    recent = dr.publish(fid, "recent", b"x")["X-ATT-DR-PUBLISH-ID"]
    held = dr.publish(fid, "held", b"x")["X-ATT-DR-PUBLISH-ID"]
    _age(old, finished=8 * DAY, published=9 * DAY, status=Delivery.DELIVERED)
    _age(recent, finished=6 * DAY, published=9 * DAY, status=Delivery.EXPIRED)
    # One of its deliveries still pending (a suspended subscription, say): the publication stays.
    _age(held, finished=8 * DAY, published=9 * DAY, status=Delivery.DELIVERED)
    Delivery.objects.filter(publication_id=held, subscription_id=sids[0]).update(status=Delivery.PENDING)

    assert retention.purge() is False  # nothing filled a batch

    assert not Publication.objects.filter(pk=old).exists()
    assert not Delivery.objects.filter(publication_id=old).exists()
    assert Delivery.objects.filter(publication_id=recent).count() == 2
    assert Publication.objects.filter(pk=held).exists()
    assert list(Delivery.objects.filter(publication_id=held).values_list("status", flat=True)) == [Delivery.PENDING]
    # The log records stay (their own, longer retention), and every surface still reads.
    assert dr.request("GET", f"feedlog/{fid}", user=None).status_code == 200
    assert dr.request("GET", f"sublog/{sids[0]}", user=None).status_code == 200
    assert LogRecord.objects.filter(publish_id=old, type="pub").exists()
    _check_api(fid, files={"recent", "held"})


def _check_api(fid: int, files: set[str]) -> None:
    """The /api/ tree lists what is left, and every link it gives resolves."""
    client = Client(headers={"X-ATT-DR-ON-BEHALF-OF": "alice"})
    feed = client.get(f"/api/datarouter/feeds/{fid}/").json()["datarouter_feed"]
    listed = client.get(feed["links"]["datarouter_files"]["href"]).json()
    assert {item["file_id"] for item in listed["datarouter_files"]} == files
    for item in listed["datarouter_files"]:
        assert client.get(item["links"]["self"]["href"]).status_code == 200
    assert client.get(feed["links"]["datarouter_logs"]["href"]).status_code == 200


def test_logs_are_kept_by_whole_days() -> None:
    now = datetime.datetime(2026, 3, 31, 15, 0, tzinfo=datetime.timezone.utc)
    assert retention.log_cutoff(now, 30) == datetime.datetime(2026, 3, 2, tzinfo=datetime.timezone.utc)
    assert retention.log_cutoff(now, 1) == datetime.datetime(2026, 3, 31, tzinfo=datetime.timezone.utc)


def test_old_log_records_go_in_bounded_batches(dr: DR) -> None:
    fid = feed_id(dr.feed())
    sid = sub_id(dr.sub(fid, sub_body("http://127.0.0.1:9/")))
    for n in range(5):
        dr.publish(fid, f"f{n}", b"x")
    cutoff = retention.log_cutoff(timezone.now(), 30)
    LogRecord.objects.filter(publish_id__in=list(LogRecord.objects.values_list("publish_id", flat=True)[:3])) \
        .update(date=cutoff - datetime.timedelta(seconds=1))
    assert retention.purge(batch=2) is True  # a full batch: more may be waiting
    assert LogRecord.objects.count() == 3
    assert retention.purge(batch=2) is False
    assert LogRecord.objects.count() == 2
    assert all(record.date >= cutoff for record in LogRecord.objects.all())
    assert dr.request("GET", f"sublog/{sid}", user=None).status_code == 200
