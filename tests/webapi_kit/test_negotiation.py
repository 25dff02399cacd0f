"""Tests for webapi_kit.negotiation: RFC 9110 Accept matching."""

from __future__ import annotations

import pytest

from webapi_kit import negotiation
from webapi_kit.negotiation import MediaRange, media_type_matches, negotiate, parse_accept

JSON = "application/json"
XML = "application/xml"
VND_JSON = "application/vnd.example.org.author+json"
VND_XML = "application/vnd.example.org.author+xml"
OFFERED = (JSON, XML, VND_JSON, VND_XML)

FIREFOX = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
CHROME = (
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,"
    "image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"
)

NEGOTIATION_TABLE: list[tuple[str | None, str | None]] = [
    # --- Every row of djblets-6.1/accept-negotiation-table.txt -------------
    (None, JSON),
    ("", JSON),
    ("*/*", JSON),
    ("application/xml", XML),
    ("application/json;q=0.5, application/xml", XML),
    ("application/json; q=0.5, application/xml", XML),  # djblets: application/json
    ("application/xml;q=0.1, application/json;q=0.9", JSON),
    ("application/vnd.example.org.author+xml", VND_XML),
    ("application/vnd.example.org.author+json;version=2", VND_JSON),
    ("text/html", None),  # djblets: application/json
    ("application/*", JSON),  # djblets: application/json (by fallback, not by matching)
    ("application/json;q=0, application/xml;q=0", None),  # djblets: vnd.example.org.author+json
    ("text/html, */*;q=0", None),  # djblets: None (and a 500 in resources)
    ("APPLICATION/XML", XML),  # djblets: application/json
    # --- Blank and whitespace --------------------------------------------------
    ("   ", JSON),
    ("\t", JSON),
    # --- q-values, with and without whitespace ---------------------------------
    ("application/json", JSON),
    ("application/xml;q=0.5", XML),
    ("application/json;q=0.5,application/xml;q=0.6", XML),
    ("application/json ; q = 0.5 , application/xml ; q = 0.6", XML),
    ("application/json\t;\tq=0.5,\tapplication/xml;q=0.4", JSON),
    ("application/json;q=1.000, application/xml;q=1", JSON),
    ("application/json;q=0.999, application/xml", XML),
    ("application/json;q=0., */*", XML),  # "0." is a valid qvalue
    ("application/xml;q=0.5;level=1, application/json;q=0.4", XML),
    # --- Case-insensitivity ----------------------------------------------------
    ("application/json;Q=0.5, application/xml", XML),
    ("Application/Vnd.Example.Org.Author+XML", VND_XML),
    ("APPLICATION/*;Q=0.5, Application/Xml;q=0.4", JSON),
    # --- Wildcards and q=0 exclusion ------------------------------------------
    ("*/*;q=0", None),
    ("*/*, application/json;q=0", XML),
    ("*/*, application/xml;q=0", JSON),
    ("application/*, application/json;q=0", XML),
    ("application/*;q=0, application/vnd.example.org.author+xml", VND_XML),
    ("application/json;q=0, application/xml;q=0, */*", VND_JSON),
    (
        "application/json;q=0, application/xml;q=0, "
        "application/vnd.example.org.author+json;q=0, */*;q=0.1",
        VND_XML,
    ),
    ("text/*", None),
    ("image/png, text/plain;q=0.5", None),
    # --- Specificity and server-order tie-breaks --------------------------------
    ("*/*, application/xml", XML),  # equal q: exact beats */*
    ("application/*, application/xml", XML),  # equal q: exact beats application/*
    ("*/*;q=0.5, application/*;q=0.5", JSON),  # all tie: server order
    ("*/*;q=0.8, application/*;q=0.9", JSON),
    ("application/xml, application/json", JSON),  # header order does not matter
    (f"{VND_JSON}, {VND_XML}", VND_JSON),
    (f"{VND_XML}, {VND_JSON}", VND_JSON),
    (f"{VND_XML}, {JSON}", JSON),
    (f"{VND_XML}, */*;q=0.9", VND_XML),
    ("application/json;q=0, application/json;q=1", JSON),  # highest q of equals
    # --- Parameters on vendor types (ignored for matching) ----------------------
    (f"{VND_JSON};version=2;q=0.4, application/json;q=0.3", VND_JSON),
    (f'{VND_XML};version="2.0"', VND_XML),
    (f"{VND_JSON};version=2;q=0", None),
    ("image/png, application/vnd.example.org.author+json;q=0.3", VND_JSON),
    ("application/vnd.example.org.book+json", None),
    # --- Browsers ----------------------------------------------------------------
    (FIREFOX, XML),
    (CHROME, XML),
    # --- Quoted parameter values -------------------------------------------------
    (f'application/json;foo="a,application/xml", {VND_XML};q=0.5', JSON),
    (f'application/json;foo="a;q=0", {VND_XML};q=0.5', JSON),
    ('text/plain;foo="a,b"', None),
    ('text/plain;foo="a,b", application/xml;q=0.5', XML),
    ('application/json;foo="a\\"b", application/xml;q=0.5', JSON),
    # --- Malformed entries are skipped -----------------------------------------
    ("application/json;q=abc, application/xml;q=0.1", XML),
    ("application/json;q=2, application/xml;q=0.1", XML),
    ("application/json;q=-1, application/xml;q=0.1", XML),
    ("application/json;q=1.001, application/xml;q=0.1", XML),
    ("application/json;q=0.1234, application/xml;q=0.1", XML),
    ("application/json;q=, application/xml;q=0.1", XML),
    ("application/json;q=0.5;q=0.9, application/xml;q=0.1", XML),  # two q's
    ("application/json;charset, application/xml;q=0.1", XML),  # no "="
    ("*/json, application/xml", XML),
    ("application, application/xml", XML),
    ("application/json;;, application/xml;q=0.5", JSON),  # empty params are legal
    # --- Nothing parseable: as if there were no Accept at all --------------------
    ("*/json", JSON),
    ("garbage", JSON),
    (",,,;;;===", JSON),
    ("/", JSON),
    ('"', JSON),
    ("application/json;q=abc", JSON),
    ("\x00\x01\x02", JSON),
    # --- Very long headers --------------------------------------------------------
    ("text/html, " * 5000 + "application/xml;q=0.1", XML),
    ("x" * 100_000, JSON),
    ("text/html;q=0.5, " * 5000 + "*/*;q=0", None),
]


