"""Posting and reading messages on the native surface."""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from queuey.models import Message
from tests.example_project.queuey.conftest import App, Seed, body


@pytest.fixture
def queue(seed: Seed, app: App) -> str:
    seed.form("POST", f"/v1/{app.name}", {"queue_name": "q", "partitions": "3"}, **app.auth)
    return f"/v1/{app.name}/q"


def post(seed: Seed, app: App, path: str, text: str, **headers: str) -> dict[str, Any]:
    response = seed.raw("POST", path, text, **headers, **app.auth)
    assert response.status_code == 201, response.content
    return body(response)["messages"][0]  # type: ignore[no-any-return]


def test_batch_with_one_bad_item_stores_nothing(seed: Seed, app: App, queue: str) -> None:
    payload = {"messages": [{"body": "fine", "partition": 1}, {"body": "bad", "partition": 4}, {"body": "fine too"}]}
    response = seed.json("POST", queue, payload, **app.auth)
    assert response.status_code == 400
    assert body(response) == {"status": "error", "error_msg": {"1.partition": "Must be at most 3"}}
    assert not Message.objects.exists()


def test_batch_reports_every_bad_field_by_index(seed: Seed, app: App, queue: str) -> None:
    payload = {"messages": [{"body": ""}, {"body": "x", "ttl": 0}, {"body": "y", "ttl": 33554433, "partition": "z"}]}
    response = seed.json("POST", queue, payload, **app.auth)
    assert response.status_code == 400
    assert set(body(response)["error_msg"]) == {"0.body", "1.ttl", "2.ttl", "2.partition"}
    assert body(response)["error_msg"]["0.body"] == "Required"


@pytest.mark.parametrize(
    ("payload", "key"),
    [({"message": []}, "InvalidParameter"), ({"messages": "x"}, "InvalidParameter"), ({"messages": []}, "InvalidParameter")],
)
def test_batch_needs_a_list_of_messages(seed: Seed, app: App, queue: str, payload: Any, key: str) -> None:
    response = seed.json("POST", queue, payload, **app.auth)
    assert response.status_code == 400 and list(body(response)["error_msg"]) == [key]


def test_invalid_json_is_invalid_parameter(seed: Seed, app: App, queue: str) -> None:
    response = seed.raw("POST", queue, "{nope", content_type="application/json", **app.auth)
    assert response.status_code == 400 and list(body(response)["error_msg"]) == ["InvalidParameter"]


@pytest.mark.parametrize(
    ("headers", "error"),
    [
        ({"HTTP_X_TTL": "0"}, "ttl"),
        ({"HTTP_X_TTL": "33554433"}, "ttl"),
        ({"HTTP_X_TTL": "soon"}, "ttl"),
        ({"HTTP_X_PARTITION": "0"}, "partition"),
        ({"HTTP_X_PARTITION": "4"}, "partition"),
    ],
)
def test_single_message_validation(seed: Seed, app: App, queue: str, headers: dict[str, str], error: str) -> None:
    response = seed.raw("POST", queue, "body", **headers, **app.auth)
    assert response.status_code == 400 and list(body(response)["error_msg"]) == [error]
    assert not Message.objects.exists()


def test_empty_body_is_required(seed: Seed, app: App, queue: str) -> None:
    response = seed.raw("POST", queue, b"", **app.auth)
    assert response.status_code == 400
    assert body(response) == {"status": "error", "error_msg": {"body": "Required"}}


def test_ttl_bounds_and_default(seed: Seed, app: App, queue: str) -> None:
    before = timezone.now()
    post(seed, app, queue, "default")
    post(seed, app, queue, "max", HTTP_X_TTL="33554432")
    post(seed, app, queue, "min", HTTP_X_TTL="1")
    stored = {bytes(m.body).decode(): m.expires_at - before for m in Message.objects.all()}
    assert timedelta(days=3) <= stored["default"] < timedelta(days=3, seconds=30)
    assert timedelta(seconds=33554432) <= stored["max"] < timedelta(seconds=33554432 + 30)
    assert stored["min"] < timedelta(seconds=30)


def test_partition_is_random_when_absent(seed: Seed, app: App, queue: str) -> None:
    seed.json("POST", queue, {"messages": [{"body": str(i)} for i in range(60)]}, **app.auth)
    counts = Counter(Message.objects.values_list("partition", flat=True))
    assert set(counts) == {1, 2, 3}


def test_content_type_recorded(seed: Seed, app: App, queue: str) -> None:
    post(seed, app, queue, "<p>hi</p>", content_type="text/html; charset=utf-8")
    assert Message.objects.get().content_type == "text/html; charset=utf-8"


