"""The client against a real server process of the example project, by links only from /api/."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from datarouter.models import Feed, Publication
from queuey import services as queuey_services
from retry.models import RetryRequest
from tests.example_project.datarouter.conftest import feed_body
from webapi_kit.client import (
    AsyncClient,
    BasicAuth,
    Client,
    DoesNotExist,
    FieldError,
    HeaderAuth,
    Item,
    NotLoggedIn,
    PreconditionFailed,
    ResourceList,
    TokenAuth,
)

from .conftest import APIServer

pytestmark = [pytest.mark.slow]

OBO = HeaderAuth({"X-ATT-DR-ON-BEHALF-OF": "alice"})


def test_datarouter_create_read_update_upload_delete(api_server: APIServer) -> None:
    with Client(api_server.api, auth=OBO) as client:
        root = client.root()
        feeds = root.get_datarouter_feeds()
        assert isinstance(feeds, ResourceList) and len(feeds) == 0

        feed = feeds.create(**feed_body())
        assert (feed.name, feed.version, feed.publisher, feed.endpoint_ids) == ("Jettydemo", "v1.0.0", "alice", ["user"])
        assert feed.media_type == "application/vnd.webapi-kit.example.datarouter_feed+json"
        assert Feed.objects.get().name == "Jettydemo"

        # Read it on its own: now the client holds its ETag.
        current = feed.refresh()
        assert current.etag and current.id == feed.id

        # Someone else changes it; our copy is stale and the update is refused.
        with Client(api_server.api, auth=OBO) as other:
            theirs = other.get_item(current.self_url)
            changed = theirs.update(**feed_body(description="changed by another client"))
        assert changed.description == "changed by another client"
        with pytest.raises(PreconditionFailed) as refused:
            current.update(**feed_body(description="lost update"))
        assert refused.value.status == 412 and refused.value.code == 125
        assert Feed.objects.get().description == "changed by another client"

        # Reading again gives a fresh ETag; updates then chain on the returned copies.
        # (A datarouter feed's PUT takes the whole feed, as its native API does.)
        updated = current.refresh().update(**feed_body(description="mine"))
        assert updated.description == "mine" and updated.etag
        assert updated.update(**feed_body(business_description="v2")).business_description == "v2"

        # A file upload (multipart) through the files link, with the feed's endpoint credentials.
        with Client(api_server.api, auth=BasicAuth("user", "password"),
                    headers={"X-ATT-DR-ON-BEHALF-OF": "alice"}) as publisher:
            files = publisher.get_list(updated.href("datarouter_files"))
            published = files.create(file_id="report.txt", file=("report.txt", b"uploaded body", "text/plain"))
        assert (published.file_id, published.content_length, published.content_type) == ("report.txt", 13, "text/plain")
        publication = Publication.objects.get()
        assert (publication.file_id, publication.content_length) == ("report.txt", 13)
        assert [f.file_id for f in updated.get_datarouter_files()] == ["report.txt"]

        # Validation errors carry the fields.
        with pytest.raises(FieldError) as bad:
            feeds.create(name="x" * 30, version="v1")
        assert bad.value.code == 105 and "name" in bad.value.fields

        updated.refresh().delete()
        assert Feed.objects.get().deleted  # kept as a row, so its name and version are never reused
        with pytest.raises(DoesNotExist):
            client.get_item(updated.self_url)


def test_paging_through_a_thousand_items(api_server: APIServer) -> None:
    now = timezone.now()
    RetryRequest.objects.bulk_create(
        RetryRequest(owner_id="bulk", method="GET", url=f"http://example.invalid/{i}", intervals=[60],
                     accepted_at=now - timedelta(seconds=1000 - i), next_due_at=now + timedelta(days=1))
        for i in range(1000)
    )
    expected = list(RetryRequest.objects.filter(owner_id="bulk").values_list("id", flat=True))
    statuses: list[int] = []
    hooks = {"response": [lambda response: statuses.append(response.status_code)]}
    with Client(api_server.api, auth=HeaderAuth({"X-Owner-ID": "bulk"}), event_hooks=hooks) as client:
        requests = client.root().get_retry_requests(max_results=150)
        assert isinstance(requests, ResourceList)
        assert len(requests) == 1000 and len(requests.page) == 150
        seen = [item.id for item in requests]
        assert sorted(seen) == sorted(expected) and len(set(seen)) == 1000
        # Slices and indexes fetch only the pages they need.
        assert [item.id for item in requests[995:1000]] == seen[995:1000]
        assert requests[-1].id == seen[-1] and requests[0].id == seen[0]
        assert [item.id for item in requests[140:160]] == seen[140:160]
        assert len(list(requests.pages())) == 7
        # Paging again is served from the ETag cache: the server answers 304, no body.
        del statuses[:]
        assert [item.id for item in requests] == seen
        assert statuses == [304] * 6


def test_without_credentials_the_challenge_is_readable(api_server: APIServer) -> None:
    with Client(api_server.api) as client:
        with pytest.raises(NotLoggedIn) as refused:
            client.root().get_retry_requests()
    # One challenge per scheme, Basic first (httpx joins the headers with commas).
    assert refused.value.status == 401
    assert refused.value.challenge == 'Basic realm="Web API", X-Owner-ID, token realm="Web API"'


def test_queuey_tree_with_an_application_key_and_xml(api_server: APIServer) -> None:
    app, key = queuey_services.create_application("client-app")
    for fmt in ("json", "xml"):
        with Client(api_server.api, auth=TokenAuth(key, scheme="Application"), format=fmt) as client:  # type: ignore[arg-type]
            (application,) = client.root().get_queuey_applications()
            assert application.name == "client-app"
            queues = application.get_queuey_queues()
            queue = queues.create(queue_name=f"q-{fmt}", partitions=2)
            assert isinstance(queue, Item) and queue.partitions == 2
            assert queue.media_type == f"application/vnd.webapi-kit.example.queuey_queue+{fmt}"
            grown = queue.refresh().update(partitions=3)
            assert grown.partitions == 3
            messages = grown.get_queuey_messages()
            message = messages.create(body="hello")
            assert message.body == "hello"
            assert [m.body for m in grown.get_queuey_messages()] == ["hello"]
            grown.refresh().delete()
            with pytest.raises(DoesNotExist):
                client.get(grown.self_url)


def test_async_client_does_the_same_concurrently(api_server: APIServer) -> None:
    async def run() -> list[str]:
        async with AsyncClient(api_server.api, auth=HeaderAuth({"X-Owner-ID": "async"})) as client:
            root = await client.root()
            requests = await root.get_retry_requests()
            bodies = [
                {"intervals": [3600], "request": {"method": "POST", "url": f"http://example.invalid/{i}",
                                                  "headers": {"Content-Type": ["text/plain"]}, "body": f"n{i}"}}
                for i in range(20)
            ]
            created = await asyncio.gather(*(requests.create(**body) for body in bodies))
            assert sorted(item.self_url.split("/")[-2] for item in created) == sorted(str(item.id) for item in created)
            listing = await root.get_retry_requests(max_results=7)
            assert len(listing) == 20
            urls = [item.self_url async for item in listing]
            assert len(urls) == 20
            fresh = await asyncio.gather(*(item.refresh() for item in created[:5]))
            if connection.vendor == "sqlite":
                # Concurrent cancellations can find SQLite's file locked (the
                # server then answers 503): one after the other there.
                for item in fresh:
                    await item.delete()
            else:
                await asyncio.gather(*(item.delete() for item in fresh))
            states = await asyncio.gather(*(item.refresh() for item in created[:5]))
            return [item.state for item in states]

    assert asyncio.run(run()) == ["cancelled"] * 5
    assert RetryRequest.objects.filter(owner_id="async").count() == 20
