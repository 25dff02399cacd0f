"""The data every fuzz example starts from: two owners, each with something on every service.

Alice's objects are the ones the fuzzer (acting as Bob, or as nobody) must
never read where the rules keep them private, nor change in any way; Bob's
are the ones it works on. Every secret stored (keys, passwords) and every
private text of Alice's is listed, so that no answer may show it.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.test import Client
from django.utils import timezone

from datarouter.models import Delivery, Feed, LogRecord, Publication, Subscription
from queuey import services as queuey_services
from queuey.models import Application, Message, Queue
from retry import services as retry_services
from retry.models import Attempt, Owner, RetryRequest

ALICE_OWNER, BOB_OWNER = "owner-alice", "owner-bob"
ALICE_USER, BOB_USER = "alice", "bob"
ALICE_APP, BOB_APP = "alice-app", "bob-app"
ALICE_QUEUE, BOB_QUEUE, BOB_PUBLIC_QUEUE = "aq", "bq", "bpub"

#: Texts only Alice's data holds, on the surfaces that keep it from others.
ALICE_PRIVATE = ["alice-private-url-7f3a", "alice-private-header-7f3a", "alice-private-message-7f3a"]

ALICE_ENDPOINT_PASSWORD = "alice-endpoint-pw-7f3a"
BOB_ENDPOINT_PASSWORD = "bob-endpoint-pw-7f3a"
ALICE_DELIVERY_PASSWORD = "alice-delivery-pw-7f3a"
BOB_DELIVERY_PASSWORD = "bob-delivery-pw-7f3a"

FEED_TYPE = "application/vnd.att-dr.feed"
SUB_TYPE = "application/vnd.att-dr.subscription"


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@dataclass(repr=False)
class World:
    target: str
    keys: dict[str, str] = field(default_factory=dict)
    ids: dict[str, list[str]] = field(default_factory=dict)
    retry_pks: set[int] = field(default_factory=set)
    publication_pks: set[int] = field(default_factory=set)
    #: What a test learns once and reuses across its examples (the API's templates).
    cache: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"World(target={self.target!r})"

    @property
    def secrets(self) -> list[str]:
        return [*self.keys.values(), ALICE_ENDPOINT_PASSWORD, BOB_ENDPOINT_PASSWORD, ALICE_DELIVERY_PASSWORD,
                BOB_DELIVERY_PASSWORD]

    @property
    def bob_basic(self) -> str:
        return basic("bobpub", BOB_ENDPOINT_PASSWORD)

    def bob_api_auth(self) -> dict[str, str]:
        """Bob's credentials for every service of the /api/ tree at once."""
        return {
            "HTTP_X_OWNER_ID": BOB_OWNER,
            "HTTP_AUTHORIZATION": f"Application {self.keys[BOB_APP]}",
            "HTTP_X_ATT_DR_ON_BEHALF_OF": BOB_USER,
        }


def alice_rows() -> Iterator[tuple[str, Any]]:
    """Querysets of everything Alice owns, on every service."""
    feeds = Feed.objects.filter(publisher=ALICE_USER)
    yield "retry.owner", Owner.objects.filter(owner_id=ALICE_OWNER)
    yield "retry.retryrequest", RetryRequest.objects.filter(owner_id=ALICE_OWNER)
    yield "retry.attempt", Attempt.objects.filter(request__owner_id=ALICE_OWNER)
    yield "queuey.application", Application.objects.filter(name=ALICE_APP)
    yield "queuey.queue", Queue.objects.filter(application__name=ALICE_APP)
    yield "queuey.message", Message.objects.filter(queue__application__name=ALICE_APP)
    yield "datarouter.feed", feeds
    yield "datarouter.subscription", Subscription.objects.filter(subscriber=ALICE_USER)
    yield "datarouter.publication", Publication.objects.filter(feed__in=feeds)
    yield "datarouter.delivery", Delivery.objects.filter(publication__feed__in=feeds)
    yield "datarouter.logrecord", LogRecord.objects.filter(feed_id__in=feeds.values("pk"))


def _retry(owner: str, marker: str, target: str) -> RetryRequest:
    accepted = retry_services.accept_request(owner, {
        "intervals": [3600, 7200],
        "request": {"url": f"{target}/{marker}", "method": "POST", "headers": {"X-Note": [marker]}, "body": marker},
    })
    Attempt.objects.create(request=accepted, index=0, scheduled_at=timezone.now(), started_at=timezone.now(),
                           finished_at=timezone.now(), duration=0.1, status_code=503)
    return accepted