@pytest.mark.parametrize(("accept", "expected"), NEGOTIATION_TABLE)
def test_negotiate_table(accept: str | None, expected: str | None) -> None:
    assert negotiate(accept, OFFERED) == expected


def test_table_is_large_enough() -> None:
    assert len(NEGOTIATION_TABLE) >= 40


def test_negotiate_returns_the_offered_string_itself() -> None:
    offered = ["Application/JSON", "application/xml; charset=utf-8"]
    assert negotiate("application/json", offered) is offered[0]
    assert negotiate("APPLICATION/XML", offered) is offered[1]
    assert negotiate(None, offered) is offered[0]


def test_negotiate_accepts_any_sequence() -> None:
    assert negotiate("application/xml", [JSON, XML]) == XML
    assert negotiate("application/xml", (JSON, XML)) == XML


def test_negotiate_with_nothing_offered() -> None:
    assert negotiate("*/*", ()) is None
    assert negotiate(None, []) is None


def test_negotiate_is_cached() -> None:
    negotiation._negotiate_cached.cache_clear()
    negotiate("application/xml;q=0.3", OFFERED)
    negotiate("application/xml;q=0.3", list(OFFERED))
    info = negotiation._negotiate_cached.cache_info()
    assert (info.hits, info.misses) == (1, 1)


GARBAGE = [
    "\x00",
    '"',
    '""',
    'a/b;x="',
    'a/b;x="\\',
    'a/b;x="\\"',
    "/",
    "*/",
    "/*",
    "*/*;q=",
    "*/*;q",
    ";q=1",
    "a/b;=x",
    "a/b;q=1e0",
    "a/b;q=nan",
    "a/b;q=inf",
    "a/b;q=0x1",
    "\ud800/x",
    "ａ/ｂ",
    "a/b/c",
    ",",
    ";",
    "=",
    "a/b;q=0.5=1",
    "\\" * 1000,
    '"' * 1001,
    ",".join(["a/b;x=\"y,z\""] * 2000),
]


@pytest.mark.parametrize("accept", GARBAGE)
def test_negotiate_never_raises(accept: str) -> None:
    assert negotiate(accept, OFFERED) in (*OFFERED, None)
    assert isinstance(parse_accept(accept), list)


# --- parse_accept ----------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("", []),
        ("   ", []),
        ("application/json", [MediaRange("application", "json", 1.0, ())]),
        ("*/*", [MediaRange("*", "*", 1.0, ())]),
        ("text/*;q=0.25", [MediaRange("text", "*", 0.25, ())]),
        (
            "a/b, c/d;q=0",
            [MediaRange("a", "b", 1.0, ()), MediaRange("c", "d", 0.0, ())],
        ),
        (
            'Text/HTML ; Level = 1 ; Q = 0.5 ; Foo="A,b;c"',
            [MediaRange("text", "html", 0.5, (("level", "1"), ("foo", "A,b;c")))],
        ),
        ('a/b;x="y\\"z"', [MediaRange("a", "b", 1.0, (("x", 'y"z'),))]),
        ('a/b;x=""', [MediaRange("a", "b", 1.0, (("x", ""),))]),
        ("a/b;;x=1;", [MediaRange("a", "b", 1.0, (("x", "1"),))]),
        ("a/b;q=1.", [MediaRange("a", "b", 1.0, ())]),
        ("a/b;q=0.001", [MediaRange("a", "b", 0.001, ())]),
        ("garbage, */json, a/b;q=x, a/b;q=1.5, c/d", [MediaRange("c", "d", 1.0, ())]),
        (
            f"{VND_JSON};version=2",
            [MediaRange("application", "vnd.example.org.author+json", 1.0, (("version", "2"),))],
        ),
        (" , a/b ,, ", [MediaRange("a", "b", 1.0, ())]),
    ],
)
def test_parse_accept(header: str, expected: list[MediaRange]) -> None:
    assert parse_accept(header) == expected


def test_media_range_specificity() -> None:
    assert [r.specificity for r in parse_accept("*/*, text/*, text/html")] == [0, 1, 2]


def test_media_range_is_frozen() -> None:
    media_range = MediaRange("a", "b", 1.0, ())
    with pytest.raises(AttributeError):
        media_range.q = 0.5  # type: ignore[misc]


@pytest.mark.parametrize(
    ("pattern", "media_type", "expected"),
    [
        ("*/*", JSON, True),
        ("application/*", JSON, True),
        ("application/*", "text/html", False),
        ("application/json", "APPLICATION/JSON", True),
        (f"{VND_JSON};version=2", VND_JSON, True),
        (VND_JSON, f"{VND_JSON}; version=2", True),
        ("application/json", XML, False),
        ("*/json", JSON, False),
        ("garbage", JSON, False),
    ],
)
def test_media_type_matches(pattern: str, media_type: str, expected: bool) -> None:
    assert media_type_matches(pattern, media_type) is expected


def test_public_names() -> None:
    assert sorted(negotiation.__all__) == [
        "MediaRange",
        "media_type_matches",
        "negotiate",
        "parse_accept",
        "quality",
    ]
