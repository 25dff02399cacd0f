"""The /api/ tree: every resource the root announces, fuzzed as Bob.

The endpoints are not listed here: they are the root's ``uri_templates``
(one test per template, so each resource gets its share of examples), and
the root's links are walked, so a resource added to the tree is fuzzed
without touching this file. Ids are Bob's, Alice's or junk.
"""

from __future__ import annotations

import json
import re
from http import HTTPStatus
from typing import Any
from urllib.parse import quote, urlsplit

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from config.api import api

from . import bodies, formats
from .conftest import examples
from .delivery import Recorder, check_publications, check_retry_requests
from .harness import Answer, Call, Fuzzer, fail
from .strategies import DIALECT_KEYS, FORM, JSON, QUERY_VALUES, methods, content_type_for, encode, header_junk, mutated, path_id
from .strategies import call as make_call
from .world import ALICE_PRIVATE, World, alice_rows

_VARIABLE = re.compile(r"\{([^}]+)\}")

#: What the root's ``uri_templates`` lists (checked against the live root below).
TEMPLATES = sorted((name, urlsplit(url).path) for name, url in api.uri_templates("http://testserver/api/").items())


def api_fuzzer(world: World) -> Fuzzer:
    return Fuzzer("api", error_format=formats.api_tree, secrets=world.secrets, private=ALICE_PRIVATE,
                  others_rows=alice_rows)


def _get(fuzzer: Fuzzer, path: str, auth: dict[str, str]) -> Answer:
    return fuzzer.send(Call("GET", path, environ={**auth, "HTTP_ACCEPT": "application/json"}))


def templates(fuzzer: Fuzzer, world: World) -> list[tuple[str, str]]:
    """(name, path template) of every resource the root announces."""
    answer = _get(fuzzer, "/api/", world.bob_api_auth())
    assert answer.status == HTTPStatus.OK, answer.describe()
    return sorted((name, urlsplit(url).path) for name, url in json.loads(answer.content)["uri_templates"].items())


def _hrefs(value: Any) -> list[str]:
    if isinstance(value, dict):
        found = [value["href"]] if isinstance(value.get("href"), str) and value.get("method") == "GET" else []
        return found + [href for item in value.values() for href in _hrefs(item)]
    if isinstance(value, list):
        return [href for item in value for href in _hrefs(item)]
    return []


_RESOURCE_PATHS = [re.compile("^" + _VARIABLE.sub("[^/]+", re.escape(t).replace(r"\{", "{").replace(r"\}", "}")) + "$")
                   for _, t in TEMPLATES]


def _is_resource(path: str) -> bool:
    """Whether ``path`` is one of the tree's resources (the root also links documents for people)."""
    return any(pattern.match(path) for pattern in _RESOURCE_PATHS)


def walk(fuzzer: Fuzzer, world: World, limit: int = 120) -> list[str]:
    """Every path reachable by GET links from /api/ as Bob (by the services' headers).

    Each must answer 200, or 401 with a challenge where only a site user
    may go (API tokens, the login session): Bob's headers name no user.
    """
    seen: list[str] = []
    queue = ["/api/"]
    while queue and len(seen) < limit:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.append(path)
        answer = _get(fuzzer, path, world.bob_api_auth())
        if answer.status == HTTPStatus.UNAUTHORIZED and answer.headers.get("www-authenticate"):
            continue
        if answer.status != HTTPStatus.OK:
            fail(answer, "a link from the root does not answer 200")
        for href in _hrefs(json.loads(answer.content)):
            parts = urlsplit(href)
            if _is_resource(parts.path) and parts.path not in seen:
                queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return seen


def test_every_link_from_the_root_answers(world: World) -> None:
    fuzzer = api_fuzzer(world)
    names = {name for name, _ in templates(fuzzer, world)}
    assert templates(fuzzer, world) == TEMPLATES
    seen = walk(fuzzer, world)
    # Bob has data on every service, so every list resource is reached by links.
    for name, template in templates(fuzzer, world):
        if "{" not in template:
            assert template in seen, (name, template)
    assert len(names) >= 19 and len(seen) > len(names)


# ----------------------------------------------------------------------
# Bodies and credentials per resource.


@st.composite
def _upload(draw: st.DrawFn) -> tuple[bytes, str, dict[str, Any]]:
    fields: dict[str, Any] = {
        "file_id": draw(st.one_of(st.sampled_from(["f1", "a/b", "", "é", "x" * 300, "bob-file"]), bodies.text())),
        "meta": draw(st.sampled_from(bodies.META_VALUES)),
    }
    content = draw(st.binary(max_size=64))
    content_type = draw(st.sampled_from(["text/plain", "application/octet-stream", "text/plain; charset=é", "x", "a/b\x01"]))
    fields["file"] = SimpleUploadedFile("f.bin", content, content_type=content_type)
    for name in draw(st.lists(st.sampled_from(["file_id", "meta", "file"]), max_size=1)):
        del fields[name]
    for name, value in list(fields.items()):
        if isinstance(value, str):
            fields[name] = value.encode("utf-8", "surrogatepass")
    note = {"meta": fields.get("meta", b"").decode("latin-1"), "content_type": content_type.encode().decode("latin-1"),
            "body": content}
    return encode_multipart(BOUNDARY, fields), MULTIPART_CONTENT, note


