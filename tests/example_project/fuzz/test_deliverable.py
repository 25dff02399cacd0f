"""What a worker must send on: accepted only if it can go out byte for byte.

Good submissions with one header (retry) or one publish header (datarouter)
that a worker may not be able to put on the wire: non-ASCII, control
characters, framing headers, values the HTTP client refuses. Each is either
refused at submission, in the surface's format, or sent by the worker's own
code to a real server and compared with what the client gave.
"""

from __future__ import annotations

import json
from http import HTTPStatus

from hypothesis import given, settings
from hypothesis import strategies as st

from . import bodies, formats
from .conftest import examples
from .delivery import Recorder, check_publications, check_retry_requests
from .harness import Call, Fuzzer
from .strategies import wire
from .world import ALICE_PRIVATE, BOB_OWNER, World, alice_rows

HEADER_NAMES = ["X-Note", "Content-Type", "Content-Length", "Transfer-Encoding", "Host", "Connection", "Expect",
                "Upgrade", "TE", "Trailer", "Keep-Alive", "Authorization", "Cookie"]
HEADER_VALUES = ["plain", "é", "💥", "\x01", "a\x7fb", "a\tb", " ", "\t", " padded ", "", "\x00", "a\r\nb", "\ud800",
                 "5", "-1", "chunked", "close", "100-continue", "text/plain; charset=é", "x" * 9000]

CONTENT_TYPES = ["text/plain", "application/octet-stream", "text/plain; charset=é", "text/plain; name=\"a b\"", "é/x",
                 "a\x01b", "text/plain;" + "x" * 300, "\x7f"]


@settings(max_examples=examples(0.5))
@given(name=st.sampled_from(HEADER_NAMES), values=st.lists(st.sampled_from(HEADER_VALUES), min_size=1, max_size=2),
       body=st.one_of(st.none(), bodies.text(40)))
def test_retry_accepts_only_what_it_can_send(world: World, recorder: Recorder, name: str, values: list[str],
                                             body: str | None) -> None:
    fuzzer = Fuzzer("retry", error_format=formats.retry_native, secrets=world.secrets, private=ALICE_PRIVATE,
                    others_rows=alice_rows)
    request: dict[str, object] = {"url": f"{world.target}/deliverable", "method": "POST", "headers": {name: values}}
    if body is not None:
        request["body"] = body
    payload = json.dumps({"request": request}).encode("utf-8", "surrogatepass")
    with fuzzer.example():
        answer = fuzzer.send(Call("POST", "/retry/requests/", body=payload, environ={"HTTP_X_OWNER_ID": BOB_OWNER}))
        if answer.status < HTTPStatus.MULTIPLE_CHOICES:
            check_retry_requests(world, recorder, answer)


@settings(max_examples=examples(0.5))
@given(meta=st.one_of(st.none(), st.sampled_from(bodies.META_VALUES), st.sampled_from(
           ['{"k": "💥"}', '{"k": "a\\u0001"}', '{"k": "\\u007f"}', '{"é": 1}', '{"k": "' + "x" * 3000 + '"}'])),
       content_type=st.one_of(st.none(), st.sampled_from(CONTENT_TYPES)), method=st.sampled_from(["PUT", "PUT", "DELETE"]),
       data=st.binary(max_size=32))
def test_datarouter_accepts_only_what_it_can_deliver(world: World, recorder: Recorder, meta: str | None,
                                                     content_type: str | None, method: str, data: bytes) -> None:
    fuzzer = Fuzzer("datarouter", error_format=formats.datarouter_native, secrets=world.secrets, private=[],
                    others_rows=alice_rows)
    environ = {"HTTP_AUTHORIZATION": world.bob_basic, "REMOTE_ADDR": "127.0.0.1"}
    if meta is not None:
        environ["HTTP_X_ATT_DR_META"] = wire(meta)
    sent_type = wire(content_type) if content_type is not None else None
    call = Call(method, f"/datarouter/publish/{world.ids['feed_id'][0]}/deliverable",
                body=data if method == "PUT" else b"", content_type=sent_type, environ=environ)
    with fuzzer.example():
        answer = fuzzer.send(call)
        if answer.status < HTTPStatus.MULTIPLE_CHOICES:
            check_publications(world, recorder, answer, meta=environ.get("HTTP_X_ATT_DR_META"),
                               content_type=sent_type, body=call.body)
