"""Real answers of every API of the example project, checked against its own OpenAPI document.

schemathesis does this at random in CI; these walk the common paths on
purpose (with real objects: pages, items, files, logs, errors), so a
declaration that lies fails here first.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from jsonschema import Draft202012Validator

from queuey import services as queuey_services

pytestmark = pytest.mark.django_db

FEED = {
    "name": "Jettydemo", "version": "v1.0.0", "description": "d", "business_description": "b",
    "authorization": {"classification": "unclassified", "endpoint_addrs": ["10.0.0.0/8"],
                      "endpoint_ids": [{"password": "password", "id": "user"}]},
}
SUB = {"delivery": {"url": "http://172.18.0.3:7070/", "user": "LOGIN", "password": "PASSWORD", "use100": False}}


class Checked:
    """A client whose every answer must be what the document of its API says."""

    def __init__(self, client: Client, schema_url: str, **headers: str) -> None:
        self.client = client
        self.prefix = schema_url.removesuffix("openapi.json")
        self.document = client.get(schema_url).json()
        self.headers = headers
        self.checked = 0

    def _resolve(self, node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            target: Any = self.document
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part]
            node = target
        return node

    def call(self, method: str, template: str, path: str | None = None, *, expect: int, **kwargs: Any) -> Any:
        cache.clear()  # throttles and failed-login counts start afresh
        response = getattr(self.client, method.lower())(self.prefix + (path or template).lstrip("/"), **self.headers, **kwargs)
        assert response.status_code == expect, response.content
        self.checked += 1
        operation = self.document["paths"][template][method.lower()]
        status = str(response.status_code)
        answers = operation["responses"]
        answer = self._resolve(answers.get(status) or answers.get(status[0] + "XX") or answers["default"])
        for name, header in answer.get("headers", {}).items():
            if header.get("required"):
                assert response.has_header(name), f"{method} {template} {status}: no {name}"
        if "content" not in answer:
            assert not response.content, f"{method} {template} {status}: a body where none is documented"
            return None
        media_type = response["Content-Type"].split(";")[0]
        assert media_type in answer["content"], f"{method} {template} {status}: {media_type} undocumented"
        body = json.loads(response.content)
        schema = {**answer["content"][media_type]["schema"], "components": self.document["components"]}
        errors = sorted(Draft202012Validator(schema).iter_errors(body), key=str)
        assert not errors, f"{method} {template} {status}: {errors[0].message} at {list(errors[0].absolute_path)}"
        return body


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def test_datarouter_in_the_api_tree(client: Client) -> None:
    api = Checked(client, "/api/openapi.json", HTTP_X_ATT_DR_ON_BEHALF_OF="alice")
    feed = api.call("POST", "/datarouter/feeds/", expect=201, data=FEED, content_type="application/json")
    feed_id = str(feed["datarouter_feed"]["id"])
    api.call("GET", "/datarouter/feeds/", expect=200)
    api.call("GET", "/datarouter/feeds/", "/datarouter/feeds/?counts-only=1", expect=200)
    api.call("GET", "/datarouter/feeds/{feed_id}/", f"/datarouter/feeds/{feed_id}/?expand=datarouter_subscriptions",
             expect=200)
    sub = api.call("POST", "/datarouter/feeds/{feed_id}/subscriptions/", f"/datarouter/feeds/{feed_id}/subscriptions/",
                   expect=201, data=SUB, content_type="application/json")
    sub_id = sub["datarouter_subscription"]["id"]
    api.call("GET", "/datarouter/feeds/{feed_id}/subscriptions/{subscription_id}/",
             f"/datarouter/feeds/{feed_id}/subscriptions/{sub_id}/", expect=200)
    api.call("POST", "/datarouter/feeds/{feed_id}/files/", f"/datarouter/feeds/{feed_id}/files/", expect=201,
             data={"file_id": "a.txt", "file": _upload()}, HTTP_AUTHORIZATION=basic("user", "password"),
             REMOTE_ADDR="10.1.2.3")
    api.call("GET", "/datarouter/feeds/{feed_id}/files/", f"/datarouter/feeds/{feed_id}/files/", expect=200)
    api.call("GET", "/datarouter/feeds/{feed_id}/logs/", f"/datarouter/feeds/{feed_id}/logs/", expect=200)
    api.call("GET", "/datarouter/feeds/{feed_id}/", "/datarouter/feeds/999999/", expect=404)
    api.call("POST", "/datarouter/feeds/", expect=400, data={}, content_type="application/json")
    api.call("POST", "/datarouter/feeds/", expect=405, data={"_method": "PUT"})  # no PUT on the list
    api.call("DELETE", "/datarouter/feeds/{feed_id}/", f"/datarouter/feeds/{feed_id}/", expect=204)
    assert api.checked == 13


def _upload() -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("a.txt", b"hello", content_type="text/plain")


def test_retry_and_queuey_in_the_api_tree(client: Client) -> None:
    api = Checked(client, "/api/openapi.json", HTTP_X_OWNER_ID="owner-1")
    submitted = api.call("POST", "/retry/requests/", expect=201, content_type="application/json",
                         data={"intervals": [60], "request": {"url": "http://example.org/", "method": "GET"}})
    key = submitted["retry_request"]["id"]
    api.call("GET", "/retry/requests/", "/retry/requests/?state=pending", expect=200)
    api.call("GET", "/retry/requests/{retry_request_id}/attempts/", f"/retry/requests/{key}/attempts/", expect=200)
    api.call("DELETE", "/retry/requests/{retry_request_id}/", f"/retry/requests/{key}/", expect=200)
    api.call("GET", "/retry/requests/{retry_request_id}/", "/retry/requests/999999/", expect=404)
    anonymous = Checked(client, "/api/openapi.json")
    anonymous.call("GET", "/retry/requests/", expect=401)

    application, secret = queuey_services.create_application("shop")
    queuey = Checked(client, "/api/openapi.json", HTTP_AUTHORIZATION=f"Application {secret}")
    base = "/queuey/applications/{application_name}/queues/"
    queuey.call("POST", base, "/queuey/applications/shop/queues/", expect=201, data={"name": "orders"})
    queuey.call("GET", base, "/queuey/applications/shop/queues/?include_count=1", expect=200)
    message = queuey.call("POST", base + "{queue_name}/messages/", "/queuey/applications/shop/queues/orders/messages/",
                          expect=201, data={"body": "hello"})
    href = message["queuey_message"]["links"]["self"]["href"]
    message_key = href.rstrip("/").rsplit("/", 1)[1]
    queuey.call("GET", base + "{queue_name}/messages/{message_key}/",
                f"/queuey/applications/shop/queues/orders/messages/{message_key}/", expect=200)
    queuey.call("GET", base + "{queue_name}/messages/", "/queuey/applications/shop/queues/orders/messages/", expect=200)
    queuey.call("GET", "/queuey/applications/{application_name}/", "/queuey/applications/other/", expect=404)


def test_the_native_surfaces(client: Client) -> None:
    retry = Checked(client, "/retry/openapi.json", HTTP_X_OWNER_ID="owner-1")
    retry.call("POST", "/requests/", expect=200, content_type="application/json",
               data={"intervals": [60], "request": {"url": "http://example.org/", "method": "GET"}})
    page = retry.call("GET", "/requests/", expect=200)
    request_id = page["requests"][0]["id"]
    retry.call("GET", "/requests/{request_id}/", f"/requests/{request_id}/", expect=200)
    retry.call("DELETE", "/requests/{request_id}/", f"/requests/{request_id}/", expect=200)
    retry.call("GET", "/health", expect=200)
    retry.call("POST", "/requests/", expect=400, data="not json", content_type="application/json")

    datarouter = Checked(client, "/datarouter/openapi.json", HTTP_X_ATT_DR_ON_BEHALF_OF="alice")
    feed = datarouter.call("POST", "/", expect=201, data=json.dumps(FEED), content_type="application/vnd.att-dr.feed")
    feed_id = feed["links"]["self"].rsplit("/", 1)[1]
    datarouter.call("GET", "/feed/{feed_id}", f"/feed/{feed_id}", expect=200)
    datarouter.call("POST", "/subscribe/{feed_id}", f"/subscribe/{feed_id}", expect=201, data=json.dumps(SUB),
                    content_type="application/vnd.att-dr.subscription")
    datarouter.call("GET", "/subscribe/{feed_id}", f"/subscribe/{feed_id}", expect=200)
    datarouter.call("PUT", "/publish/{feed_id}/{file_id}", f"/publish/{feed_id}/a.txt", expect=204, data=b"hello",
                    content_type="text/plain", HTTP_AUTHORIZATION=basic("user", "password"), REMOTE_ADDR="10.1.2.3")
    datarouter.call("GET", "/feedlog/{feed_id}", f"/feedlog/{feed_id}", expect=200)
    datarouter.call("GET", "/feed/{feed_id}", "/feed/999999", expect=404)
    datarouter.call("POST", "/", expect=415, data=FEED, content_type="application/json")

    application, secret = queuey_services.create_application("shop")
    queuey = Checked(client, "/queuey/openapi.json", HTTP_AUTHORIZATION=f"Application {secret}")
    queuey.call("POST", "/v1/{application}", "/v1/shop", expect=201, data={"queue_name": "orders"})
    queuey.call("GET", "/v1/{application}", "/v1/shop?details=true", expect=200)
    queuey.call("POST", "/v1/{application}/{queue_name}", "/v1/shop/orders", expect=201, data=b"hello",
                content_type="text/plain")
    queuey.call("GET", "/v1/{application}/{queue_name}", "/v1/shop/orders", expect=200)
    queuey.call("DELETE", "/v1/{application}/{queue_name}", "/v1/shop/orders", expect=200)
    queuey.call("GET", "/v1/{application}", "/v1/nobody", expect=404)
    assert retry.checked + datarouter.checked + queuey.checked == 20
