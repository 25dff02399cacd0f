"""What the client sends: auth headers, session cookies and CSRF, query options, bodies, conditional headers."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from email.parser import BytesParser
from email.policy import HTTP

import pytest

from webapi_kit.client import AsyncClient, BasicAuth, Client, ClientError, HeaderAuth, Item, TokenAuth

from .servers import Reply, Request, Server, serve


def _api(base: Callable[[], str], extra: dict[str, object] | None = None) -> Callable[[Request], Reply]:
    """A tiny API: a root linking to /api/things/1/, which can be read, updated and deleted."""

    def handle(request: Request) -> Reply:
        url = base()
        thing = {"id": 1, "name": "one", "links": {
            "self": {"href": f"{url}/api/things/1/", "method": "GET"},
            "update": {"href": f"{url}/api/things/1/", "method": "PUT"},
            "delete": {"href": f"{url}/api/things/1/", "method": "DELETE"},
        }}
        if request.path.startswith("/api/things/1/"):
            if request.method == "DELETE":
                return Reply(204)
            if request.header("If-None-Match") == '"v1"':
                return Reply(304, headers={"ETag": '"v1"'})
            body = json.dumps({"stat": "ok", "thing": thing}).encode()
            return Reply(200, body, {"Content-Type": "application/vnd.test.thing+json", "ETag": '"v1"'})
        root = {"stat": "ok", "links": {"self": {"href": f"{url}/api/", "method": "GET"},
                                        "thing": {"href": f"{url}/api/things/1/", "method": "GET"},
                                        **(extra or {})}}
        # Extra links may name the server as "{url}".
        return Reply(200, json.dumps(root).replace("{url}", url).encode(), {"Content-Type": "application/json"})

    return handle


def _server(extra: dict[str, object] | None = None) -> tuple[list[Server], AbstractContextManager[Server]]:
    box: list[Server] = []
    context = serve(_api(lambda: box[0].url, extra))
    return box, context


@pytest.mark.parametrize(
    ("auth", "header", "expected"),
    [
        (TokenAuth("abc123"), "Authorization", "token abc123"),
        (TokenAuth("k", scheme="Application"), "Authorization", "Application k"),
        (BasicAuth("alice", "pw"), "Authorization", "Basic YWxpY2U6cHc="),
        (HeaderAuth({"X-Owner-ID": "alice"}), "X-Owner-ID", "alice"),
    ],
)
def test_auth_goes_on_every_request(auth: object, header: str, expected: str) -> None:
    box, context = _server()
    with context as server, Client(server.url + "/api/", auth=auth) as client:  # type: ignore[arg-type]
        box.append(server)
        client.root().get_thing()
    assert [r.header(header) for r in server.requests] == [expected, expected]


def test_token_auth_never_shows_the_token() -> None:
    assert repr(TokenAuth("s3cret")) == "TokenAuth(scheme='token')"
    with pytest.raises(ValueError):
        TokenAuth("a\r\nX-Evil: 1")


def test_query_options_are_spelled_the_dialect_way() -> None:
    box, context = _server()
    with context as server, Client(server.url + "/api/") as client:
        box.append(server)
        client.root().get_thing(expand=["author", "books"], only_fields="id", max_results=5, counts_only=True, skip=None)
    assert server.requests[-1].path == "/api/things/1/?expand=author%2Cbooks&only-fields=id&max-results=5&counts-only=1"


def test_query_options_replace_those_of_the_link_and_keep_the_rest() -> None:
    box, context = _server({"page": {"href": "{url}/api/things/1/?start=10&max-results=5&q=a", "method": "GET"}})
    with context as server, Client(server.url + "/api/") as client:
        box.append(server)
        client.root().get_page(max_results=2)
    assert server.requests[-1].path == "/api/things/1/?start=10&q=a&max-results=2"


def test_if_none_match_and_the_cache_and_if_match() -> None:
    box, context = _server()
    with context as server, Client(server.url + "/api/") as client:
        box.append(server)
        thing = client.root().get_thing()
        again = thing.refresh()
        assert isinstance(again, Item) and again.name == "one" and again.etag == '"v1"'
        assert server.requests[-1].header("If-None-Match") == '"v1"'
        updated = again.update(name="two")
        put = server.requests[-1]
        assert (put.method, put.header("If-Match"), put.header("Content-Type")) == ("PUT", '"v1"', "application/json")
        assert json.loads(put.body) == {"name": "two"} and updated.etag == '"v1"'
        again.delete()
        assert (server.requests[-1].method, server.requests[-1].header("If-Match")) == ("DELETE", '"v1"')


def _multipart(request: Request) -> dict[str, tuple[str | None, str | None, bytes]]:
    message = BytesParser(policy=HTTP).parsebytes(
        f"Content-Type: {request.header('Content-Type')}\r\n\r\n".encode() + request.body
    )
    parts = {}
    for part in message.iter_parts():  # type: ignore[attr-defined]
        parts[part.get_param("name", header="content-disposition")] = (
            part.get_filename(), part.get_content_type() if part.get_filename() else None, part.get_payload(decode=True),
        )
    return parts


def test_files_go_as_multipart_on_put_too() -> None:
    box, context = _server()
    with context as server, Client(server.url + "/api/") as client:
        box.append(server)
        thing = client.root().get_thing()
        thing.update(name="two", flag=True, empty=None, tags=["a"], photo=("p.png", b"\x89PNG", "image/png"))
    parts = _multipart(server.requests[-1])
    assert parts == {
        "name": (None, None, b"two"), "flag": (None, None, b"true"), "empty": (None, None, b""),
        "tags": (None, None, b'["a"]'), "photo": ("p.png", "image/png", b"\x89PNG"),
    }


def test_form_bodies_for_servers_without_json() -> None:
    box, context = _server()
    with context as server, Client(server.url + "/api/", body_format="form") as client:
        box.append(server)
        client.root().get_thing().update(name="two words", flag=False, meta={"a": 1})
    put = server.requests[-1]
    assert put.header("Content-Type") == "application/x-www-form-urlencoded"
    assert put.body == b"name=two+words&flag=false&meta=%7B%22a%22%3A+1%7D"


def _session_api(box: list[Server]) -> Callable[[Request], Reply]:
    """A root with a ``session`` link that starts a session on Basic credentials (as Review Board's)."""
    inner = _api(lambda: box[0].url, {"session": {"href": "", "method": "GET"}})

    def handle(request: Request) -> Reply:
        cookie = request.header("Cookie") or ""
        if request.path == "/api/session/":
            if request.header("Authorization") != "Basic YWxpY2U6cHc=":
                return Reply(401, b'{"stat": "fail", "err": {"code": 104, "msg": "no"}}',
                             {"Content-Type": "application/json", "WWW-Authenticate": "Basic"})
            return Reply(200, b'{"stat": "ok", "session": {"authenticated": true}}', {
                "Content-Type": "application/json", "Set-Cookie": "sessionid=s1; Path=/; HttpOnly",
            })
        if request.path.startswith("/api/things/") and "sessionid=s1" not in cookie:
            return Reply(401, b'{"stat": "fail", "err": {"code": 103}}', {"Content-Type": "application/json"})
        reply = inner(request)
        if request.path == "/api/":
            reply.headers["Set-Cookie"] = "csrftoken=tok; Path=/"
            reply.body = reply.body.replace(b'"session": {"href": ""', f'"session": {{"href": "{box[0].url}/api/session/"'.encode())
        return reply

    return handle


def test_session_login_keeps_cookies_and_sends_csrf() -> None:
    box: list[Server] = []
    with serve(_session_api(box)) as server, Client(server.url + "/api/") as client:
        box.append(server)
        client.login("alice", "pw")
        thing = client.root().get_thing()
        thing.update(name="x")
    login = next(r for r in server.requests if r.path == "/api/session/")
    assert login.header("Authorization") == "Basic YWxpY2U6cHc="
    after = server.requests[server.requests.index(login) + 1:]
    assert all(r.header("Authorization") is None and "sessionid=s1" in (r.header("Cookie") or "") for r in after)
    assert after[-1].method == "PUT" and after[-1].header("X-CSRFToken") == "tok"


def test_a_login_that_starts_no_session_is_an_error() -> None:
    box, context = _server()
    with context as server, Client(server.url + "/api/") as client:
        box.append(server)
        with pytest.raises(ClientError, match="started no session"):
            client.login("alice", "pw")


def test_async_session_login() -> None:
    box: list[Server] = []

    async def run(url: str) -> str:
        async with AsyncClient(url) as client:
            await client.login("alice", "pw")
            thing = await (await client.root()).get_thing()
            updated = await thing.update(name="y")
            return str(updated.name)

    with serve(_session_api(box)) as server:
        box.append(server)
        assert asyncio.run(run(server.url + "/api/")) == "one"
    put = server.requests[-1]
    assert (put.method, put.header("X-CSRFToken"), put.header("Authorization")) == ("PUT", "tok", None)
    assert "sessionid=s1" in (put.header("Cookie") or "")