@st.composite
def api_body(draw: st.DrawFn, name: str, world: World) -> tuple[bytes, str | None, dict[str, Any]]:
    if name.startswith("datarouter_file") and draw(st.integers(min_value=0, max_value=3)):
        return draw(_upload())
    if name.startswith("retry_request"):
        plausible = bodies.retry_submission(world.target)
    elif name.startswith("queuey_queue"):
        plausible = bodies.queuey_queue(native=False)
    elif name.startswith("queuey_message"):
        plausible = bodies.queuey_message()
    elif name.startswith("datarouter_feed"):
        plausible = bodies.datarouter_feed()
    elif name.startswith("datarouter_subscription"):
        plausible = bodies.datarouter_subscription(world.target)
    else:
        plausible = st.fixed_dictionaries({}, optional={"name": bodies.text(), "id": st.integers()})
    natural = draw(st.sampled_from([JSON, JSON, FORM, MULTIPART_CONTENT]))
    data, _ = encode(draw, draw(mutated(plausible)), natural)
    return data, content_type_for(draw, natural if data else ""), {}


@st.composite
def api_auth(draw: st.DrawFn, name: str, world: World) -> dict[str, str]:
    auth = world.bob_api_auth()
    choice = draw(st.integers(min_value=0, max_value=9))
    if name.startswith("datarouter_file") and choice < 6:
        auth["HTTP_AUTHORIZATION"] = world.bob_basic
    elif choice == 7:
        return {}
    elif choice >= 8:
        auth[draw(st.sampled_from(sorted(auth)))] = draw(st.one_of(header_junk, st.sampled_from(
            ["Application nope", "Application ", "Basic", "Basic !!!", "Bearer x"])))
    return auth


def _path(draw: st.DrawFn, template: str, world: World) -> str:
    return _VARIABLE.sub(lambda match: draw(path_id(world.ids.get(match.group(1), []))), template)


# ----------------------------------------------------------------------
# Read-backs.


def self_href(answer: Answer) -> str | None:
    if answer.content_type == "text/html":  # a page of the browsable API
        return None
    if formats._is_xml(answer.content_type):
        href = etree.fromstring(answer.content).findtext("*/links/self/href")
        return href
    data = json.loads(answer.content)
    for value in data.values():
        if isinstance(value, dict) and isinstance(value.get("links"), dict) and "self" in value["links"]:
            return str(value["links"]["self"]["href"])
    return None


def _item(content: bytes) -> dict[str, Any]:
    data = json.loads(content)
    return next(value for value in data.values() if isinstance(value, dict) and "links" in value)


def read_back(fuzzer: Fuzzer, answer: Answer, auth: dict[str, str]) -> None:
    """An accepted write is there to read; a deletion is gone."""
    call = answer.call
    if call.method == "DELETE" and answer.status == HTTPStatus.NO_CONTENT:
        back = fuzzer.send(Call("GET", call.path, environ={**auth, "HTTP_ACCEPT": "application/json"}))
        if back.status != HTTPStatus.NOT_FOUND:
            fail(answer, f"deleted, yet a GET answers {back.status}")
        return
    if call.method not in ("POST", "PUT", "DELETE") or answer.status == HTTPStatus.NO_CONTENT:
        return
    # ?only-links= may leave the item without its links: Location (creates) or the URL itself (updates) says where.
    href = self_href(answer) or answer.headers.get("location") or (call.path if call.method != "POST" else None)
    if href is None:
        fail(answer, "an accepted write says nowhere where it is")
    back = fuzzer.send(Call("GET", urlsplit(href).path, environ={**auth, "HTTP_ACCEPT": "application/json"}))
    if back.status != HTTPStatus.OK:
        fail(answer, f"accepted, yet its self link answers {back.status}:\n{back.describe()}")
    if formats._is_xml(answer.content_type) or answer.content_type == "text/html" or \
            any(option in call.query for option in ("only-", "expand")):
        return
    written, read = _item(answer.content), _item(back.content)
    for key, value in written.items():
        if key != "links" and key in read and read[key] != value:
            fail(answer, f"field {key!r} was answered as {value!r} but reads back as {read[key]!r}")


