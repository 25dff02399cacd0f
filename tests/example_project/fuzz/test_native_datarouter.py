"""datarouter's native surface (``/datarouter/...``): provisioning, logs and publishing, fuzzed as Bob."""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

from hypothesis import given, settings
from hypothesis import strategies as st

from . import bodies, formats
from .conftest import examples
from .delivery import Recorder, check_publications
from .harness import Answer, Call, Fuzzer, fail
from .strategies import JSON, methods, content_type_for, encode, header_junk, mutated, path_id, wire
from .strategies import call as make_call
from .world import BOB_USER, FEED_TYPE, SUB_TYPE, World, alice_rows

PATHS = {"/datarouter/": ["POST"], "/datarouter/feed/{feed}": ["GET", "PUT", "DELETE"],
         "/datarouter/subscribe/{feed}": ["GET", "POST"], "/datarouter/subs/{sub}": ["GET", "PUT", "DELETE"],
         "/datarouter/feedlog/{feed}": ["GET"], "/datarouter/sublog/{sub}": ["GET"],
         "/datarouter/publish/{feed}/{file}": ["PUT", "PUT", "DELETE"]}


def datarouter_fuzzer(world: World) -> Fuzzer:
    # Every live feed is visible to every user (the seed's rule): nothing of Alice's is private here.
    return Fuzzer("datarouter", error_format=formats.datarouter_native, secrets=world.secrets, private=[],
                  others_rows=alice_rows)


on_behalf = st.one_of(st.just(BOB_USER), st.just(BOB_USER), st.just(BOB_USER), st.sampled_from([" bob ", "b" * 9, ""]),
                      header_junk)


@st.composite
def body_for(draw: st.DrawFn, template: str, world: World) -> tuple[bytes, str | None]:
    if "publish" in template:
        data = draw(st.one_of(st.binary(max_size=64), bodies.text(40).map(lambda t: t.encode("utf-8", "surrogatepass"))))
        return data, draw(st.one_of(st.sampled_from(["text/plain", "application/octet-stream", "text/plain; charset=utf-8"]),
                                    header_junk))
    if "sub" in template:
        plausible, natural = bodies.datarouter_subscription(world.target), SUB_TYPE
    else:
        plausible, natural = bodies.datarouter_feed(), FEED_TYPE
    natural = draw(st.sampled_from([natural, natural + "; version=1.0", natural + "; version=3.0",
                                    natural.replace("att-dr", "dmaap-dr"), JSON]))
    data, encoded_as = encode(draw, draw(mutated(plausible)), natural)
    return data, content_type_for(draw, encoded_as or natural)


def _self(answer: Answer) -> str:
    return urlsplit(json.loads(answer.content)["links"]["self"]).path


def read_back(fuzzer: Fuzzer, answer: Answer, template: str, who: dict[str, str]) -> None:
    call = answer.call
    if "publish" in template:
        publish_id = answer.headers.get("x-att-dr-publish-id", "")
        feed = call.path.split("/")[3]
        log = fuzzer.send(Call("GET", f"/datarouter/feedlog/{feed}", f"publishId={publish_id}", environ=who))
        records: Any = json.loads(log.content) if log.status == HTTPStatus.OK else []
        if not any(record.get("publishId") == publish_id for record in records):
            fail(answer, f"published, yet the feed's log does not show it:\n{log.describe()}")
        return
    if call.method == "DELETE":
        back = fuzzer.send(Call("GET", call.path, environ=who))
        if back.status != HTTPStatus.NOT_FOUND:
            fail(answer, f"deleted, yet a GET answers {back.status}")
        return
    if call.method in ("POST", "PUT") and answer.content:
        back = fuzzer.send(Call("GET", _self(answer), environ=who))
        if back.status != HTTPStatus.OK or json.loads(back.content) != json.loads(answer.content):
            fail(answer, f"accepted, yet reads back as:\n{back.describe()}")


@settings(max_examples=examples(3))
@given(data=st.data())
def test_datarouter_native(world: World, recorder: Recorder, data: st.DataObject) -> None:
    fuzzer = datarouter_fuzzer(world)
    template = data.draw(st.sampled_from([*sorted(PATHS), "/datarouter/publish/{feed}/{file}"]), label="path")
    path = template.replace("{feed}", data.draw(path_id(world.ids["feed_id"])))
    path = path.replace("{sub}", data.draw(path_id(world.ids["sub_id"])))
    path = path.replace("{file}", data.draw(path_id(world.ids["file_id"])))
    publishing = "publish" in template
    method = data.draw(methods(PATHS[template]), label="method")
    body, content_type = b"", None
    if method not in ("GET", "HEAD", "DELETE") or data.draw(st.integers(min_value=0, max_value=5)) == 0:
        body, content_type = data.draw(body_for(template, world))
    environ: dict[str, str] = {}
    if data.draw(st.integers(min_value=0, max_value=7)):
        environ["HTTP_X_ATT_DR_ON_BEHALF_OF"] = data.draw(on_behalf)
    if publishing:
        environ["REMOTE_ADDR"] = "127.0.0.1"
        if data.draw(st.integers(min_value=0, max_value=5)):
            environ["HTTP_AUTHORIZATION"] = world.bob_basic
        elif data.draw(st.booleans()):
            environ["HTTP_AUTHORIZATION"] = data.draw(st.one_of(header_junk, st.sampled_from(["Basic", "Basic !!", "Basic Ym9icHViOg=="])))
        if data.draw(st.booleans()):
            environ["HTTP_X_ATT_DR_META"] = data.draw(st.one_of(st.sampled_from(bodies.META_VALUES).map(wire), header_junk))
    call = data.draw(make_call(method, path, (body, content_type), environ))
    if template.startswith("/datarouter/feedlog") or template.startswith("/datarouter/sublog"):
        call.query = data.draw(st.sampled_from(["", "type=pub", "type=x", "publishId=1", "start=0", "start=x",
                                                "end=99999999999999999999", "statusCode=x", "expiryReason=x"]))
    with fuzzer.example():
        answer = fuzzer.send(call)
        if HTTPStatus.OK <= answer.status < HTTPStatus.MULTIPLE_CHOICES and method in ("POST", "PUT", "DELETE"):
            who = {"HTTP_X_ATT_DR_ON_BEHALF_OF": BOB_USER}
            read_back(fuzzer, answer, template, who)
            if publishing:
                check_publications(world, recorder, answer, meta=call.environ.get("HTTP_X_ATT_DR_META"),
                                   content_type=call.content_type, body=call.body)
