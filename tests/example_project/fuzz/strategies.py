"""Hypothesis strategies shared by every surface: junk values, bodies, headers, queries, ids.

Bodies are built from a *plausible* value (a dict a surface would accept)
with fields swapped for junk, dropped or added, then encoded as JSON, a
form, a multipart form, or as bytes that are not even text. Header values
reach Django as WSGI strings, each byte a latin-1 character, exactly as a
real server hands over what is on the wire.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote, urlencode

from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from hypothesis import strategies as st

from .harness import Call

# ----------------------------------------------------------------------
# Values.

SPECIAL_TEXTS = [
    "", " ", "\ud800", "a\udfffb", "NaN", "Infinity", "-1", "0", "1e999", "null", "true", "\x00", "\x1b[31m",
    "é", "\u202e", "💥", "a" * 300, "../../etc/passwd", "<x>&amp;", "%00", "%ff", "{}", "[]", "1.5", "--",
]

huge_numbers = st.sampled_from([2**63, 2**64 + 1, -(2**63) - 1, 10**30, 1e308, -1e308, 1e-320, float("inf"), float("nan")])

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-3, max_value=300),
    st.integers(),
    huge_numbers,
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(SPECIAL_TEXTS),
    st.text(max_size=12),
)

#: Any JSON-ish value, nested a little.
junk = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6,
)


def mutated(plausible: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[Any]:
    """A plausible object, or one with a field (at any depth) replaced, dropped or added, or junk."""

    @st.composite
    def build(draw: st.DrawFn) -> Any:
        value = draw(plausible)
        for _ in range(draw(st.sampled_from([0, 0, 0, 1, 1, 2]))):
            value = _mutate_once(draw, value)
        return value

    return st.one_of(build(), build(), build(), junk)


def _mutate_once(draw: st.DrawFn, value: Any) -> Any:
    if not isinstance(value, dict) or not value:
        return draw(junk)
    key = draw(st.sampled_from(sorted(value)))
    action = draw(st.sampled_from(["replace", "drop", "add", "descend"]))
    copy = dict(value)
    if action == "replace":
        copy[key] = draw(junk)
    elif action == "drop":
        del copy[key]
    elif action == "add":
        copy[draw(st.sampled_from(["extra", "", "\ud800", "links", "id", key + "_"]))] = draw(junk)
    else:
        copy[key] = _mutate_once(draw, copy[key])
    return copy


# ----------------------------------------------------------------------
# Bodies.

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"

JUNK_CONTENT_TYPES = [
    "text/plain", "application/octet-stream", "application/json; charset=latin-9", "application/json; charset=utf-16",
    "multipart/form-data", "multipart/form-data; boundary=", "application/x-www-form-urlencoded; charset=nope",
    "application/xml", "*/*", "application/", "\x01", "ü/ä", "application/json;;;", "image/png; q=x", "",
]


def _form_value(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _form_key(key: Any) -> str:
    # A form field's name goes into a multipart header: no lone surrogates there.
    return str(key).encode("utf-8", "replace").decode("utf-8")


def _form_pairs(value: Any) -> dict[str, str]:
    if isinstance(value, dict):
        return {_form_key(k): _form_value(v) for k, v in value.items()}
    return {"value": _form_value(value)}


def encode(draw: st.DrawFn, value: Any, content_type: str) -> tuple[bytes, str | None]:
    """``value`` as a body: the given type, or another encoding, or junk bytes."""
    how = draw(st.sampled_from(["as-is"] * 8 + ["json", "form", "multipart", "nan", "bytes", "truncated", "empty"]))
    if how == "as-is":
        if content_type.startswith("multipart/"):
            how = "multipart"
        elif content_type == FORM:
            how = "form"
        else:
            return json.dumps(value).encode(), content_type
    if how == "json":
        return json.dumps(value, ensure_ascii=draw(st.booleans())).encode("utf-8", "surrogatepass"), JSON
    if how == "form":
        pairs = _form_pairs(value)
        return urlencode({k: v.encode("utf-8", "surrogatepass") for k, v in pairs.items()}).encode(), FORM
    if how == "multipart":
        pairs = _form_pairs(value)
        try:
            return encode_multipart(BOUNDARY, pairs), MULTIPART_CONTENT
        except UnicodeEncodeError:  # a lone surrogate: send its bytes
            return encode_multipart(BOUNDARY, {k: v.encode("utf-8", "surrogatepass") for k, v in pairs.items()}), \
                MULTIPART_CONTENT
    if how == "nan":
        return b'{"value": NaN, "n": -Infinity, "big": 1e99999, "deep": ' + b"[" * 200 + b"]" * 200 + b"}", content_type
    if how == "bytes":
        return draw(st.sampled_from([b"\xff\xfe\x00", b"\xc3\x28", b"{\"a\": \"\xe9\"}", b"\x00" * 8])) + \
            draw(st.binary(max_size=16)), draw(st.sampled_from([content_type, *JUNK_CONTENT_TYPES]))
    if how == "truncated":
        text = json.dumps(value).encode()
        return text[: max(1, len(text) // 2)], content_type
    return b"", draw(st.sampled_from([content_type, ""]))


def content_type_for(draw: st.DrawFn, natural: str) -> str | None:
    """Usually the body's own type, sometimes junk, sometimes none."""
    choice = draw(st.integers(min_value=0, max_value=9))
    if choice < 7:
        return natural
    if choice < 9:
        return draw(st.sampled_from(JUNK_CONTENT_TYPES))
    return None


# ----------------------------------------------------------------------
# Headers.