@pytest.mark.parametrize(("name", "template"), TEMPLATES, ids=[name for name, _ in TEMPLATES])
@settings(max_examples=examples(0.3))
@given(data=st.data())
def test_api_tree(world: World, recorder: Recorder, name: str, template: str, data: st.DataObject) -> None:
    """Anything at all (methods, ids, bodies, headers, queries) sent to one resource, as Bob."""
    fuzzer = api_fuzzer(world)
    is_item = template.rstrip("/").endswith("}")
    method = data.draw(methods(["GET", "PUT", "DELETE"] if is_item else ["GET", "POST", "POST"]), label="method")
    path = _path(data.draw, template, world)
    body, content_type, note = data.draw(api_body(name, world)) if method not in ("GET", "HEAD") or \
        data.draw(st.integers(min_value=0, max_value=5)) == 0 else (b"", None, {})
    auth = data.draw(api_auth(name, world), label="auth")
    call = data.draw(make_call(method, path, (body, content_type), auth))
    with fuzzer.example():
        answer = fuzzer.send(call)
        if HTTPStatus.OK <= answer.status < HTTPStatus.MULTIPLE_CHOICES and call.method in ("POST", "PUT", "DELETE"):
            read_back(fuzzer, answer, auth)
            check_retry_requests(world, recorder, answer)
            check_publications(world, recorder, answer, meta=note.get("meta"), content_type=note.get("content_type"),
                               body=note.get("body"))


#: One value that no careful client sends, for one field of an otherwise good body.
NASTY = st.sampled_from(["\ud800", "x\udfff", "", " ", "\x00", "a\r\nb", "\x1b", "é" * 300, 2**63, -(2**63) - 1,
                         10**30, 1e308, -1, 0, 1.5, None, True, [], {}, [[]], {"a": {}}])


def _paths(value: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    if not isinstance(value, dict):
        return []
    return [path for key, item in value.items() for path in [(*prefix, key), *_paths(item, (*prefix, key))]]


def _replaced(value: dict[str, Any], path: tuple[str, ...], new: Any) -> dict[str, Any]:
    copy = dict(value)
    copy[path[0]] = new if len(path) == 1 else _replaced(copy[path[0]], path[1:], new)
    return copy


@st.composite
def _plausible_write(draw: st.DrawFn, name: str, world: World, nasty: bool) -> tuple[bytes, str | None, dict[str, Any]]:
    """A body the resource would take as it is, or with one field (at any depth) set to a nasty value."""
    if name.startswith("datarouter_file"):
        return draw(_upload())
    plausible = {
        "retry_request": bodies.retry_submission(world.target),
        "queuey_queue": bodies.queuey_queue(native=False),
        "queuey_message": bodies.queuey_message(),
        "datarouter_feed": bodies.datarouter_feed(),
        "datarouter_subscription": bodies.datarouter_subscription(world.target),
    }
    value = draw(next((value for key, value in plausible.items() if name.startswith(key)), st.just({})))
    paths = _paths(value)
    if nasty and paths:
        value = _replaced(value, draw(st.sampled_from(paths), label="field"), draw(NASTY, label="nasty value"))
    return json.dumps(value, ensure_ascii=draw(st.booleans())).encode("utf-8", "surrogatepass"), JSON, {}


@pytest.mark.parametrize(("name", "template"), TEMPLATES, ids=[name for name, _ in TEMPLATES])
@settings(max_examples=examples(0.4))
@given(data=st.data())
def test_plausible_writes(world: World, recorder: Recorder, name: str, template: str, data: st.DataObject) -> None:
    """Bob's good write with one thing wrong: a junk dialect option, or one nasty field.

    It is refused whole (nothing stored), or done whole: never a 5xx, and
    never half done (stored, then a failure).
    """
    fuzzer = api_fuzzer(world)
    is_item = template.rstrip("/").endswith("}")
    method = data.draw(st.sampled_from(["PUT", "PUT", "DELETE"] if is_item else ["POST"]), label="method")
    auth = world.bob_api_auth()
    if name.startswith("datarouter_file"):
        auth["HTTP_AUTHORIZATION"] = world.bob_basic
    query = ""
    if data.draw(st.booleans(), label="junk option"):
        key = data.draw(st.sampled_from(DIALECT_KEYS), label="option")
        value = data.draw(st.one_of(st.sampled_from(QUERY_VALUES), st.text(max_size=8)), label="value")
        query = f"{key}={quote(value.encode('utf-8', 'surrogatepass'))}"
    body, content_type, note = (b"", None, {}) if method == "DELETE" else \
        data.draw(_plausible_write(name, world, nasty=not query))
    accept = data.draw(st.sampled_from(["application/json", "application/xml"]))
    call = Call(method, _path(data.draw, template, world), query, body, content_type, {**auth, "HTTP_ACCEPT": accept})
    with fuzzer.example():
        answer = fuzzer.send(call)
        if HTTPStatus.OK <= answer.status < HTTPStatus.MULTIPLE_CHOICES:
            read_back(fuzzer, answer, auth)
            check_retry_requests(world, recorder, answer)
            check_publications(world, recorder, answer, meta=note.get("meta"), content_type=note.get("content_type"),
                               body=note.get("body"))
