"""The /api/ surface: feeds -> subscriptions, files, logs, in the default dialect, browsable by links."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from datarouter.models import Delivery, Feed, Publication

from webapi_kit.testing import APIClient, assert_links

from tests.example_project.users import challenges

from .conftest import basic, feed_body, sub_body

pytestmark = pytest.mark.django_db

OBO = {"X-ATT-DR-ON-BEHALF-OF": "alice"}


def _post(client: Client, url: str, body: dict[str, Any], **headers: str) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json", headers={**OBO, **headers})


@pytest.fixture
def client() -> Client:
    """Reads on /api/ need the on-behalf-of header, so this client always sends it."""
    return Client(headers=OBO)


def test_browse_from_the_root(api_client: APIClient) -> None:
    api_client.authenticate(headers=OBO)
    root = api_client.api_get("/api/")
    assert root.links["datarouter_feeds"]["href"] == "http://testserver/api/datarouter/feeds/"
    created = api_client.follow(api_client.follow(root, "datarouter_feeds"), "create", feed_body())
    feed = created.item
    assert feed["publisher"] == "alice"
    assert feed["endpoint_ids"] == ["user"]
    assert "password" not in created.response.content.decode()
    links = assert_links(
        created, ["self", "update", "delete", "datarouter_subscriptions", "datarouter_files", "datarouter_logs"]
    )
    listing = api_client.follow(root, "datarouter_feeds")
    assert listing["stat"] == "ok"
    assert [f["name"] for f in listing.items] == ["Jettydemo"]

    sub = api_client.follow(api_client.follow(created, "datarouter_subscriptions"), "create", sub_body())
    assert sub.item["delivery_user"] == "LOGIN"
    assert api_client.follow(created, "datarouter_subscriptions")["total_results"] == 1

    published = api_client.api_post(
        links["datarouter_files"]["href"],
        {"file_id": "sample.txt", "file": ("sample.txt", b"uploaded body", "text/plain"), "meta": '{"a": 1}'},
        headers={"Authorization": basic()},
    )
    item = published.item
    assert (item["file_id"], item["content_length"], item["content_type"], item["meta"]) == (
        "sample.txt", 13, "text/plain", '{"a": 1}'
    )
    publication = Publication.objects.get()
    assert (Path(settings.MEDIA_ROOT) / publication.storage_name).read_bytes() == b"uploaded body"
    assert Delivery.objects.count() == 1

    logs = api_client.api_get(links["datarouter_logs"]["href"], {"type": "pub"})
    assert [r["type"] for r in logs.items] == ["pub"]
    api_client.api_get(links["datarouter_logs"]["href"], {"type": "bogus"}, expected_status=400)


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
    anonymous = Client().post("/api/datarouter/feeds/", json.dumps(feed_body(version="2")),
                              content_type="application/json")
    assert anonymous.status_code == 401
    other = client.put(url, json.dumps(feed_body()), content_type="application/json",
                       headers={"X-ATT-DR-ON-BEHALF-OF": "bob"})
    assert other.status_code == 403
    assert other.json()["stat"] == "fail"
    assert client.delete(url, headers={"X-ATT-DR-ON-BEHALF-OF": "bob"}).status_code == 403
    assert client.delete(url, headers=OBO).status_code == 204
    assert client.get(url).status_code == 404


def test_put_changes_only_the_fields_given(client: Client) -> None:
    body = feed_body(group_id=7)
    body["authorization"]["endpoint_addrs"] = ["10.0.0.0/8"]
    feed = _post(client, "/api/datarouter/feeds/", body).json()["datarouter_feed"]
    url = feed["links"]["self"]["href"]

    response = client.put(url, json.dumps({"description": "Changed"}), content_type="application/json")
    assert response.status_code == 200, response.content
    changed = response.json()["datarouter_feed"]
    assert changed["description"] == "Changed"
    unchanged = {k: v for k, v in feed.items() if k not in ("description", "links")}
    assert {k: v for k, v in changed.items() if k in unchanged} == unchanged
    stored = Feed.objects.get(pk=feed["id"])
    assert (stored.group_id, stored.endpoint_addrs, stored.classification) == (7, ["10.0.0.0/8"], "unclassified")

    # Inside authorization too, and a known endpoint id keeps its password.
    response = client.put(url, json.dumps({"authorization": {"endpoint_addrs": []}}), content_type="application/json")
    assert response.status_code == 200, response.content
    stored.refresh_from_db()
    assert stored.endpoint_addrs == []
    assert [entry["id"] for entry in stored.endpoint_ids] == ["user"]
    assert Client().put(f"/datarouter/publish/{feed['id']}/f", b"x", content_type="text/plain",
                        headers={"Authorization": basic()}).status_code == 204

    # What is given is still checked.
    response = client.put(url, json.dumps({"suspend": "yes"}), content_type="application/json")
    assert (response.status_code, list(response.json()["fields"])) == (400, ["suspend"])
    response = client.put(url, json.dumps({"name": "Other"}), content_type="application/json")
    assert (response.status_code, response.json()["fields"]) == (400, {"name": ["May not be changed"]})


FIELD_ERROR = {"code": 105, "msg": "One or more fields had errors", "type": "request-field-error"}


def _everything(client: Client) -> dict[str, str]:
    """A feed with a subscription, a published file and a log record; the URL of each /api/ resource."""
    feed = _post(client, "/api/datarouter/feeds/", feed_body()).json()["datarouter_feed"]
    links = feed["links"]
    sub = _post(client, links["datarouter_subscriptions"]["href"], sub_body()).json()["datarouter_subscription"]
    upload = SimpleUploadedFile("f.txt", b"x")
    published = client.post(links["datarouter_files"]["href"], {"file_id": "f.txt", "file": upload},
                            headers={"Authorization": basic()})
    assert published.status_code == 201
    return {
        "feeds": "/api/datarouter/feeds/",
        "feed": links["self"]["href"],
        "subscriptions": links["datarouter_subscriptions"]["href"],
        "subscription": sub["links"]["self"]["href"],
        "files": links["datarouter_files"]["href"],
        "file": published.json()["datarouter_file"]["links"]["self"]["href"],
        "logs": links["datarouter_logs"]["href"],
    }


def test_anonymous_callers_are_refused_everywhere(client: Client) -> None:
    urls = _everything(client)
    anonymous = Client()
    attempts = [("GET", url) for url in urls.values()]
    attempts += [("PUT", urls["feed"]), ("DELETE", urls["feed"]), ("PUT", urls["subscription"]),
                 ("DELETE", urls["subscription"]), ("POST", urls["feeds"]), ("POST", urls["subscriptions"])]
    for method, url in attempts:
        body = json.dumps(feed_body(version="2") if url.endswith("feeds/") else sub_body())
        response = anonymous.generic(method, url, body if method in ("PUT", "POST") else "",
                                     content_type="application/json")
        assert response.status_code == 401, (method, url)
        if "/files/" in url:
            # There HTTP Basic carries a feed's endpoint credentials (to publish), not a user's.
            assert challenges(response) == ["X-ATT-DR-ON-BEHALF-OF", 'token realm="Web API"']
        else:
            assert challenges(response) == ['Basic realm="Web API"', "X-ATT-DR-ON-BEHALF-OF", 'token realm="Web API"']
        assert response.json() == {
            "stat": "fail",
            "err": {"code": 103, "msg": "Name the user you act for in X-ATT-DR-ON-BEHALF-OF",
                    "type": "auth-not-logged-in"},
        }, (method, url)
    # Nothing was changed by any of them.
    assert client.get(urls["feeds"]).json()["total_results"] == 1
    assert client.get(urls["subscriptions"]).json()["total_results"] == 1


def test_no_password_is_ever_shown(client: Client) -> None:
    urls = _everything(client)
    for url in urls.values():
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.content.decode()
        # sub_body's delivery password, feed_body's endpoint password, and its stored hash.
        assert "PASSWORD" not in text and '"password"' not in text and "pbkdf2" not in text, url


def test_bad_metadata_is_a_field_error_on_meta(client: Client) -> None:
    urls = _everything(client)
    upload = SimpleUploadedFile("g", b"x")
    response = client.post(urls["files"], {"file_id": "g", "file": upload, "meta": "[1]"},
                           headers={"Authorization": basic()})
    assert response.status_code == 400
    assert response.json() == {"stat": "fail", "err": FIELD_ERROR,
                               "fields": {"meta": ["X-ATT-DR-META must be a JSON object"]}}
    assert Publication.objects.count() == 1


def test_every_bad_log_filter_is_reported_at_once(client: Client) -> None:
    urls = _everything(client)
    response = client.get(urls["logs"] + "?type=x&publishId=abc&statusCode=zz&expiryReason=q")
    assert response.status_code == 400
    assert response.json() == {"stat": "fail", "err": FIELD_ERROR, "fields": {
        "type": ['"x" is not one of: pub, del, exp'],
        "publishId": ['"abc" is not a publish id (digits)'],
        "statusCode": ['"zz" is not an HTTP status code, -1, Success, Redirect or Failure'],
        "expiryReason": ['"q" is not one of: notRetryable, retriesExhausted'],
    }}
