"""The /api/ tree: applications -> queues -> messages, in the default dialect."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from queuey.models import Message, Queue
from tests.example_project.queuey.conftest import App, Seed, body


def _get(client: Client, url: str, app: App) -> Any:
    response = client.get(url, **app.auth)
    assert response.status_code == 200, response.content
    return body(response)


def test_browse_by_links_from_the_root(client: Client, seed: Seed, app: App, other_app: App) -> None:
    seed.form("POST", f"/v1/{app.name}", {"queue_name": "q"}, **app.auth)
    seed.raw("POST", f"/v1/{app.name}/q", "hello", content_type="text/x-greeting", **app.auth)
    root = _get(client, "/api/", app)
    apps = _get(client, root["links"]["queuey_applications"]["href"], app)
    # Only itself.
    assert [a["name"] for a in apps["queuey_applications"]] == [app.name]
    queues = _get(client, apps["queuey_applications"][0]["links"]["queuey_queues"]["href"], app)
    (queue,) = queues["queuey_queues"]
    assert (queue["name"], queue["partitions"]) == ("q", 1) and "message_count" not in queue
    messages = _get(client, queue["links"]["queuey_messages"]["href"], app)
    (message,) = messages["queuey_messages"]
    assert message["body"] == "hello" and message["content_type"] == "text/x-greeting"
    assert isinstance(message["timestamp"], Decimal) and message["timestamp"].as_tuple().exponent == -7
    item = _get(client, message["links"]["self"]["href"], app)
    assert item["queuey_message"]["message_id"] == message["message_id"]


def test_other_applications_are_invisible(client: Client, seed: Seed, app: App, other_app: App) -> None:
    seed.form("POST", f"/v1/{app.name}", {"queue_name": "q"}, **app.auth)
    for url in [f"/api/queuey/applications/{app.name}/", f"/api/queuey/applications/{app.name}/queues/",
                f"/api/queuey/applications/{app.name}/queues/q/", f"/api/queuey/applications/{app.name}/queues/q/messages/"]:
        response = client.get(url, **other_app.auth)
        assert response.status_code == 404, url
    response = client.post(f"/api/queuey/applications/{app.name}/queues/", {"name": "x"}, **other_app.auth)
    assert response.status_code == 404
    assert client.get("/api/queuey/applications/").status_code == 401
    assert client.get("/api/queuey/applications/", HTTP_AUTHORIZATION="Application nope").status_code == 401


def test_create_update_delete_queue(client: Client, app: App) -> None:
    base = f"/api/queuey/applications/{app.name}/queues/"
    response = client.post(base, {"name": "jobs", "partitions": "2", "principles": "app:notifications"}, **app.auth)
    assert response.status_code == 201, response.content
    assert body(response)["queuey_queue"]["principles"] == ["app:notifications"]
    response = client.put(base + "jobs/", json.dumps({"partitions": 1}), content_type="application/json", **app.auth)
    assert response.status_code == 400 and "InvalidUpdate" in body(response)["fields"]
    response = client.put(base + "jobs/", json.dumps({"partitions": 4}), content_type="application/json", **app.auth)
    assert response.status_code == 200 and body(response)["queuey_queue"]["partitions"] == 4
    assert client.delete(base + "jobs/", **app.auth).status_code == 204
    assert not Queue.objects.exists()


def test_post_messages_by_multipart_field_file_and_json(client: Client, seed: Seed, app: App) -> None:
    seed.form("POST", f"/v1/{app.name}", {"queue_name": "q", "partitions": "2"}, **app.auth)
    url = f"/api/queuey/applications/{app.name}/queues/q/messages/"
    field = client.post(url, {"body": "from a field", "partition": "2", "ttl": "60"}, **app.auth)
    assert field.status_code == 201, field.content
    assert body(field)["queuey_message"]["partition"] == 2
    upload = SimpleUploadedFile("m.json", b'{"a": 1}', content_type="application/json")
    file = client.post(url, {"file": upload}, **app.auth)
    assert file.status_code == 201, file.content
    assert body(file)["queuey_message"]["content_type"] == "application/json"
    as_json = client.post(url, json.dumps({"body": "from json", "partition": 1}), content_type="application/json", **app.auth)
    assert as_json.status_code == 201
    assert as_json["Location"] == body(as_json)["queuey_message"]["links"]["self"]["href"]
    assert {bytes(m.body) for m in Message.objects.all()} == {b'{"a": 1}', b"from a field", b"from json"}
    bad = client.post(url, {"body": "x", "partition": "3"}, **app.auth)
    assert bad.status_code == 400 and "partition" in body(bad)["fields"]
    empty = client.post(url, {"ttl": "5"}, **app.auth)
    assert empty.status_code == 400 and body(empty)["fields"] == {"body": ["Required"]}


def test_delete_message(client: Client, seed: Seed, app: App) -> None:
    seed.form("POST", f"/v1/{app.name}", {"queue_name": "q"}, **app.auth)
    key = body(seed.raw("POST", f"/v1/{app.name}/q", "x", **app.auth))["messages"][0]["key"]
    url = f"/api/queuey/applications/{app.name}/queues/q/messages/1:{key}/"
    assert client.delete(url, **app.auth).status_code == 204
    assert client.get(url, **app.auth).status_code == 404


def test_lone_surrogates_are_refused(client: Client, seed: Seed, app: App) -> None:
    seed.form("POST", f"/v1/{app.name}", {"queue_name": "q"}, **app.auth)
    url = f"/api/queuey/applications/{app.name}/queues/"
    message = client.post(url + "q/messages/", json.dumps({"body": "\ud800"}), content_type="application/json", **app.auth)
    assert message.status_code == 400, message.content
    assert body(message) == {
        "stat": "fail",
        "err": {
            "code": 126,
            "msg": "The request body is not valid JSON: a string holds a lone surrogate (\\ud800), which is not"
                   " Unicode text",
            "type": "malformed-request",
        },
    }
    queue = client.post(url, json.dumps({"name": "q\udc00"}), content_type="application/json", **app.auth)
    assert queue.status_code == 400, queue.content
    assert body(queue)["err"]["code"] == 126
    assert not Message.objects.exists() and list(Queue.objects.values_list("name", flat=True)) == ["q"]


def _message_counts(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if "COUNT" in q["sql"].upper() and "queuey_message" in q["sql"]]


def test_message_count_only_when_asked(client: Client, seed: Seed, app: App) -> None:
    for name in ("a", "b"):
        seed.form("POST", f"/v1/{app.name}", {"queue_name": name}, **app.auth)
    for text in ("1", "2", "3"):
        seed.raw("POST", f"/v1/{app.name}/a", text, **app.auth)
    url = f"/api/queuey/applications/{app.name}/queues/"
    # The default list (a full page too) and the item never count messages.
    for target in (url, url + "?max-results=1", url + "a/"):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(target, **app.auth)
        assert response.status_code == 200, response.content
        assert _message_counts(queries) == [], target
        payload = body(response)
        for queue in payload.get("queuey_queues", [payload.get("queuey_queue")]):
            assert "message_count" not in queue
    # Asked: one grouped count for the list page, one count for the item.
    with CaptureQueriesContext(connection) as queries:
        listing = client.get(url, {"include_count": "1"}, **app.auth)
    assert [(q["name"], q["message_count"]) for q in body(listing)["queuey_queues"]] == [("a", 3), ("b", 0)]
    assert len(_message_counts(queries)) == 1
    with CaptureQueriesContext(connection) as queries:
        item = client.get(url + "a/", {"include_count": "true"}, **app.auth)
    assert body(item)["queuey_queue"]["message_count"] == 3
    assert len(_message_counts(queries)) == 1
    bad = client.get(url + "a/", {"include_count": "maybe"}, **app.auth)
    assert bad.status_code == 400 and body(bad)["fields"] == {"include_count": ['"maybe" is not a boolean']}
