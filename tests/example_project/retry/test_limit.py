"""The per-owner limit: exact, sliding, per owner, and exact under concurrent posting."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from retry.models import RetryRequest
from tests.example_project.retry.helpers import SEED_BODY, errors, payload, submit

URL = "http://target.example/"


@pytest.fixture
def small_limit(settings: Any) -> None:
    settings.RETRY_LIMIT_COUNT = 3
    settings.RETRY_LIMIT_WINDOW = 60


@pytest.mark.django_db
def test_seed_limit_answers_429_with_the_seeds_body(client: Client) -> None:
    now = timezone.now()
    RetryRequest.objects.bulk_create(
        RetryRequest(owner_id="1234", method="GET", url=URL, intervals=[30], accepted_at=now, next_due_at=now)
        for _ in range(10000)
    )

    response = submit(client, SEED_BODY)

    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert errors(response) == [
        {"type": "too_many_requests", "message": "Only 10000 requests are allowed per owner per 30 minutes"}
    ]
    assert RetryRequest.objects.count() == 10000
    # Another owner is not affected.
    assert submit(client, SEED_BODY, owner="5678").status_code == 200


@pytest.mark.django_db
@pytest.mark.usefixtures("small_limit")
def test_limit_counts_exactly_and_per_owner(client: Client) -> None:
    for _ in range(3):
        assert submit(client, payload(URL)).status_code == 200

    refused = submit(client, payload(URL))

    assert refused.status_code == 429
    assert errors(refused) == [
        {"type": "too_many_requests", "message": "Only 3 requests are allowed per owner per 1 minute"}
    ]
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert submit(client, payload(URL), owner="someone-else").status_code == 200
    assert RetryRequest.objects.filter(owner_id="1234").count() == 3


@pytest.mark.django_db
@pytest.mark.usefixtures("small_limit")
def test_limit_window_slides(client: Client) -> None:
    for _ in range(3):
        assert submit(client, payload(URL)).status_code == 200
    oldest = RetryRequest.objects.order_by("accepted_at").first()
    assert oldest is not None
    RetryRequest.objects.filter(pk=oldest.pk).update(accepted_at=timezone.now() - timedelta(seconds=61))

    assert submit(client, payload(URL)).status_code == 200
    assert submit(client, payload(URL)).status_code == 429


@pytest.mark.django_db
@pytest.mark.usefixtures("small_limit")
def test_cancelled_and_invalid_submissions(client: Client) -> None:
    """Cancelled requests still count (they were accepted); refused ones never do."""
    assert submit(client, payload("ftp://nope")).status_code == 400
    for _ in range(3):
        assert submit(client, payload(URL)).status_code == 200
    RetryRequest.objects.update(state="cancelled")
    assert submit(client, payload(URL)).status_code == 429


@pytest.mark.django_db(transaction=True)
def test_concurrent_posters_at_the_boundary_never_overshoot(settings: Any) -> None:
    settings.RETRY_LIMIT_COUNT = 5
    settings.RETRY_LIMIT_WINDOW = 60
    posters = 16
    barrier = threading.Barrier(posters)
    statuses: list[int] = []
    lock = threading.Lock()

    def post() -> None:
        try:
            client = Client()
            barrier.wait()
            status = submit(client, payload(URL)).status_code
            with lock:
                statuses.append(status)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(posters)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert sorted(statuses) == [200] * 5 + [429] * 11
    assert RetryRequest.objects.filter(owner_id="1234").count() == 5
