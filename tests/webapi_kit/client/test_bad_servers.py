"""Servers that do not speak the dialect, or break: clear exceptions, never a crash of the client's own code."""

from __future__ import annotations

import asyncio
import json
import socket

import pytest

from webapi_kit.client import (
    AsyncClient,
    Client,
    InvalidResponse,
    LinkNotFound,
    RateLimitExceeded,
    RetryPolicy,
    ServerError,
    TransportError,
)

from .servers import Reply, Request, serve

ROOT = {"stat": "ok", "links": {"self": {"href": "", "method": "GET"}}, "uri_templates": {}}


def _json(data: object, status: int = 200, **headers: str) -> Reply:
    return Reply(status, json.dumps(data).encode(), {"Content-Type": "application/json", **headers})


def test_a_body_that_is_not_json() -> None:
    with serve(lambda r: Reply(200, b"<html>hello</html>", {"Content-Type": "text/html"})) as server:
        with Client(server.url + "/api/") as client, pytest.raises(InvalidResponse) as bad:
            client.root()
    assert str(bad.value) == f"GET {server.url}/api/ answered 200 with text/html, not JSON or XML"
    assert (bad.value.status, bad.value.content_type) == (200, "text/html")


def test_json_that_does_not_parse() -> None:
    with serve(lambda r: Reply(200, b'{"stat": "ok", "links":', {"Content-Type": "application/json"})) as server:
        with Client(server.url + "/api/") as client, pytest.raises(InvalidResponse) as bad:
            client.root()
    assert "cannot be read: not valid JSON" in str(bad.value)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"[1, 2]", "the body is a JSON list, not an object"),
        (b'{"stat": "ok", "a": {}, "b": {}}', "carries several payloads (a, b)"),
        (b'{"stat": "ok", "item": {"links": {"self": "nope"}}}', "'links' is not a map of {href, method} objects"),
        (b'{"stat": "ok", "item": 3}', "the payload 'item' is neither an object nor a list"),
        (b'{"stat": "fail", "err": {"code": 1}}', "answered 200 with stat 'fail'"),
    ],
)
def test_json_that_is_not_the_dialect(body: bytes, message: str) -> None:
    with serve(lambda r: Reply(200, body, {"Content-Type": "application/json"})) as server:
        with Client(server.url + "/api/") as client, pytest.raises(InvalidResponse) as bad:
            client.root()
    assert message in str(bad.value)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<rsp><stat>ok</stat>", "not well-formed XML"),
        (b"<html><body>hi</body></html>", "the root element is <html>, not <rsp>"),
        # External entities are never resolved: the element stays empty.
        (b'<!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]><rsp><a>&e;</a></rsp>', "'a' is neither an object"),
    ],
)
def test_xml_that_is_not_the_dialect(body: bytes, message: str) -> None:
    with serve(lambda r: Reply(200, body, {"Content-Type": "application/xml"})) as server:
        with Client(server.url + "/api/", format="xml") as client, pytest.raises(InvalidResponse) as bad:
            client.root()
    assert message in str(bad.value)


def test_a_truncated_answer() -> None:
    raw = b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{"stat": "ok", "li'
    with serve(lambda r: Reply(raw=raw)) as server:
        with Client(server.url + "/api/") as client, pytest.raises(TransportError) as bad:
            client.root()
    assert bad.value.method == "GET" and "broke the connection" in str(bad.value)


def test_a_500_html_page() -> None:
    page = b"<html><h1>Server Error (500)</h1></html>"
    with serve(lambda r: Reply(500, page, {"Content-Type": "text/html"})) as server:
        with Client(server.url + "/api/") as client, pytest.raises(ServerError) as bad:
            client.root()
    assert (bad.value.status, bad.value.code, bad.value.msg) == (500, None, "Internal Server Error")
    assert str(bad.value) == f"500 Internal Server Error on GET {server.url}/api/"


def test_an_unknown_link() -> None:
    with serve(lambda r: _json(ROOT)) as server, Client(server.url + "/api/") as client:
        root = client.root()
        with pytest.raises(LinkNotFound) as missing:
            root.get_authors()
        assert str(missing.value) == "No link or template named 'authors' (available: self)"
        assert not hasattr(root, "get_authors")  # LinkNotFound is an AttributeError
        with pytest.raises(LinkNotFound):
            root.expand_template("author", author_id=1)
        with pytest.raises(AttributeError, match="has no field 'title'"):
            root.title  # noqa: B018


def test_connection_refused_is_raised_not_retried() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with Client(f"http://127.0.0.1:{port}/api/") as client, pytest.raises(TransportError) as refused:
        client.root()
    assert refused.value.url == f"http://127.0.0.1:{port}/api/" and "ConnectError" in str(refused.value)


def test_429_waits_for_retry_after_then_tries_again() -> None:
    answers = iter([_json({"stat": "fail", "err": {"code": 114}}, 429, **{"Retry-After": "0"})] * 2)

    def limited(request: Request) -> Reply:
        return next(answers, _json(ROOT))

    with serve(limited) as server, Client(server.url + "/api/") as client:
        assert client.root().links["self"]["method"] == "GET"
    assert len(server.requests) == 3


def test_429_gives_up_after_the_configured_retries() -> None:
    def limited(request: Request) -> Reply:
        return _json({"stat": "fail", "err": {"code": 114, "msg": "slow down"}}, 429, **{"Retry-After": "0"})

    with serve(limited) as server, Client(server.url + "/api/", retry=RetryPolicy(retries=2)) as client:
        with pytest.raises(RateLimitExceeded) as limit:
            client.root()
    assert len(server.requests) == 3 and limit.value.msg == "slow down" and limit.value.retry_after == 0.0


def test_async_client_raises_the_same() -> None:
    async def run(url: str) -> None:
        async with AsyncClient(url) as client:
            with pytest.raises(InvalidResponse):
                await client.root()

    with serve(lambda r: Reply(200, b"plain", {"Content-Type": "text/plain"})) as server:
        asyncio.run(run(server.url + "/api/"))
