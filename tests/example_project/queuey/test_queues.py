"""Queue management on the native surface: every option and every validation."""

from __future__ import annotations

import pytest

from queuey.models import Message, Queue
from tests.example_project.queuey.conftest import App, Seed, body


def test_create_with_every_option(seed: Seed, app: App) -> None:
    response = seed.form(
        "POST",
        f"/v1/{app.name}",
        {"queue_name": "jobs", "partitions": "5", "type": "public", "consistency": "very_strong",
         "principles": "app:notifications,bid:ann@example.com"},
        **app.auth,
    )
    assert response.status_code == 201
    assert body(response) == {
        "status": "ok", "queue_name": "jobs", "partitions": 5, "type": "public", "consistency": "very_strong",
        "principles": ["app:notifications", "bid:ann@example.com"],
    }
    queue = Queue.objects.get()
    assert (queue.application_id, queue.partitions, queue.principles) == (
        app.app.pk, 5, "app:notifications,bid:ann@example.com"
    )


@pytest.mark.parametrize(
    ("fields", "key"),
    [
        ({"partitions": "0"}, "partitions"),
        ({"partitions": "201"}, "partitions"),
        ({"partitions": "many"}, "partitions"),
        ({"type": "private"}, "type"),
        ({"consistency": "eventual"}, "consistency"),
        ({"principles": "app:ok,someone"}, "principles"),
        ({"principles": "bid:not-an-email"}, "principles"),
        ({"principles": "user:x"}, "principles"),
        ({"queue_name": "x" * 51}, "queue_name"),
        ({"queue_name": "a/b"}, "queue_name"),
    ],
)
def test_create_refuses_bad_options(seed: Seed, app: App, fields: dict[str, str], key: str) -> None:
    response = seed.form("POST", f"/v1/{app.name}", fields, **app.auth)
    assert response.status_code == 400
    data = body(response)
    assert data["status"] == "error" and list(data["error_msg"]) == [key]
    assert not Queue.objects.exists()


def test_create_twice_is_refused(seed: Seed, app: App) -> None:
    assert seed.form("POST", f"/v1/{app.name}", {"queue_name": "q"}, **app.auth).status_code == 201
    response = seed.form("POST", f"/v1/{app.name}", {"queue_name": "q"}, **app.auth)
    assert response.status_code == 400 and list(body(response)["error_msg"]) == ["queue_name"]


def test_list_is_paginated_by_name(seed: Seed, app: App) -> None:
    for name in ["c", "a", "d", "b"]:
        seed.form("POST", f"/v1/{app.name}", {"queue_name": name}, **app.auth)
    names = lambda r: [q["queue_name"] for q in body(r)["queues"]]  # noqa: E731
    assert names(seed.get(f"/v1/{app.name}", **app.auth)) == ["a", "b", "c", "d"]
    assert names(seed.get(f"/v1/{app.name}", {"limit": "2"}, **app.auth)) == ["a", "b"]
    # offset is a queue name, inclusive.
    assert names(seed.get(f"/v1/{app.name}", {"limit": "2", "offset": "b"}, **app.auth)) == ["b", "c"]
    bad = seed.get(f"/v1/{app.name}", {"limit": "0"}, **app.auth)
    assert bad.status_code == 400 and list(body(bad)["error_msg"]) == ["limit"]


def test_count_only_with_include_count(seed: Seed, app: App) -> None:
    seed.form("POST", f"/v1/{app.name}", {"queue_name": "q"}, **app.auth)
    (queue,) = body(seed.get(f"/v1/{app.name}", {"details": "true"}, **app.auth))["queues"]
    assert "count" not in queue and queue["partitions"] == 1


def test_update_every_option(seed: Seed, app: App) -> None:
    seed.form("POST", f"/v1/{app.name}", {"queue_name": "q", "principles": "app:x"}, **app.auth)
    response = seed.form(
        "PUT", f"/v1/{app.name}/q", {"partitions": "3", "type": "public", "consistency": "weak", "principles": ""},
        **app.auth,
    )
    assert response.status_code == 200
    assert body(response) == {"status": "ok", "queue_name": "q", "partitions": 3, "type": "public", "consistency": "weak"}
    assert Queue.objects.get().principles == ""


def test_partitions_only_grow(seed: Seed, app: App) -> None:
    seed.form("POST", f"/v1/{app.name}", {"queue_name": "q", "partitions": "4"}, **app.auth)
    response = seed.form("PUT", f"/v1/{app.name}/q", {"partitions": "2"}, **app.auth)
    assert response.status_code == 400
    assert body(response) == {"status": "error", "error_msg": {"InvalidUpdate": "Partitions can only be increased."}}
    assert Queue.objects.get().partitions == 4
    assert seed.form("PUT", f"/v1/{app.name}/q", {"partitions": "4"}, **app.auth).status_code == 200
    assert body(seed.form("PUT", f"/v1/{app.name}/q", {"partitions": "9"}, **app.auth))["partitions"] == 9


def test_delete_removes_messages(seed: Seed, app: App) -> None:
    seed.form("POST", f"/v1/{app.name}", {"queue_name": "q", "partitions": "3"}, **app.auth)
    seed.json("POST", f"/v1/{app.name}/q", {"messages": [{"body": "a", "partition": p} for p in (1, 2, 3)]}, **app.auth)
    assert Message.objects.count() == 3
    assert seed.delete(f"/v1/{app.name}/q", **app.auth).status_code == 200
    assert not Queue.objects.exists() and not Message.objects.exists()
    assert seed.get(f"/v1/{app.name}/q", **app.auth).status_code == 404


def test_long_queue_name_in_url_is_404_invalid_queue_name(seed: Seed, app: App) -> None:
    response = seed.get(f"/v1/{app.name}/{'q' * 51}", **app.auth)
    assert response.status_code == 404
    assert list(body(response)["error_msg"]) == ["InvalidQueueName"]


def test_unknown_application_and_queue_are_404_before_credentials(seed: Seed) -> None:
    for path in ["/v1/nobody", "/v1/nobody/q", "/v1/nobody/q/" + "a" * 32]:
        response = seed.get(path)
        assert response.status_code == 404, path
        assert body(response)["status"] == "error"


def test_unknown_queue_is_404_even_without_key(seed: Seed, app: App) -> None:
    response = seed.form("PUT", f"/v1/{app.name}/missing", {"partitions": "2"})
    assert response.status_code == 404
    assert list(body(response)["error_msg"]) == ["InvalidQueueName"]


@pytest.mark.parametrize("header", [None, "Application wrong-key", "Basic Zm9vOmJhcg=="])
def test_management_needs_the_owners_key(seed: Seed, app: App, header: str | None) -> None:
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    for response in [
        seed.get(f"/v1/{app.name}", **extra),
        seed.form("POST", f"/v1/{app.name}", {"queue_name": "q"}, **extra),
    ]:
        assert response.status_code == 401
        assert list(body(response)["error_msg"]) == ["InvalidApplicationKey"]
        assert response["WWW-Authenticate"].startswith("Application")
    assert not Queue.objects.exists()
