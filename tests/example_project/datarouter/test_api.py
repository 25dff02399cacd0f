"""The /api/ surface: feeds -> subscriptions, files, logs, in the default dialect, browsable by links."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from datarouter.models import Delivery, Publication

from .conftest import basic, feed_body, sub_body

pytestmark = pytest.mark.django_db

OBO = {"X-ATT-DR-ON-BEHALF-OF": "alice"}


def _post(client: Client, url: str, body: dict[str, Any], **headers: str) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json", headers={**OBO, **headers})


def test_browse_from_the_root(client: Client) -> None:
    root = client.get("/api/").json()
    feeds_url = root["links"]["datarouter_feeds"]["href"]
    assert feeds_url == "http://testserver/api/datarouter/feeds/"
    created = _post(client, feeds_url, feed_body())
    assert created.status_code == 201
    feed = created.json()["datarouter_feed"]
    assert feed["publisher"] == "alice"
    assert feed["endpoint_ids"] == ["user"]
    assert "password" not in created.content.decode()
    links = feed["links"]
    assert set(links) >= {"self", "update", "delete", "datarouter_subscriptions", "datarouter_files", "datarouter_logs"}
    listing = client.get(feeds_url).json()
    assert listing["stat"] == "ok"
    assert [f["name"] for f in listing["datarouter_feeds"]] == ["Jettydemo"]

    subs_url = links["datarouter_subscriptions"]["href"]
    sub = _post(client, subs_url, sub_body())
    assert sub.status_code == 201
    assert sub.json()["datarouter_subscription"]["delivery_user"] == "LOGIN"
    assert client.get(subs_url).json()["total_results"] == 1

    files_url = links["datarouter_files"]["href"]
    upload = SimpleUploadedFile("sample.txt", b"uploaded body", content_type="text/plain")
    published = client.post(files_url, {"file_id": "sample.txt", "file": upload, "meta": '{"a": 1}'},
                            headers={"Authorization": basic()})
    assert published.status_code == 201, published.content
    item = published.json()["datarouter_file"]
    assert (item["file_id"], item["content_length"], item["content_type"], item["meta"]) == (
        "sample.txt", 13, "text/plain", '{"a": 1}'
    )
    publication = Publication.objects.get()
    assert (Path(settings.MEDIA_ROOT) / publication.storage_name).read_bytes() == b"uploaded body"
    assert Delivery.objects.count() == 1

    logs = client.get(links["datarouter_logs"]["href"] + "?type=pub").json()
    assert [r["type"] for r in logs["datarouter_logs"]] == ["pub"]
    assert client.get(links["datarouter_logs"]["href"] + "?type=bogus").status_code == 400


def test_api_publish_checks_the_endpoint_credentials(client: Client) -> None:
    feed = _post(client, "/api/datarouter/feeds/", feed_body()).json()["datarouter_feed"]
    url = feed["links"]["datarouter_files"]["href"]
    upload = SimpleUploadedFile("f", b"x")
    assert client.post(url, {"file_id": "f", "file": upload}).status_code == 401
    upload = SimpleUploadedFile("f", b"x")
    assert client.post(url, {"file_id": "f", "file": upload}, headers={"Authorization": basic("user", "no")}).status_code == 403
    assert client.post(url, {"file_id": "f"}, headers={"Authorization": basic()}).status_code == 400


def test_api_owner_rules(client: Client) -> None:
    feed = _post(client, "/api/datarouter/feeds/", feed_body()).json()["datarouter_feed"]
    url = feed["links"]["self"]["href"]
    assert client.post("/api/datarouter/feeds/", json.dumps(feed_body(version="2")),
                       content_type="application/json").status_code == 400
    other = client.put(url, json.dumps(feed_body()), content_type="application/json",
                       headers={"X-ATT-DR-ON-BEHALF-OF": "bob"})
    assert other.status_code == 403
    assert other.json()["stat"] == "fail"
    assert client.delete(url, headers={"X-ATT-DR-ON-BEHALF-OF": "bob"}).status_code == 403
    assert client.delete(url, headers=OBO).status_code == 204
    assert client.get(url).status_code == 404
