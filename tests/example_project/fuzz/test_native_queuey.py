"""queuey's native surface (``/queuey/v1/...``): queues and messages, fuzzed as Bob's application."""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

from hypothesis import given, settings
from hypothesis import strategies as st

from . import bodies, formats
from .conftest import examples
from .harness import Answer, Call, Fuzzer, fail
from .strategies import FORM, JSON, methods, content_type_for, encode, header_junk, mutated, path_id, wire
from .strategies import call as make_call
from .world import ALICE_PRIVATE, BOB_APP, World, alice_rows

PATHS = {"/queuey/v1/{app}": ["GET", "POST"], "/queuey/v1/{app}/{queue}": ["GET", "POST", "PUT", "DELETE"],
         "/queuey/v1/{app}/{queue}/{ids}": ["GET", "PUT", "DELETE"]}


def queuey_fuzzer(world: World) -> Fuzzer:
    return Fuzzer("queuey", error_format=formats.queuey_native, secrets=world.secrets, private=ALICE_PRIVATE,
                  others_rows=alice_rows)


@st.composite
def credentials(draw: st.DrawFn, world: World) -> dict[str, str]:
    choice = draw(st.integers(min_value=0, max_value=9))
    if choice < 8:
        return {"HTTP_AUTHORIZATION": f"Application {world.keys[BOB_APP]}"}
    if choice == 8:
        return {}
    return {"HTTP_AUTHORIZATION": draw(st.one_of(header_junk, st.sampled_from(
        ["Application", "Application nope", "application " + world.keys[BOB_APP], "Basic eA=="])))}


@st.composite
def body_for(draw: st.DrawFn, template: str, method: str) -> tuple[bytes, str | None, dict[str, str]]:
    headers: dict[str, str] = {}
    if template.endswith("{app}"):
        data, natural = encode(draw, draw(mutated(bodies.queuey_queue(native=True))), FORM)
    elif template.endswith("{queue}") and method == "PUT":
        data, natural = encode(draw, draw(mutated(bodies.queuey_queue(native=True))), FORM)
    elif template.endswith("{queue}") and draw(st.booleans()):
        data, natural = encode(draw, draw(mutated(bodies.queuey_batch())), JSON)
    else:
        data = draw(st.one_of(bodies.text(40).map(lambda t: t.encode("utf-8", "surrogatepass")), st.binary(max_size=32)))
        natural = draw(st.sampled_from(["text/plain", "application/text", "application/octet-stream"]))
        for name in ("HTTP_X_TTL", "HTTP_X_PARTITION"):
            if draw(st.booleans()):
                headers[name] = draw(st.one_of(st.sampled_from(["", "1", "2", "60", "0", "-1", "x", "99999999999"]),
                                               header_junk))
    return data, content_type_for(draw, natural), headers


def _message_ids(answer: Answer) -> str:
    return ",".join(f"{m['partition']}:{m['key']}" for m in json.loads(answer.content)["messages"])


def read_back(fuzzer: Fuzzer, answer: Answer, app: str, queue: str | None, auth: dict[str, str]) -> None:
    call = answer.call
    created: Any = json.loads(answer.content) if answer.content else {}
    if queue is None and call.method == "POST" or queue and call.path.count("/") == 4 and call.method == "PUT":
        listing = fuzzer.send(Call("GET", f"/queuey/v1/{app}", "details=true", environ=auth))
        shown = {q["queue_name"]: q for q in json.loads(listing.content).get("queues", [])}
        mine = shown.get(created["queue_name"])
        if mine is None or any(mine.get(key) != created[key] for key in ("partitions", "type", "consistency")):
            fail(answer, f"the queue reads back as {mine!r}")
    elif queue and call.path.count("/") == 4 and call.method == "DELETE":
        back = fuzzer.send(Call("GET", call.path, environ=auth))
        if back.status != HTTPStatus.NOT_FOUND:
            fail(answer, f"deleted, yet the queue answers {back.status}")
    elif queue and call.path.count("/") == 4 and call.method == "POST":
        back = fuzzer.send(Call("GET", f"{call.path}/{quote(_message_ids(answer))}", environ=auth))
        got = json.loads(back.content).get("messages", [])
        if back.status != HTTPStatus.OK or len(got) != len(created["messages"]):
            fail(answer, f"posted, yet reads back as:\n{back.describe()}")
        if call.content_type not in (JSON, None) and not call.content_type.startswith(JSON) and len(got) == 1:
            if got[0]["body"] != call.body.decode("utf-8", "replace"):
                fail(answer, f"the body reads back as {got[0]['body']!r}")
    elif queue and call.method == "DELETE":
        back = fuzzer.send(Call("GET", call.path, environ=auth))
        if back.status == HTTPStatus.OK and json.loads(back.content).get("messages"):
            fail(answer, f"deleted, yet reads back as:\n{back.describe()}")


@settings(max_examples=examples(2))
@given(data=st.data())
def test_queuey_native(world: World, data: st.DataObject) -> None:
    fuzzer = queuey_fuzzer(world)
    template = data.draw(st.sampled_from(sorted(PATHS)), label="path")
    app = data.draw(path_id(world.ids["application_name"]))
    queue = data.draw(path_id(world.ids["queue_name"]))
    ids = data.draw(st.one_of(path_id(world.ids["message_key"]), st.sampled_from(
        [",".join(world.ids["message_key"]), "1:" + "0" * 32, "1:zz", ",,", "70000:" + "a" * 32, "x:y:z"]).map(quote)))
    path = template.replace("{app}", app).replace("{queue}", queue).replace("{ids}", ids)
    method = data.draw(methods(PATHS[template]), label="method")
    body, content_type, headers = b"", None, {}
    if method not in ("GET", "HEAD") or data.draw(st.integers(min_value=0, max_value=5)) == 0:
        body, content_type, headers = data.draw(body_for(template, method))
    auth = data.draw(credentials(world))
    call = data.draw(make_call(method, path, (body, content_type), {**auth, **headers}))
    if data.draw(st.integers(min_value=0, max_value=5)) == 0:
        call.query = data.draw(st.sampled_from(["since=abc", "since=1e400", "limit=-1", "limit=x", "order=up",
                                                "partitions=0", "partitions=1,999", "details=maybe", "include_count=x",
                                                "since=" + quote(wire("é")), "limit=99999999999999999999"]))
    with fuzzer.example():
        answer = fuzzer.send(call)
        if HTTPStatus.OK <= answer.status < HTTPStatus.MULTIPLE_CHOICES and method in ("POST", "PUT", "DELETE"):
            read_back(fuzzer, answer, app, None if template.endswith("{app}") else queue, auth)
