"""Both surfaces share every access rule: the native /queuey/v1/ and the /api/ tree side by side.

App ``appa`` owns three queues: ``shared`` (``principles=app:appb``),
``pub`` (``type=public``) and ``user`` (neither). ``appb`` is the listed
principal, ``appc`` a third application, ``None`` an anonymous caller.

Natively every refusal is ``401 InvalidApplicationKey``. On /api/ a refusal
is ``401`` for an anonymous caller, ``403`` for an application that may see
the queue (its owner or a reader), and ``404`` for any other application.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from queuey.models import Message
from tests.example_project.queuey.conftest import App, Seed, body
from tests.example_project.users import challenges

API = "/api/queuey/applications/appa/queues"

NOT_FOUND = {"stat": "fail", "err": {"code": 100, "msg": "Object does not exist", "type": "resource-does-not-exist"}}
NOT_LOGGED_IN = {"stat": "fail", "err": {"code": 103, "msg": "You are not logged in", "type": "auth-not-logged-in"}}


def _forbidden(msg: str) -> dict[str, Any]:
    return {"stat": "fail", "err": {"code": 101, "msg": msg, "type": "resource-permission-denied"}}


class World:
    def __init__(self, seed: Seed, client: Client, make_app: Callable[[str], App]) -> None:
        self.seed, self.client = seed, client
        self.apps: dict[str | None, App | None] = {"appa": make_app("appa"), "appb": make_app("appb"),
                                                   "appc": make_app("appc"), None: None}
        owner = self.apps["appa"]
        assert owner is not None
        for name, options in [("shared", {"principles": "app:appb"}), ("pub", {"type": "public"}), ("user", {})]:
            assert seed.form("POST", "/v1/appa", {"queue_name": name, **options}, **owner.auth).status_code == 201
        # One message per queue, on partition 1.
        self.keys = {
            name: body(seed.raw("POST", f"/v1/appa/{name}", f"in {name}", **owner.auth))["messages"][0]["key"]
            for name in ("shared", "pub", "user")
        }

    def auth(self, who: str | None) -> dict[str, str]:
        app = self.apps[who]
        return app.auth if app is not None else {}


@pytest.fixture
def world(seed: Seed, client: Client, make_app: Callable[[str], App]) -> World:
    return World(seed, client, make_app)


def _native_denied(response: Any, msg: str) -> None:
    assert response.status_code == 401, response.content
    assert body(response) == {"status": "error", "error_msg": {"InvalidApplicationKey": msg}}
    assert response["WWW-Authenticate"] == 'Application realm="queuey"'


READ_NO = "This key may not read this queue"
NO_KEY = "A valid application key is required"


# (who, queue): who may read the messages; the /api/ refusal when not.
READS = [
    ("appa", "user", None),
    ("appa", "pub", None),
    ("appa", "shared", _forbidden(READ_NO)),  # the owner, not listed: sees the queue, may not read
    ("appb", "shared", None),
    ("appb", "user", NOT_FOUND),
    ("appc", "shared", NOT_FOUND),
    ("appc", "pub", None),
    (None, "pub", None),
    (None, "user", NOT_LOGGED_IN),
    (None, "shared", NOT_LOGGED_IN),
]


@pytest.mark.parametrize(("who", "queue", "api_refusal"), READS)
def test_reading_messages_by_time_and_by_id(world: World, who: str | None, queue: str, api_refusal: Any) -> None:
    key = world.keys[queue]
    auth = world.auth(who)
    native_list = world.seed.get(f"/v1/appa/{queue}", **auth)
    native_item = world.seed.get(f"/v1/appa/{queue}/1:{key}", **auth)
    api_list = world.client.get(f"{API}/{queue}/messages/", **auth)
    api_item = world.client.get(f"{API}/{queue}/messages/1:{key}/", **auth)
    if api_refusal is None:
        for response in (native_list, native_item):
            assert response.status_code == 200, response.content
            assert [(m["message_id"], m["body"]) for m in body(response)["messages"]] == [(key, f"in {queue}")]
        assert api_list.status_code == 200, api_list.content
        assert [(m["message_id"], m["body"]) for m in body(api_list)["queuey_messages"]] == [(key, f"in {queue}")]
        assert body(api_list)["total_results"] == 1
        assert api_item.status_code == 200, api_item.content
        assert body(api_item)["queuey_message"]["message_id"] == key
        return
    msg = READ_NO if who else NO_KEY
    _native_denied(native_list, msg)
    _native_denied(native_item, msg)
    for response in (api_list, api_item):
        assert body(response) == api_refusal, response.content
    status = {100: 404, 101: 403, 103: 401}[api_refusal["err"]["code"]]
    assert (api_list.status_code, api_item.status_code) == (status, status)
    if status == 401:
        # Basic first (what standard clients need), then the key's scheme.
        assert challenges(api_list) == ['Basic realm="Web API"', 'Application realm="Web API"', 'token realm="Web API"']


POST_NO = "This key does not belong to the application"

# (who, queue): only the owner posts; the /api/ refusal otherwise.
WRITES = [
    ("appa", "shared", None),
    ("appb", "shared", _forbidden(POST_NO)),  # a reader may see it, not write to it
    ("appc", "pub", _forbidden(POST_NO)),  # public: anyone sees it
    ("appc", "user", NOT_FOUND),
    (None, "pub", NOT_LOGGED_IN),
    (None, "user", NOT_LOGGED_IN),
]


@pytest.mark.parametrize(("who", "queue", "api_refusal"), WRITES)
def test_posting_messages(world: World, who: str | None, queue: str, api_refusal: Any) -> None:
    auth = world.auth(who)
    native = world.seed.raw("POST", f"/v1/appa/{queue}", "native", **auth)
    api = world.client.post(f"{API}/{queue}/messages/", json.dumps({"body": "api"}), content_type="application/json", **auth)
    bodies = set(Message.objects.filter(queue__name=queue).values_list("body", flat=True))
    if api_refusal is None:
        assert (native.status_code, api.status_code) == (201, 201), (native.content, api.content)
        assert {bytes(b) for b in bodies} == {f"in {queue}".encode(), b"native", b"api"}
        return
    _native_denied(native, POST_NO if who else NO_KEY)
    assert body(api) == api_refusal
    assert api.status_code == {100: 404, 101: 403, 103: 401}[api_refusal["err"]["code"]]
    assert {bytes(b) for b in bodies} == {f"in {queue}".encode()}


DELETE_NO = "This key may not delete from this queue"

# (who, queue): listed principals (else the owner) delete; the /api/ refusal otherwise.
DELETES = [
    ("appb", "shared", None),
    ("appa", "user", None),
    ("appa", "shared", _forbidden(READ_NO)),  # the owner cannot even read it
    ("appc", "pub", _forbidden(DELETE_NO)),  # reads a public queue, may not delete
    ("appc", "shared", NOT_FOUND),
    (None, "pub", NOT_LOGGED_IN),
]


@pytest.mark.parametrize(("who", "queue", "api_refusal"), DELETES)
def test_deleting_messages(world: World, who: str | None, queue: str, api_refusal: Any) -> None:
    key = world.keys[queue]
    auth = world.auth(who)
    if api_refusal is None:
        assert world.client.delete(f"{API}/{queue}/messages/1:{key}/", **auth).status_code == 204
        assert not Message.objects.filter(queue__name=queue).exists()
        # The native surface removes a fresh one the same way.
        owner = world.apps["appa"]
        assert owner is not None
        again = body(world.seed.raw("POST", f"/v1/appa/{queue}", "again", **owner.auth))["messages"][0]["key"]
        native = world.seed.delete(f"/v1/appa/{queue}/{again}", **auth)
        assert (native.status_code, body(native)) == (200, {"status": "ok"})
        assert not Message.objects.filter(queue__name=queue).exists()
        return
    _native_denied(world.seed.delete(f"/v1/appa/{queue}/{key}", **auth), DELETE_NO if who else NO_KEY)
    api = world.client.delete(f"{API}/{queue}/messages/1:{key}/", **auth)
    assert body(api) == api_refusal
    assert api.status_code == {100: 404, 101: 403, 103: 401}[api_refusal["err"]["code"]]
    assert Message.objects.filter(queue__name=queue).count() == 1


@pytest.mark.parametrize("who", ["appb", "appc", None])
def test_only_the_owner_sees_or_changes_the_queue_itself(world: World, who: str | None) -> None:
    auth = world.auth(who)
    native_list = world.seed.get("/v1/appa", **auth)
    _native_denied(native_list, POST_NO if who else NO_KEY)
    _native_denied(world.seed.form("PUT", "/v1/appa/shared", {"partitions": "3"}, **auth), POST_NO if who else NO_KEY)
    expected, status = (NOT_FOUND, 404) if who else (NOT_LOGGED_IN, 401)
    for response in (
        world.client.get(f"{API}/", **auth),
        world.client.get(f"{API}/shared/", **auth),
        world.client.get(f"{API}/pub/", **auth),
        world.client.put(f"{API}/shared/", json.dumps({"partitions": 3}), content_type="application/json", **auth),
        world.client.delete(f"{API}/pub/", **auth),
    ):
        assert (response.status_code, body(response)) == (status, expected)
    owner = world.apps["appa"]
    assert owner is not None
    listing = world.client.get(f"{API}/", **owner.auth)
    assert [q["name"] for q in body(listing)["queuey_queues"]] == ["pub", "shared", "user"]


def test_unknown_queue_is_404_before_credentials_on_both(world: World) -> None:
    response = world.seed.get("/v1/appa/nope")
    assert (response.status_code, body(response)) == (
        404, {"status": "error", "error_msg": {"InvalidQueueName": "No queue named 'nope'"}}
    )
    api = world.client.get(f"{API}/nope/messages/")
    assert api.status_code == 404
    assert body(api)["err"] == {"code": 100, "msg": "No queue named 'nope'", "type": "resource-does-not-exist"}
