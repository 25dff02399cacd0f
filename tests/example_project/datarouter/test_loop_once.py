"""``DeliveryLoop.run(stop, once=True)``: drains what is due, then returns; its progress counters."""

from __future__ import annotations

import asyncio
import datetime

import pytest
from django.utils import timezone

from datarouter.delivery import DeliveryLoop
from datarouter.models import Delivery, LogRecord, Publication
from tests.example_project.conftest import Reply, TargetServer

from .conftest import DR, feed_id, sub_body, sub_id

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture(autouse=True)
def _fast(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {"DATAROUTER_POLL_INTERVAL": "0.05", "DATAROUTER_RETRY_INITIAL": "60",
                        "DATAROUTER_DELIVERY_TIMEOUT": "5", "DATAROUTER_LEASE": "10",
                        "DATAROUTER_LEASE_MARGIN": "1"}.items():
        monkeypatch.setenv(name, value)


def _drain(loop: DeliveryLoop) -> None:
    async def main() -> None:
        await asyncio.wait_for(loop.run(asyncio.Event(), once=True), timeout=20)

    asyncio.run(main())


def test_once_delivers_what_is_due_and_returns(dr: DR, target_server: TargetServer) -> None:
    failing = TargetServer()
    try:
        failing.replies = [Reply(503)]
        target_server.replies = [Reply(204, delay=0.2)]
        fid = feed_id(dr.feed())
        ok_sid = sub_id(dr.sub(fid, sub_body(target_server.url + "/in/")))
        failing_sid = sub_id(dr.sub(fid, sub_body(failing.url + "/in/")))
        for n in range(3):
            dr.publish(fid, f"f{n}", b"data")
        later = dr.publish(fid, "later", b"data")["X-ATT-DR-PUBLISH-ID"]
        Delivery.objects.filter(publication_id=later).update(next_attempt_at=timezone.now() + datetime.timedelta(hours=1))

        loop = DeliveryLoop()
        _drain(loop)

        # Three files to each subscription: delivered to one; failed once at the other, due again in a minute.
        assert len(target_server.requests) == 3 and len(failing.requests) == 3
        assert (loop.progress.in_flight, loop.progress.done) == (0, 6)
        delivered = Delivery.objects.filter(subscription_id=ok_sid, status=Delivery.DELIVERED)
        assert delivered.count() == 3
        retrying = Delivery.objects.filter(subscription_id=failing_sid).exclude(publication_id=later)
        assert [(d.status, d.attempts, d.claim_token) for d in retrying] == [(Delivery.PENDING, 1, "")] * 3
        # The delivery scheduled for later is not waited for.
        assert set(Delivery.objects.filter(publication_id=later).values_list("attempts", flat=True)) == {0}
        assert sorted(LogRecord.objects.filter(type="del").values_list("status_code", flat=True)) == [204] * 3 + [503] * 3
    finally:
        failing.close()


def test_once_with_nothing_due_returns_at_once_after_a_round_of_retention(
    dr: DR, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATAROUTER_RETENTION", "3600")
    fid = feed_id(dr.feed())
    dr.sub(fid, sub_body("http://127.0.0.1:9/"))
    old = dr.publish(fid, "old", b"data")["X-ATT-DR-PUBLISH-ID"]
    two_hours_ago = timezone.now() - datetime.timedelta(hours=2)
    Delivery.objects.update(status=Delivery.DELIVERED, next_attempt_at=two_hours_ago)
    Publication.objects.update(created_at=two_hours_ago)
    loop = DeliveryLoop()
    _drain(loop)
    assert (loop.progress.in_flight, loop.progress.done) == (0, 0)
    # The loop's housekeeping removed the delivery finished longer ago than the retention time, then its publication.
    assert not Delivery.objects.exists() and not Publication.objects.exists()
    assert LogRecord.objects.filter(publish_id=old, type="pub").exists()