def _created(response: Any) -> dict[str, Any]:
    assert response.status_code in (200, 201, 204), response.content
    return json.loads(response.content) if response.content else {}


def build(target: str) -> World:
    """Create both owners' data through the services and their native surfaces."""
    world = World(target=target)
    client = Client()

    requests = [_retry(ALICE_OWNER, "alice-private-url-7f3a", target), _retry(BOB_OWNER, "bob-url", target)]
    RetryRequest.objects.filter(pk=requests[0].pk).update(
        headers=[["X-Note", "alice-private-header-7f3a"]])
    world.ids["retry_request_id"] = [str(r.pk) for r in reversed(requests)]
    world.ids["retry_attempt_id"] = [str(a.pk) for a in Attempt.objects.order_by("-pk")]
    world.retry_pks = {r.pk for r in requests}

    for name in (ALICE_APP, BOB_APP):
        _, world.keys[name] = queuey_services.create_application(name)
    queues = [(BOB_APP, BOB_QUEUE, "user"), (BOB_APP, BOB_PUBLIC_QUEUE, "public"), (ALICE_APP, ALICE_QUEUE, "user")]
    for app, queue, kind in queues:
        _created(client.post(f"/queuey/v1/{app}", {"queue_name": queue, "partitions": "3", "type": kind},
                             HTTP_AUTHORIZATION=f"Application {world.keys[app]}"))
    for app, queue, text in [(BOB_APP, BOB_QUEUE, "bob-message"), (BOB_APP, BOB_PUBLIC_QUEUE, "bob-public"),
                             (ALICE_APP, ALICE_QUEUE, "alice-private-message-7f3a")]:
        _created(client.generic("POST", f"/queuey/v1/{app}/{queue}", text, content_type="text/plain",
                                HTTP_AUTHORIZATION=f"Application {world.keys[app]}"))
    world.ids["application_name"] = [BOB_APP, ALICE_APP]
    world.ids["queue_name"] = [BOB_QUEUE, BOB_PUBLIC_QUEUE, ALICE_QUEUE]
    world.ids["message_key"] = [m.key for m in Message.objects.order_by("-pk")]

    feeds: list[str] = []
    subs: list[str] = []
    for user, endpoint, password, delivery_password in [
        (BOB_USER, "bobpub", BOB_ENDPOINT_PASSWORD, BOB_DELIVERY_PASSWORD),
        (ALICE_USER, "alicepub", ALICE_ENDPOINT_PASSWORD, ALICE_DELIVERY_PASSWORD),
    ]:
        feed = {
            "name": f"{user}feed", "version": "v1", "description": "d", "business_description": "b",
            "suspend": False, "authorization": {"classification": "unclassified", "endpoint_addrs": [],
                                                "endpoint_ids": [{"id": endpoint, "password": password}]},
        }
        created = _created(client.post("/datarouter/", json.dumps(feed), content_type=FEED_TYPE,
                                        HTTP_X_ATT_DR_ON_BEHALF_OF=user))
        feed_id = created["links"]["self"].rsplit("/", 1)[1]
        sub = {"delivery": {"url": f"{target}/{user}-sub", "user": f"{user}del", "password": delivery_password,
                            "use100": False}, "metadataOnly": False, "groupid": 1, "subscriber": user}
        sub_created = _created(client.post(f"/datarouter/subscribe/{feed_id}", json.dumps(sub), content_type=SUB_TYPE,
                                           HTTP_X_ATT_DR_ON_BEHALF_OF=user))
        _created(client.generic("PUT", f"/datarouter/publish/{feed_id}/{user}-file", b"file of " + user.encode(),
                                content_type="text/plain", HTTP_AUTHORIZATION=basic(endpoint, password),
                                HTTP_X_ATT_DR_META='{"k": "v"}', REMOTE_ADDR="127.0.0.1"))
        feeds.append(feed_id)
        subs.append(sub_created["links"]["self"].rsplit("/", 1)[1])
    world.ids["feed_id"] = feeds
    world.ids["subscription_id"] = subs
    world.ids["sub_id"] = subs
    world.ids["publish_id"] = [str(p.pk) for p in Publication.objects.order_by("pk")]
    world.ids["log_id"] = [str(r.pk) for r in LogRecord.objects.order_by("pk")]
    world.ids["file_id"] = ["bob-file", "alice-file", "new-file", "a%20b", "%ff", "x" * 300]
    world.publication_pks = set(Publication.objects.values_list("pk", flat=True))
    return world