def wire(text: str) -> str:
    """``text`` as a WSGI server hands a header value over: its UTF-8 bytes as latin-1 characters.

    Servers drop the whitespace around a field value (RFC 9110 section 5.5), so no
    application ever sees it; the test client would pass it on.
    """
    return text.encode("utf-8", "surrogatepass").decode("latin-1").strip(" \t")


header_junk = st.one_of(
    st.sampled_from(["", " ", "\t", "x", "é", "\x01", "\x7f", "a\x0bb", "💥", "\ud800", "*", "W/\"x\"", "\"x\"",
                     "1" * 500, "Thu, 01 Jan 1970 00:00:00 GMT", "Tue, 31 Dec 2999 23:59:59 GMT", "yesterday"]),
    st.text(alphabet=st.characters(min_codepoint=1, max_codepoint=0x2FF, exclude_characters="\r\n"), max_size=20),
).map(wire)

ACCEPTS = [
    "application/json", "application/xml", "text/xml;q=0.5, application/xml", "application/xml;q=0.9",
    "*/*;q=0.1, application/json", "application/json; q=1", "*/*", "text/html", "image/png", "application/*",
    "application/json;q=0", "application/xml;q=abc", "", ",,,", "*/*;q=-1", "application/vnd.webapi-kit.example.x+json",
    "é/ü", "text/plain, */*;q=0.01",
]

CONDITIONAL = ["HTTP_IF_MATCH", "HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_UNMODIFIED_SINCE"]

BAD_HOSTS = ["bad host", "exa_mple..com:99999", "[::1", "a:b:c", "é.example", "host\x01", "-", "localhost:-1"]


@st.composite
def common_headers(draw: st.DrawFn) -> dict[str, str]:
    """Accept, conditional headers, junk headers and now and then an invalid Host."""
    environ: dict[str, str] = {}
    if draw(st.integers(min_value=0, max_value=2)) == 0:
        environ["HTTP_ACCEPT"] = draw(st.sampled_from(ACCEPTS))
    for name in CONDITIONAL:
        if draw(st.integers(min_value=0, max_value=11)) == 0:
            environ[name] = draw(header_junk)
    if draw(st.integers(min_value=0, max_value=5)) == 0:
        environ[draw(st.sampled_from(["HTTP_X_JUNK", "HTTP_RANGE", "HTTP_COOKIE", "HTTP_X_HTTP_METHOD_OVERRIDE",
                                      "HTTP_CONTENT_ENCODING", "HTTP_ORIGIN", "HTTP_REFERER"]))] = draw(header_junk)
    if draw(st.integers(min_value=0, max_value=14)) == 0:
        environ["HTTP_HOST"] = draw(st.sampled_from(BAD_HOSTS))
    return environ


# ----------------------------------------------------------------------
# Queries, methods, ids.

#: The dialect's own query options, which every /api/ resource must judge before it acts.
DIALECT_KEYS = ["start", "max-results", "expand", "only-fields", "only-links", "api_format", "counts-only"]
QUERY_KEYS = [*DIALECT_KEYS, "state", "details", "include_count", "since", "limit", "order", "partitions", "type", "publishId",
              "statusCode", "expiryReason", "x"]
QUERY_VALUES = ["", "0", "1", "-1", "25", "200", "201", "99999999999999999999", "abc", "json", "xml", "html",
                "true", "1.5", "%ff", "%00", "é", "links", "id,name", "self", "pending", "nope", "\ud800", "1e9"]


@st.composite
def queries(draw: st.DrawFn) -> str:
    """A raw query string, now and then with bytes that are not UTF-8."""
    keys = st.one_of(st.sampled_from(DIALECT_KEYS), st.sampled_from(QUERY_KEYS))
    pairs = draw(st.lists(st.tuples(keys, st.one_of(st.sampled_from(QUERY_VALUES), st.text(max_size=8))),
                          min_size=1, max_size=3))
    parts = [f"{quote(k)}={quote(v.encode('utf-8', 'surrogatepass'))}" for k, v in pairs]
    if draw(st.integers(min_value=0, max_value=9)) == 0:
        parts.append(draw(st.sampled_from(["%ff=%fe", "a=%", "==", "&&", "start", "max-results=%C0%AF"])))
    return "&".join(parts)


METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE", "BREW", "get"]


def methods(allowed: list[str]) -> st.SearchStrategy[str]:
    """Mostly a method the endpoint takes (so the rest of the request is exercised), else any."""
    usual = st.sampled_from(allowed)
    return st.one_of(usual, usual, usual, st.sampled_from(METHODS))

JUNK_IDS = ["0", "-1", "99999999999999999999999", "9223372036854775808", "abc", "1.5", "%ff", "%00", "%20",
            "é", "💥", "1e3", "00001", " 1", "x" * 300, "..", "%2e%2e", "null"]


def path_id(known: list[str]) -> st.SearchStrategy[str]:
    """An id for a URL: the caller's own (``known[0]``), any real one (the other owner's too) or junk."""
    junk_id = st.sampled_from(JUNK_IDS).map(lambda text: text if "%" in text else quote(text, safe=""))
    if not known:
        return junk_id
    return st.one_of(st.just(known[0]), st.sampled_from(known), junk_id)


@st.composite
def call(draw: st.DrawFn, method: str, path: str, body: tuple[bytes, str | None], auth: dict[str, str]) -> Call:
    environ = draw(common_headers())
    environ.update(auth)
    data, content_type = body
    query = draw(queries()) if draw(st.integers(min_value=0, max_value=1)) == 0 else ""
    return Call(method, path, query, data, content_type, environ)