def test_non_utf8_body_is_refused(seed: Seed, app: App, queue: str) -> None:
    response = seed.raw("POST", queue, b"\xff\xfe", content_type="application/octet-stream", **app.auth)
    assert response.status_code == 400 and list(body(response)["error_msg"]) == ["body"]


def test_timestamps_are_exact_literals(seed: Seed, app: App, queue: str) -> None:
    posted = post(seed, app, queue, "x", HTTP_X_PARTITION="1")
    raw = seed.get(queue, **app.auth).content.decode()
    text = str(posted["timestamp"])
    # The literal itself, whatever separators the JSON encoder writes.
    assert re.search(r'"timestamp"\s*:\s*' + re.escape(text) + r"[,}\s]", raw), raw
    assert re.fullmatch(r"[0-9]+\.[0-9]{7}", text)
    assert body(seed.get(queue, **app.auth))["messages"][0]["timestamp"] == posted["timestamp"]
    assert Decimal(text) * 10**7 == Message.objects.get().timestamp


def _ids(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [m["message_id"] for m in body(response)["messages"]]


def test_since_by_timestamp_and_by_id_are_inclusive(seed: Seed, app: App, queue: str) -> None:
    posted = [post(seed, app, queue, f"m{i}", HTTP_X_PARTITION="1") for i in range(5)]
    keys = [p["key"] for p in posted]
    assert _ids(seed.get(queue, {"since": str(posted[2]["timestamp"])}, **app.auth)) == keys[2:]
    assert _ids(seed.get(queue, {"since": keys[2]}, **app.auth)) == keys[2:]
    # One 100 ns unit later excludes it.
    later = posted[2]["timestamp"] + Decimal("0.0000001")
    assert _ids(seed.get(queue, {"since": str(later)}, **app.auth)) == keys[3:]
    assert _ids(seed.get(queue, {"since": "0"}, **app.auth)) == keys


def test_limit_and_order(seed: Seed, app: App, queue: str) -> None:
    keys = [post(seed, app, queue, f"m{i}", HTTP_X_PARTITION="1")["key"] for i in range(5)]
    assert _ids(seed.get(queue, {"limit": "2"}, **app.auth)) == keys[:2]
    assert _ids(seed.get(queue, {"order": "descending"}, **app.auth)) == keys[::-1]
    assert _ids(seed.get(queue, {"order": "descending", "limit": "2", "since": keys[1]}, **app.auth)) == keys[:2:-1][:2]
    for params, key in [({"limit": "0"}, "limit"), ({"limit": "1001"}, "limit"), ({"order": "up"}, "order"),
                        ({"since": "yesterday"}, "since"), ({"partitions": "1,9"}, "partitions")]:
        response = seed.get(queue, params, **app.auth)
        assert response.status_code == 400 and list(body(response)["error_msg"]) == [key], params


def test_partitions_answered_in_the_order_asked(seed: Seed, app: App, queue: str) -> None:
    one = [post(seed, app, queue, f"a{i}", HTTP_X_PARTITION="1")["key"] for i in range(2)]
    three = [post(seed, app, queue, f"c{i}", HTTP_X_PARTITION="3")["key"] for i in range(2)]
    assert _ids(seed.get(queue, **app.auth)) == one  # default: partition 1
    assert _ids(seed.get(queue, {"partitions": "3,1"}, **app.auth)) == three + one
    # limit applies per partition
    assert _ids(seed.get(queue, {"partitions": "1,3", "limit": "1"}, **app.auth)) == [one[0], three[0]]


def test_expired_messages_never_appear(seed: Seed, app: App, queue: str) -> None:
    gone = post(seed, app, queue, "gone", HTTP_X_PARTITION="1")["key"]
    kept = post(seed, app, queue, "kept", HTTP_X_PARTITION="1")["key"]
    Message.objects.filter(message_id=gone).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert _ids(seed.get(queue, **app.auth)) == [kept]
    assert _ids(seed.get(f"{queue}/{gone},{kept}", **app.auth)) == [kept]
    listed = body(seed.get(f"/v1/{app.name}", {"details": "1", "include_count": "1"}, **app.auth))["queues"]
    assert listed[0]["count"] == 1


def test_ttl_expires_in_real_time(seed: Seed, app: App, queue: str) -> None:
    import time

    key = post(seed, app, queue, "short", HTTP_X_TTL="1", HTTP_X_PARTITION="1")["key"]
    assert _ids(seed.get(queue, **app.auth)) == [key]
    time.sleep(1.1)
    assert _ids(seed.get(queue, **app.auth)) == []


def test_search_by_ids(seed: Seed, app: App, queue: str) -> None:
    a = post(seed, app, queue, "a", HTTP_X_PARTITION="1")["key"]
    c = post(seed, app, queue, "c", HTTP_X_PARTITION="3")["key"]
    missing = "0" * 32
    # Order asked, missing left out, partition 1 by default, wrong partition finds nothing.
    assert _ids(seed.get(f"{queue}/3:{c},{missing},{a}", **app.auth)) == [c, a]
    assert _ids(seed.get(f"{queue}/{c}", **app.auth)) == []
    assert _ids(seed.get(f"{queue}/{a.upper()}", **app.auth)) == [a]


@pytest.mark.parametrize("ids", ["xyz", "1:abc", "a" * 31, "a" * 33 + "g", ":" + "a" * 32, "0:" + "a" * 32, "a" * 32 + ",,"])
def test_malformed_ids_are_400(seed: Seed, app: App, queue: str, ids: str) -> None:
    for method in ("GET", "PUT", "DELETE"):
        response = seed.raw(method, f"{queue}/{ids}", "x", **app.auth)
        assert response.status_code == 400, (method, ids)
        assert list(body(response)["error_msg"]) == ["InvalidMessageID"]


def test_put_keeps_id_and_timestamp(seed: Seed, app: App, queue: str) -> None:
    posted = post(seed, app, queue, "old", HTTP_X_PARTITION="2", HTTP_X_TTL="60")
    key = posted["key"]
    response = seed.raw("PUT", f"{queue}/2:{key}", "new", content_type="text/plain", HTTP_X_TTL="7200", **app.auth)
    assert response.status_code == 200 and body(response) == {"status": "ok"}
    (message,) = body(seed.get(f"{queue}/2:{key}", **app.auth))["messages"]
    assert message == {"message_id": key, "timestamp": posted["timestamp"], "body": "new", "partition": 2}
    stored = Message.objects.get()
    assert stored.content_type == "text/plain"
    assert stored.expires_at - timezone.now() > timedelta(seconds=7000)


def test_put_creates_missing_messages(seed: Seed, app: App, queue: str) -> None:
    import uuid

    new = uuid.uuid1().hex
    response = seed.raw("PUT", f"{queue}/{new},3:{new}", "made", **app.auth)
    assert response.status_code == 200
    assert sorted(Message.objects.values_list("partition", "message_id")) == [(1, new), (3, new)]
    # A UUID1's own time becomes the message's time; `since` by that id finds it.
    assert _ids(seed.get(queue, {"since": new}, **app.auth)) == [new]
    bad = seed.raw("PUT", f"{queue}/4:{new}", "made", **app.auth)
    assert bad.status_code == 400 and list(body(bad)["error_msg"]) == ["partition"]
    empty = seed.raw("PUT", f"{queue}/{new}", b"", **app.auth)
    assert empty.status_code == 400 and body(empty)["error_msg"] == {"body": "Required"}


def test_delete_by_ids_unknown_ok(seed: Seed, app: App, queue: str) -> None:
    a = post(seed, app, queue, "a", HTTP_X_PARTITION="1")["key"]
    b = post(seed, app, queue, "b", HTTP_X_PARTITION="1")["key"]
    response = seed.delete(f"{queue}/{a},{'f' * 32}", **app.auth)
    assert response.status_code == 200 and body(response) == {"status": "ok"}
    assert list(Message.objects.values_list("message_id", flat=True)) == [b]


def test_lone_surrogates_in_a_json_batch_are_refused(seed: Seed, app: App, queue: str) -> None:
    # json.dumps writes the lone surrogate as the escape "\ud800": valid JSON, not Unicode text.
    # The JSON decoder refuses it for every service, before any field is looked at.
    for batch, surrogate in (
        ({"messages": [{"body": "fine"}, {"body": "bad \ud800 text"}]}, "\\ud800"),
        ({"messages": [{"body": "x", "content_type": "text/\udfff"}]}, "\\udfff"),
    ):
        response = seed.json("POST", queue, batch, **app.auth)
        assert (response.status_code, body(response)) == (400, {
            "status": "error",
            "error_msg": {"InvalidParameter": f"The request body is not valid JSON: a string holds a lone"
                                              f" surrogate ({surrogate}), which is not Unicode text"},
        })
    assert not Message.objects.exists()
    # Paired surrogates are one real character: stored as its UTF-8.
    emoji = seed.json("POST", queue, {"messages": [{"body": "\U0001f600"}]}, **app.auth)
    assert emoji.status_code == 201
    assert bytes(Message.objects.get().body) == "\U0001f600".encode()
