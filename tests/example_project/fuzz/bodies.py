"""Plausible bodies of each service: what a careful client would send, before mutation."""

from __future__ import annotations

import string
from typing import Any
from urllib.parse import quote

from hypothesis import strategies as st

from .strategies import SPECIAL_TEXTS

_PRINTABLE = st.text(alphabet=string.ascii_letters + string.digits + " -_.:/;=\"'", max_size=20)
_ODD_TEXT = st.sampled_from(SPECIAL_TEXTS)
#: Lone surrogates: valid JSON (``"\ud800"``), yet no UTF-8 can hold them.
_SURROGATES = st.sampled_from(["\ud800", "x\udfff", "\udbff\udbff"])


def text(max_size: int = 20) -> st.SearchStrategy[str]:
    return st.one_of(_PRINTABLE, _PRINTABLE, _PRINTABLE, st.text(max_size=max_size), _ODD_TEXT, _SURROGATES)


# ----------------------------------------------------------------------
# retry

HEADER_NAMES = ["X-Foo", "X-Bar", "Accept", "Content-Type", "Authorization", "User-Agent", "X-Empty", "Host",
                "Content-Length", "Transfer-Encoding", "Connection", "Expect", "bad name", "é", "", "X:Y"]
HEADER_VALUES = ["Bar", "", " padded ", "a\tb", "é", "\x01", "\x7f", "💥", "\ud800", "a\r\nX-Injected: 1", "\x00",
                 "text/plain; charset=utf-8", "5", "chunked", "close", "100-continue"]


def retry_submission(target: str) -> st.SearchStrategy[dict[str, Any]]:
    urls = st.one_of(
        st.just(f"{target}/fuzz"),
        st.text(max_size=10).map(lambda p: f"{target}/{quote(p.encode('utf-8', 'surrogatepass'))}?q=1"),
        st.sampled_from(["http://169.254.169.254/latest", "ftp://example.org/", "http://", "not a url",
                         f"{target}/a b", "http://[::1", "http://example.org:99999/", f"{target}/é"]),
    )
    headers = st.dictionaries(
        st.one_of(st.sampled_from(HEADER_NAMES[:4]), st.sampled_from(HEADER_NAMES)),
        st.lists(st.one_of(st.sampled_from(["Bar", "Baz", "1"]), st.sampled_from(HEADER_VALUES)), min_size=1, max_size=2),
        max_size=3,
    )
    request = st.fixed_dictionaries(
        {"url": urls, "method": st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "BREW", "get", "G E T", ""])},
        optional={"headers": headers, "body": text(40)},
    )
    return st.fixed_dictionaries(
        {"request": request},
        optional={"intervals": st.lists(st.integers(min_value=0, max_value=5000), min_size=1, max_size=3)},
    )


# ----------------------------------------------------------------------
# queuey

QUEUE_NAMES = ["newq", "bq", "aq", "bpub", "q" * 60, "a/b", "", "é", "a b", "..", "%2F"]


def queuey_queue(native: bool) -> st.SearchStrategy[dict[str, Any]]:
    principles = st.lists(st.sampled_from(["app:bob-app", "app:alice-app", "bid:a@example.org", "junk", ""]), max_size=3)
    fields = {
        "queue_name" if native else "name": st.one_of(st.sampled_from(QUEUE_NAMES), text()),
        "partitions": st.one_of(st.integers(min_value=-1, max_value=300), st.sampled_from(["", "3", "x", "1.5"])),
        "type": st.sampled_from(["user", "public", "", "x"]),
        "consistency": st.sampled_from(["weak", "strong", "very_strong", "", "z"]),
        "principles": principles.map(",".join) if native else principles,
    }
    return st.fixed_dictionaries({}, optional=fields)


def queuey_message() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {"body": text(40)},
        optional={"ttl": st.one_of(st.integers(min_value=-1, max_value=2**26), st.sampled_from(["", "60", "x"])),
                  "partition": st.one_of(st.integers(min_value=-1, max_value=5), st.sampled_from(["", "1", "x"]))},
    )


def queuey_batch() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({"messages": st.lists(queuey_message(), min_size=0, max_size=3)})


# ----------------------------------------------------------------------
# datarouter

ADDRESSES = ["127.0.0.1", "10.0.0.0/8", "::1", "2001:db8::/32", "junk", "300.1.1.1", "10.0.0.1/99", ""]


def datarouter_feed() -> st.SearchStrategy[dict[str, Any]]:
    endpoint = st.fixed_dictionaries({"id": st.sampled_from(["bobpub", "bobpub", "pub2", "", "x" * 70]),
                                      "password": st.sampled_from(["pw-1", "pw-1", "", "p" * 120])})
    authorization = st.fixed_dictionaries({
        "classification": st.sampled_from(["unclassified", "", "c" * 40]),
        "endpoint_addrs": st.lists(st.sampled_from(ADDRESSES), max_size=2),
        "endpoint_ids": st.lists(endpoint, min_size=1, max_size=2),
    })
    return st.fixed_dictionaries(
        {"name": st.one_of(st.sampled_from(["newfeed", "newfeed", "bobfeed", "alicefeed", "n" * 21, ""]), text()),
         "version": st.sampled_from(["v1", "v2", "", "v" * 21]),
         "description": text(), "business_description": text(),
         "authorization": authorization},
        optional={"suspend": st.booleans(),
                  "group_id": st.one_of(st.integers(min_value=-5, max_value=5), st.sampled_from([2**63, -(2**63) - 1])),
                  "changeowner": st.booleans()},
    )


def datarouter_subscription(target: str) -> st.SearchStrategy[dict[str, Any]]:
    delivery = st.fixed_dictionaries({
        "url": st.sampled_from([f"{target}/bob-new", f"{target}/", "ftp://x/", "http://", "not a url", f"{target}/é",
                                "http://169.254.169.254/"]),
        "user": st.sampled_from(["u", "", "u" * 70, "é"]),
        "password": st.sampled_from(["p", "", "p" * 120]),
        "use100": st.booleans(),
    })
    return st.fixed_dictionaries(
        {"delivery": delivery},
        optional={"metadataOnly": st.booleans(), "groupid": st.integers(min_value=-5, max_value=5),
                  "subscriber": st.sampled_from(["bob", "alice", "", "s" * 9]), "follow_redirect": st.booleans(),
                  "suspend": st.booleans()},
    )


META_VALUES = ['{"k": "v"}', '{"n": 1, "b": true, "z": null}', "{}", '{"k": "é"}', '{"k": "\\ud800"}',
               '{"k": "\\u00e9"}', "[]", "nope", '{"k": {"x": 1}}', '{"k": NaN}', "", '{"k": "a\\u0000"}']
