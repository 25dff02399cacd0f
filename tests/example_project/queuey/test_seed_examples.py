"""Every example of the seed document, sent as written (with a valid key)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from queuey.models import Message, Queue
from tests.example_project.queuey.conftest import App, Seed, body

HEX32 = re.compile(r"[0-9a-f]{32}")


def _is_timestamp(value: Any) -> bool:
    return isinstance(value, Decimal) and value.as_tuple().exponent == -7


def test_get_queue_list(seed: Seed, app: App) -> None:
    seed.form("POST", f"/v1/{app.name}", {"queue_name": "a queue"}, **app.auth)
    seed.form("POST", f"/v1/{app.name}", {"queue_name": "another queue"}, **app.auth)
    response = seed.get(f"/v1/{app.name}", **app.auth)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert body(response) == {"status": "ok", "queues": [{"queue_name": "a queue"}, {"queue_name": "another queue"}]}


def test_get_queue_list_with_details(seed: Seed, app: App) -> None:
    seed.form("POST", f"/v1/{app.name}", {"queue_name": "another queue", "partitions": "4"}, **app.auth)
    seed.raw("POST", f"/v1/{app.name}/another queue", "hi", **app.auth)
    response = seed.get(f"/v1/{app.name}", {"details": "true", "include_count": "true"}, **app.auth)
    assert response.status_code == 200
    (queue,) = body(response)["queues"]
    created = int(Queue.objects.get().created.timestamp())
    assert queue == {
        "queue_name": "another queue",
        "partitions": 4,
        "created": created,
        "type": "user",
        "consistency": "strong",
        "principles": [],
        "count": 1,
    }


def test_post_queue_without_parameters(seed: Seed, app: App) -> None:
    response = seed.client.post(f"/queuey/v1/{app.name}", **app.auth)
    assert response.status_code == 201
    data = body(response)
    assert HEX32.fullmatch(data.pop("queue_name"))
    assert data == {"status": "ok", "partitions": 1, "type": "user", "consistency": "strong"}


def test_put_queue(seed: Seed, app: App) -> None:
    seed.form("POST", f"/v1/{app.name}", {"queue_name": "ea2f39c0de9a4b9db6463123641631de"}, **app.auth)
    response = seed.form("PUT", f"/v1/{app.name}/ea2f39c0de9a4b9db6463123641631de", {"partitions": "1"}, **app.auth)
    assert response.status_code == 200
    assert body(response) == {
        "status": "ok",
        "queue_name": "ea2f39c0de9a4b9db6463123641631de",
        "partitions": 1,
        "type": "user",
        "consistency": "strong",
    }


def test_delete_queue(seed: Seed, app: App) -> None:
    seed.form("POST", f"/v1/{app.name}", {"queue_name": "q"}, **app.auth)
    response = seed.delete(f"/v1/{app.name}/q", **app.auth)
    assert response.status_code == 200
    assert body(response) == {"status": "ok"}


def test_get_messages(seed: Seed, app: App) -> None:
    seed.form("POST", f"/v1/{app.name}", {"queue_name": "q", "partitions": "2"}, **app.auth)
    seed.raw("POST", f"/v1/{app.name}/q", "jlaijwiel2432532jilj", HTTP_X_PARTITION="1", **app.auth)
    seed.raw("POST", f"/v1/{app.name}/q", "ion12oibasdfjioawneilnf", HTTP_X_PARTITION="2", **app.auth)
    response = seed.get(f"/v1/{app.name}/q", {"partitions": "1,2"}, **app.auth)
    assert response.status_code == 200
    data = body(response)
    assert data["status"] == "ok"
    assert [(m["body"], m["partition"]) for m in data["messages"]] == [
        ("jlaijwiel2432532jilj", 1),
        ("ion12oibasdfjioawneilnf", 2),
    ]
    for message in data["messages"]:
        assert set(message) == {"message_id", "timestamp", "body", "partition"}
        assert HEX32.fullmatch(message["message_id"]) and _is_timestamp(message["timestamp"])


def test_post_batch(seed: Seed, app: App) -> None:
    seed.form("POST", f"/v1/{app.name}", {"queue_name": "q", "partitions": "3"}, **app.auth)
    payload = {"messages": [{"body": "this is message 1", "ttl": 3600}, {"body": "this is message 2", "partition": 3}]}
    response = seed.json("POST", f"/v1/{app.name}/q", payload, **app.auth)
    assert response.status_code == 201
    data = body(response)
    assert data["status"] == "ok"
    assert [m["partition"] for m in data["messages"]][1] == 3
    for message in data["messages"]:
        assert set(message) == {"key", "timestamp", "partition"}
        assert HEX32.fullmatch(message["key"]) and _is_timestamp(message["timestamp"])
    assert Message.objects.count() == 2


def test_post_individual_message_as_seen_by_server(seed: Seed, app: App) -> None:
    seed.form("POST", f"/v1/{app.name}", {"queue_name": "ea2f39c0de9a4b9db6463123641631de", "partitions": "2"}, **app.auth)
    response = seed.raw(
        "POST",
        f"/v1/{app.name}/ea2f39c0de9a4b9db6463123641631de",
        b"A really cool message body to store.",
        content_type="application/text",
        HTTP_USER_AGENT="AwesomeClient",
        HTTP_X_TTL="3600",
        HTTP_X_PARTITION="2",
        **app.auth,
    )
    assert response.status_code == 201
    (message,) = body(response)["messages"]
    assert message["partition"] == 2 and HEX32.fullmatch(message["key"]) and _is_timestamp(message["timestamp"])
    stored = Message.objects.get()
    assert bytes(stored.body) == b"A really cool message body to store."
    assert stored.content_type == "application/text"


def test_get_messages_by_id(seed: Seed, app: App) -> None:
    seed.form("POST", f"/v1/{app.name}", {"queue_name": "q", "partitions": "2"}, **app.auth)
    one = body(seed.raw("POST", f"/v1/{app.name}/q", "jlaijwiel2432532jilj", HTTP_X_PARTITION="1", **app.auth))
    two = body(seed.raw("POST", f"/v1/{app.name}/q", "ion12oibasdfjioawneilnf", HTTP_X_PARTITION="2", **app.auth))
    ids = f"{one['messages'][0]['key']},2:{two['messages'][0]['key']}"
    response = seed.get(f"/v1/{app.name}/q/{ids}", **app.auth)
    assert response.status_code == 200
    data = body(response)
    assert [(m["message_id"], m["body"], m["partition"]) for m in data["messages"]] == [
        (one["messages"][0]["key"], "jlaijwiel2432532jilj", 1),
        (two["messages"][0]["key"], "ion12oibasdfjioawneilnf", 2),
    ]
    assert data["messages"][0]["timestamp"] == one["messages"][0]["timestamp"]


def test_put_message_as_seen_by_server(seed: Seed, app: App) -> None:
    # PUT /v1/my_application/somequeuename/2%38cc967e0cf1e45e3b0d4926c90057caf, as written:
    # the seed's "%3" (for "%3A") decodes to partition 2 glued to the id.
    mine = seed.client.post("/queuey/v1/my_application", **app.auth)  # not ours: 404
    assert mine.status_code == 404
    from queuey import services

    _, key = services.create_application("my_application")
    auth = {"HTTP_AUTHORIZATION": f"Application {key}"}
    seed.form("POST", "/v1/my_application", {"queue_name": "somequeuename", "partitions": "2"}, **auth)
    response = seed.client.generic(
        "PUT",
        "/queuey/v1/my_application/somequeuename/2%38cc967e0cf1e45e3b0d4926c90057caf",
        b"New text.",
        content_type="application/text",
        HTTP_X_TTL="3600",
        **auth,
    )
    assert response.status_code == 200
    assert body(response) == {"status": "ok"}
    stored = Message.objects.get()
    assert (stored.partition, stored.message_id, bytes(stored.body)) == (2, "8cc967e0cf1e45e3b0d4926c90057caf", b"New text.")

    response = seed.client.delete("/queuey/v1/my_application/somequeuename/2%38cc967e0cf1e45e3b0d4926c90057caf", **auth)
    assert response.status_code == 200
    assert body(response) == {"status": "ok"}
    assert not Message.objects.exists()


def test_delete_message_with_encoded_colon(seed: Seed, app: App) -> None:
    seed.form("POST", f"/v1/{app.name}", {"queue_name": "q", "partitions": "2"}, **app.auth)
    key = body(seed.raw("POST", f"/v1/{app.name}/q", "x", HTTP_X_PARTITION="2", **app.auth))["messages"][0]["key"]
    response = seed.client.delete(f"/queuey/v1/{app.name}/q/2%3A{key}", **app.auth)
    assert response.status_code == 200 and body(response) == {"status": "ok"}
    assert not Message.objects.exists()
