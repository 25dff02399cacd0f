"""Helpers for the datarouter tests: sample bodies and a client that speaks the seed's headers."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

FEED_TYPE = "application/vnd.att-dr.feed"
SUB_TYPE = "application/vnd.att-dr.subscription"
BASE = "/datarouter/"


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    # Failed publish logins are counted in the cache; each test starts from none.
    cache.clear()


def feed_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Jettydemo",
        "version": "v1.0.0",
        "description": "Jettydemo",
        "business_description": "Jettydemo",
        "suspend": False,
        "changeowner": True,
        "authorization": {
            "classification": "unclassified",
            "endpoint_addrs": [],
            "endpoint_ids": [{"password": "password", "id": "user"}],
        },
    }
    body.update(overrides)
    return body


def sub_body(url: str = "http://172.18.0.3:7070/", **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "delivery": {"url": url, "user": "LOGIN", "password": "PASSWORD", "use100": False},
        "metadataOnly": False,
        "groupid": 1,
        "subscriber": "subuser",
    }
    body.update(overrides)
    return body


def basic(user: str = "user", password: str = "password") -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def _json(response: Any) -> Any:
    # The seed's types are JSON without "+json"; Django's client only decodes application/json.
    response.json = lambda: json.loads(response.content)
    return response


class DR:
    """The Django test client with the seed's headers filled in; ``.json()`` works on the seed's types."""

    def __init__(self, client: Client, user: str = "alice") -> None:
        self.client = client
        self.user = user

    def _headers(self, user: str | None, extra: dict[str, str]) -> dict[str, str]:
        headers = dict(extra)
        if user is not None:
            headers["X-ATT-DR-ON-BEHALF-OF"] = user
        return headers

    def create_feed(self, body: Any = None, *, user: str | None = "", content_type: str = FEED_TYPE, **extra: str) -> Any:
        data = body if isinstance(body, (str, bytes)) else json.dumps(body if body is not None else feed_body())
        return _json(self.client.post(BASE, data, content_type=content_type,
                                      headers=self._headers(self.user if user == "" else user, extra)))

    def feed(self, body: dict[str, Any] | None = None, **overrides: Any) -> dict[str, Any]:
        response = self.create_feed(body or feed_body(**overrides))
        assert response.status_code == 201, response.content
        return response.json()  # type: ignore[no-any-return]

    def request(self, method: str, path: str, body: Any = None, *, user: str | None = "",
                content_type: str | None = None, **extra: str) -> Any:
        data: Any = b""
        if body is not None:
            data = body if isinstance(body, (str, bytes)) else json.dumps(body)
        kwargs: dict[str, Any] = {"headers": self._headers(self.user if user == "" else user, extra)}
        if content_type is not None:
            kwargs["content_type"] = content_type
        return _json(self.client.generic(method, BASE + path, data, **kwargs))

    def subscribe(self, feed_id: int | str, body: dict[str, Any] | None = None, *, user: str | None = "") -> Any:
        return self.request("POST", f"subscribe/{feed_id}", body or sub_body(), user=user, content_type=SUB_TYPE)

    def sub(self, feed_id: int | str, body: dict[str, Any] | None = None, user: str | None = "") -> dict[str, Any]:
        response = self.subscribe(feed_id, body, user=user)
        assert response.status_code == 201, response.content
        return response.json()  # type: ignore[no-any-return]

    def publish(self, feed_id: int | str, file_id: str, data: bytes = b"hello", *, method: str = "PUT",
                auth: str | None = None, content_type: str = "application/octet-stream",
                remote_addr: str = "127.0.0.1", **extra: str) -> Any:
        headers = dict(extra)
        headers["Authorization"] = auth if auth is not None else basic()
        if auth == "":
            del headers["Authorization"]
        return _json(self.client.generic(method, f"{BASE}publish/{feed_id}/{file_id}", data,
                                         content_type=content_type, headers=headers, REMOTE_ADDR=remote_addr))


def feed_id(feed: dict[str, Any]) -> int:
    return int(feed["links"]["self"].rsplit("/", 1)[1])


def sub_id(sub: dict[str, Any]) -> int:
    return int(sub["links"]["self"].rsplit("/", 1)[1])


@pytest.fixture
def dr(client: Client) -> DR:
    return DR(client)
