"""Who may do what: owners, principles, public queues, other applications."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from queuey.models import Message, Queue
from tests.example_project.queuey.conftest import App, Seed, body


def _queue(seed: Seed, app: App, **options: str) -> str:
    response = seed.form("POST", f"/v1/{app.name}", {"queue_name": "q", **options}, **app.auth)
    assert response.status_code == 201
    return f"/v1/{app.name}/q"


def _message(seed: Seed, app: App, path: str) -> str:
    response = seed.raw("POST", path, "secret", **app.auth)
    assert response.status_code == 201
    return body(response)["messages"][0]["key"]  # type: ignore[no-any-return]


def _denied(response: object) -> None:
    assert response.status_code == 401, response.content  # type: ignore[attr-defined]
    assert list(body(response)["error_msg"]) == ["InvalidApplicationKey"]


def test_another_application_cannot_touch_queues_or_messages(seed: Seed, app: App, other_app: App) -> None:
    path = _queue(seed, app)
    key = _message(seed, app, path)
    _denied(seed.get(f"/v1/{app.name}", **other_app.auth))
    _denied(seed.form("POST", f"/v1/{app.name}", {"queue_name": "mine"}, **other_app.auth))
    _denied(seed.form("PUT", path, {"partitions": "5"}, **other_app.auth))
    _denied(seed.delete(path, **other_app.auth))
    _denied(seed.get(path, **other_app.auth))
    _denied(seed.raw("POST", path, "spam", **other_app.auth))
    _denied(seed.get(f"{path}/{key}", **other_app.auth))
    _denied(seed.raw("PUT", f"{path}/{key}", "overwritten", **other_app.auth))
    _denied(seed.delete(f"{path}/{key}", **other_app.auth))
    assert Queue.objects.get().partitions == 1
    assert [bytes(m.body) for m in Message.objects.all()] == [b"secret"]
    # Its own list never shows them either.
    assert body(seed.get(f"/v1/{other_app.name}", **other_app.auth))["queues"] == []


def test_no_key_or_unknown_key_is_401(seed: Seed, app: App) -> None:
    path = _queue(seed, app)
    _denied(seed.get(path))
    _denied(seed.get(path, HTTP_AUTHORIZATION="Application not-a-key"))
    _denied(seed.raw("POST", path, "x"))


def test_public_queue_is_readable_without_a_key(seed: Seed, app: App, other_app: App) -> None:
    path = _queue(seed, app, type="public")
    key = _message(seed, app, path)
    for extra in [{}, other_app.auth, {"HTTP_AUTHORIZATION": "Application unknown"}]:
        assert [m["message_id"] for m in body(seed.get(path, **extra))["messages"]] == [key]
        assert [m["message_id"] for m in body(seed.get(f"{path}/{key}", **extra))["messages"]] == [key]
    # Reading only: writing and deleting still need the owner.
    _denied(seed.raw("POST", path, "x"))
    _denied(seed.delete(f"{path}/{key}"))
    _denied(seed.delete(f"{path}/{key}", **other_app.auth))


def test_principles_grant_reading_and_deleting(
    seed: Seed, app: App, other_app: App, make_app: Callable[[str], App]
) -> None:
    third = make_app("third")
    path = _queue(seed, app, principles=f"app:{other_app.name}")
    key = _message(seed, app, path)
    # The listed principal reads and deletes; the owner, not listed, does not; nor does a third app.
    assert [m["message_id"] for m in body(seed.get(path, **other_app.auth))["messages"]] == [key]
    _denied(seed.get(path, **app.auth))
    _denied(seed.get(path, **third.auth))
    _denied(seed.delete(f"{path}/{key}", **third.auth))
    # Creating messages stays with the owner.
    _denied(seed.raw("POST", path, "x", **other_app.auth))
    assert seed.delete(f"{path}/{key}", **other_app.auth).status_code == 200
    assert not Message.objects.exists()


@pytest.mark.parametrize("listed", ["app:notifications", "app:notifications,bid:ann@example.com"])
def test_owner_listed_in_principles_reads(seed: Seed, app: App, listed: str) -> None:
    path = _queue(seed, app, principles=listed)
    key = _message(seed, app, path)
    assert [m["message_id"] for m in body(seed.get(path, **app.auth))["messages"]] == [key]
