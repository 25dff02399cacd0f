"""retry's native surface (``/retry/``): submissions, reads and cancels, fuzzed as Bob."""

from __future__ import annotations

import json
from http import HTTPStatus
from urllib.parse import urlsplit

from hypothesis import given, settings
from hypothesis import strategies as st

from . import bodies, formats
from .conftest import examples
from .delivery import Recorder, check_retry_requests
from .harness import Answer, Call, Fuzzer, fail
from .strategies import JSON, methods, content_type_for, encode, header_junk, mutated, path_id
from .strategies import call as make_call
from .world import ALICE_PRIVATE, BOB_OWNER, World, alice_rows

PATHS = {"/retry/requests/": ["GET", "POST", "POST"], "/retry/requests/{id}/": ["GET", "DELETE"],
         "/retry/health": ["GET"]}


def retry_fuzzer(world: World) -> Fuzzer:
    return Fuzzer("retry", error_format=formats.retry_native, secrets=world.secrets, private=ALICE_PRIVATE,
                  others_rows=alice_rows)


_BOB = st.just({"HTTP_X_OWNER_ID": BOB_OWNER})
#: Mostly Bob: a request refused for its credentials tests little else.
owners = st.one_of(_BOB, _BOB, _BOB, _BOB, st.just({}), header_junk.map(lambda value: {"HTTP_X_OWNER_ID": value}))


def read_back(fuzzer: Fuzzer, answer: Answer) -> None:
    owner = {"HTTP_X_OWNER_ID": answer.call.environ.get("HTTP_X_OWNER_ID", "")}
    if answer.call.method == "POST":
        location = answer.headers.get("location")
        if not location:
            fail(answer, "an accepted submission has no Location")
        back = fuzzer.send(Call("GET", urlsplit(location).path, environ=owner))
        if back.status != HTTPStatus.OK:
            fail(answer, f"accepted, yet its Location answers {back.status}:\n{back.describe()}")
        submitted = json.loads(answer.call.body)["request"]
        shown = json.loads(back.content).get("request", {})
        if shown.get("url") != submitted["url"] or shown.get("method") != submitted["method"]:
            fail(answer, f"reads back as {shown!r}")
    elif answer.call.method == "DELETE":
        back = fuzzer.send(Call("GET", answer.call.path, environ=owner))
        if back.status != HTTPStatus.OK or json.loads(back.content).get("state") != "cancelled":
            fail(answer, f"cancelled, yet reads back as:\n{back.describe()}")


@settings(max_examples=examples(2))
@given(data=st.data())
def test_retry_native(world: World, recorder: Recorder, data: st.DataObject) -> None:
    fuzzer = retry_fuzzer(world)
    template = data.draw(st.sampled_from(["/retry/requests/", *PATHS]), label="path")
    path = template.replace("{id}", data.draw(path_id(world.ids["retry_request_id"])))
    method = data.draw(methods(PATHS[template]), label="method")
    body, content_type = b"", None
    if method != "GET" or data.draw(st.integers(min_value=0, max_value=5)) == 0:
        body, natural = encode(data.draw, data.draw(mutated(bodies.retry_submission(world.target))), "")
        content_type = content_type_for(data.draw, natural or "") if natural else data.draw(st.sampled_from([None, JSON]))
    call = data.draw(make_call(method, path, (body, content_type), data.draw(owners)))
    with fuzzer.example():
        answer = fuzzer.send(call)
        if HTTPStatus.OK <= answer.status < HTTPStatus.MULTIPLE_CHOICES and method in ("POST", "DELETE"):
            read_back(fuzzer, answer)
            check_retry_requests(world, recorder, answer)
