"""Tests for webapi_kit.renderers: JSON and XML bytes, and parse_xml."""

from __future__ import annotations

import datetime
import enum
import json
import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from webapi_kit import renderers
from webapi_kit.renderers import JSONRenderer, Renderer, XMLRenderer, parse_xml

UTC = datetime.timezone.utc


def render_json(data: Any) -> bytes:
    return JSONRenderer().render(data)


def render_xml(data: Any) -> bytes:
    return XMLRenderer().render(data)


def xml_doc(*lines: str) -> bytes:
    """An XMLRenderer document whose <rsp> holds ``lines`` (already indented)."""
    body = "\n".join(['<?xml version="1.0" encoding="utf-8"?>', "<rsp>", *lines, "</rsp>"])
    return body.encode("utf-8")


# --- The djblets captures ----------------------------------------------------


def link(href: str, method: str) -> dict[str, str]:
    # djblets writes "method" before "href" in XML.
    return {"method": method, "href": href}


# 13-author-item-json.txt / 14-author-item-xml.txt, in djblets' XML key order.
AUTHOR_PAYLOAD: dict[str, Any] = {
    "stat": "ok",
    "author": {
        "id": 1,
        "name": "Ursula K. Le Guin",
        "bio": "SF author",
        "birth_year": 1929,
        "photo_name": "",
        "photo_size": 0,
        "timestamp": datetime.datetime(2026, 11, 22, 16, 33, 1, tzinfo=UTC),
        "links": {
            "self": link("http://testserver/api/authors/1/", "GET"),
            "update": link("http://testserver/api/authors/1/", "PUT"),
            "delete": link("http://testserver/api/authors/1/", "DELETE"),
            "books": link("http://testserver/api/authors/1/books/", "GET"),
        },
    },
}

AUTHOR_JSON = (
    b'{"author": {"bio": "SF author", "birth_year": 1929, "id": 1, "links": {"books": '
    b'{"href": "http://testserver/api/authors/1/books/", "method": "GET"}, "delete": '
    b'{"href": "http://testserver/api/authors/1/", "method": "DELETE"}, "self": '
    b'{"href": "http://testserver/api/authors/1/", "method": "GET"}, "update": '
    b'{"href": "http://testserver/api/authors/1/", "method": "PUT"}}, "name": '
    b'"Ursula K. Le Guin", "photo_name": "", "photo_size": 0, "timestamp": '
    b'"2026-11-22T16:33:01Z"}, "stat": "ok"}'
)

AUTHOR_XML = b"""<?xml version="1.0" encoding="utf-8"?>
<rsp>
 <stat>ok</stat>
 <author>
  <id>1</id>
  <name>Ursula K. Le Guin</name>
  <bio>SF author</bio>
  <birth_year>1929</birth_year>
  <photo_name></photo_name>
  <photo_size>0</photo_size>
  <timestamp>2026-11-22T16:33:01Z</timestamp>
  <links>
   <self>
    <method>GET</method>
    <href>http://testserver/api/authors/1/</href>
   </self>
   <update>
    <method>PUT</method>
    <href>http://testserver/api/authors/1/</href>
   </update>
   <delete>
    <method>DELETE</method>
    <href>http://testserver/api/authors/1/</href>
   </delete>
   <books>
    <method>GET</method>
    <href>http://testserver/api/authors/1/books/</href>
   </books>
  </links>
 </author>
</rsp>"""

# 01-root-json.txt / 02-root-xml.txt.
ROOT_PAYLOAD: dict[str, Any] = {
    "stat": "ok",
    "links": {
        "self": link("http://testserver/api/", "GET"),
        "authors": link("http://testserver/api/authors/", "GET"),
    },
    "uri_templates": {
        "root": "http://testserver/api/",
        "authors": "http://testserver/api/authors/",
        "author": "http://testserver/api/authors/{author_id}/",
        "books": "http://testserver/api/authors/{author_id}/books/",
        "book": "http://testserver/api/authors/{author_id}/books/{book_id}/",
    },
}

ROOT_JSON = (
    b'{"links": {"authors": {"href": "http://testserver/api/authors/", "method": "GET"}, '
    b'"self": {"href": "http://testserver/api/", "method": "GET"}}, "stat": "ok", '
    b'"uri_templates": {"author": "http://testserver/api/authors/{author_id}/", '
    b'"authors": "http://testserver/api/authors/", "book": '
    b'"http://testserver/api/authors/{author_id}/books/{book_id}/", "books": '
    b'"http://testserver/api/authors/{author_id}/books/", "root": "http://testserver/api/"}}'
)

ROOT_XML = b"""<?xml version="1.0" encoding="utf-8"?>
<rsp>
 <stat>ok</stat>
 <links>
  <self>
   <method>GET</method>
   <href>http://testserver/api/</href>
  </self>
  <authors>
   <method>GET</method>
   <href>http://testserver/api/authors/</href>
  </authors>
 </links>
 <uri_templates>
  <root>http://testserver/api/</root>
  <authors>http://testserver/api/authors/</authors>
  <author>http://testserver/api/authors/{author_id}/</author>
  <books>http://testserver/api/authors/{author_id}/books/</books>
  <book>http://testserver/api/authors/{author_id}/books/{book_id}/</book>
 </uri_templates>
</rsp>"""

# 51-400-invalid-form-post-xml.txt.
FIELD_ERROR_PAYLOAD: dict[str, Any] = {
    "stat": "fail",
    "err": {"code": 105, "msg": "One or more fields had errors", "type": "request-field-error"},
    "fields": {
        "name": ["This field is required"],
        "birth_year": ['"abc" is not an integer'],
    },
}

FIELD_ERROR_XML = b"""<?xml version="1.0" encoding="utf-8"?>
<rsp>
 <stat>fail</stat>
 <err>
  <code>105</code>
  <msg>One or more fields had errors</msg>
  <type>request-field-error</type>
 </err>
 <fields>
  <name>
   <array>
    <item>This field is required</item>
   </array>
  </name>
  <birth_year>
   <array>
    <item>"abc" is not an integer</item>
   </array>
  </birth_year>
 </fields>
</rsp>"""


@pytest.mark.parametrize(
    ("payload", "expected"),
    [(AUTHOR_PAYLOAD, AUTHOR_JSON), (ROOT_PAYLOAD, ROOT_JSON)],
    ids=["author-item", "root"],
)
def test_json_matches_djblets_captures(payload: dict[str, Any], expected: bytes) -> None:
    assert render_json(payload) == expected
    assert len(expected) in (485, 443)  # the captures' Content-Length


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (AUTHOR_PAYLOAD, AUTHOR_XML),
        (ROOT_PAYLOAD, ROOT_XML),
        (FIELD_ERROR_PAYLOAD, FIELD_ERROR_XML),
    ],
    ids=["author-item", "root", "field-error"],
)
def test_xml_matches_djblets_captures(payload: dict[str, Any], expected: bytes) -> None:
    assert render_xml(payload) == expected
    assert len(expected) in (717, 592, 380)  # the captures' Content-Length


# --- encoder-primitive-types.txt ---------------------------------------------

PRIMITIVES: dict[str, Any] = {
    "stat": "ok",
    "flag_true": True,
    "flag_false": False,
    "nothing": None,
    "ratio": 0.5,
    "when": datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC),
    "int_keys": {7: "int key"},
    "nested": {"list": [1, "two", [3]]},
    "empty_list": [],
}


def test_primitives_json_matches_djblets() -> None:
    assert render_json(PRIMITIVES) == (
        b'{"empty_list": [], "flag_false": false, "flag_true": true, "int_keys": '
        b'{"7": "int key"}, "nested": {"list": [1, "two", [3]]}, "nothing": null, '
        b'"ratio": 0.5, "stat": "ok", "when": "2024-01-02T03:04:05Z"}'
    )


def test_primitives_xml() -> None:
    # djblets: <flag_true>1</flag_true>, <flag_false>0</flag_false>,
    # <nothing>\n </nothing>, <int value="7">, and <array>\n  </array>.
    assert render_xml(PRIMITIVES) == xml_doc(
        " <stat>ok</stat>",
        " <flag_true>true</flag_true>",
        " <flag_false>false</flag_false>",
        ' <nothing null="true"/>',
        " <ratio>0.5</ratio>",
        " <when>2024-01-02T03:04:05Z</when>",
        " <int_keys>",
        '  <entry key="7">int key</entry>',
        " </int_keys>",
        " <nested>",
        "  <list>",
        "   <array>",
        "    <item>1</item>",
        "    <item>two</item>",
        "    <item>",
        "     <array>",
        "      <item>3</item>",
        "     </array>",
        "    </item>",
        "   </array>",
        "  </list>",
        " </nested>",
        " <empty_list>",
        "  <array></array>",
        " </empty_list>",
    )


def test_null_and_empty_string_differ_in_xml() -> None:
    assert render_xml({"a": None, "b": ""}) == xml_doc(
        ' <a null="true"/>',
        " <b></b>",
    )
    assert parse_xml(render_xml({"a": None, "b": ""})) == {"a": None, "b": ""}


def test_null_and_empty_in_arrays() -> None:
    assert render_xml({"l": [None, "", []]}) == xml_doc(
        " <l>",
        "  <array>",
        '   <item null="true"/>',
        "   <item></item>",
        "   <item>",
        "    <array></array>",
        "   </item>",
        "  </array>",
        " </l>",
    )
    assert render_json({"l": [None, "", []]}) == b'{"l": [null, "", []]}'


def test_tuples_render_as_lists() -> None:
    assert render_json({"t": (1, 2)}) == b'{"t": [1, 2]}'
    assert render_xml({"t": (1, 2)}) == render_xml({"t": [1, 2]})


@pytest.mark.parametrize(
    ("data", "xml_lines"),
    [
        ({}, ()),
        ({"e": {}}, (" <e></e>",)),
        ([1], (" <array>", "  <item>1</item>", " </array>")),
        ("text", ()),
        (None, ()),
    ],
    ids=["empty-dict", "nested-empty-dict", "list", "string", "none"],
)
def test_xml_top_level_values(data: Any, xml_lines: tuple[str, ...]) -> None:
    rendered = render_xml(data)
    if data == {}:
        assert rendered == b'<?xml version="1.0" encoding="utf-8"?>\n<rsp></rsp>'
    elif data == "text":
        assert rendered == b'<?xml version="1.0" encoding="utf-8"?>\n<rsp>text</rsp>'
    elif data is None:
        assert rendered == b'<?xml version="1.0" encoding="utf-8"?>\n<rsp null="true"/>'
    else:
        assert rendered == xml_doc(*xml_lines)


# --- Keys ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "element"),
    [
        ("name", "<name>v</name>"),
        ("_private", "<_private>v</_private>"),
        ("a.b-c_1", "<a.b-c_1>v</a.b-c_1>"),
        ("xml_thing", "<xml_thing>v</xml_thing>"),
        ("entry", "<entry>v</entry>"),
        ("item", "<item>v</item>"),
        (7, '<entry key="7">v</entry>'),
        (-1, '<entry key="-1">v</entry>'),
        (True, "<true>v</true>"),  # the key as JSON writes it: "true"
        (None, "<null>v</null>"),
        (1.5, '<entry key="1.5">v</entry>'),
        ("1.partition", '<entry key="1.partition">v</entry>'),
        ("two words", '<entry key="two words">v</entry>'),
        ("a:b", '<entry key="a:b">v</entry>'),
        ("", '<entry key="">v</entry>'),
        ("-x", '<entry key="-x">v</entry>'),
        ("café", '<entry key="café">v</entry>'),
        ("array", '<entry key="array">v</entry>'),
        ('q"<&>', '<entry key="q&quot;&lt;&amp;&gt;">v</entry>'),
        ("a\x00b", '<entry key="a\ufffdb">v</entry>'),
    ],
)
def test_xml_keys(key: Any, element: str) -> None:
    assert render_xml({key: "v"}) == xml_doc(" " + element)
    expected_key = json.loads(render_json({key: "v"}))
    assert parse_xml(render_xml({key: "v"})) == (
        {"a\ufffdb": "v"} if key == "a\x00b" else expected_key
    )


def test_json_int_keys_become_strings() -> None:
    # As json.dumps: sorted as ints, then written as strings.
    assert render_json({10: "b", 7: "a"}) == b'{"7": "a", "10": "b"}'


def test_unsupported_key_type() -> None:
    with pytest.raises(TypeError):
        render_json({(1, 2): "v"})
    with pytest.raises(TypeError):
        render_xml({(1, 2): "v"})


def test_xml_keeps_insertion_order() -> None:
    assert render_xml({"b": 1, "a": 2}) == xml_doc(" <b>1</b>", " <a>2</a>")
    assert render_json({"b": 1, "a": 2}) == b'{"a": 2, "b": 1}'


# --- Scalars -----------------------------------------------------------------------


class Color(enum.Enum):
    RED = "red"


class Level(enum.IntEnum):
    HIGH = 3


class Mode(str, enum.Enum):
    FAST = "fast"


class Amount(enum.Enum):
    TEN = Decimal("10.00")


IST = datetime.timezone(datetime.timedelta(hours=5, minutes=30))


@pytest.mark.parametrize(
    ("value", "json_text", "xml_text"),
    [
        (datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC), '"2024-01-02T03:04:05Z"', None),
        (
            datetime.datetime(2024, 1, 2, 3, 4, 5, 250000, tzinfo=UTC),
            '"2024-01-02T03:04:05.250000Z"',
            None,
        ),
        (
            datetime.datetime(2024, 1, 2, 3, 4, 5, 1, tzinfo=UTC),
            '"2024-01-02T03:04:05.000001Z"',
            None,
        ),
        (datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=IST), '"2024-01-01T21:34:05Z"', None),
        (datetime.datetime(2024, 1, 2, 3, 4, 5), '"2024-01-02T03:04:05Z"', None),  # naive = UTC
        (datetime.date(2024, 1, 2), '"2024-01-02"', None),
        (datetime.time(3, 4, 5), '"03:04:05"', None),
        (datetime.time(3, 4, 5, 6), '"03:04:05.000006"', None),
        (
            uuid.UUID("12345678-1234-5678-1234-567812345678"),
            '"12345678-1234-5678-1234-567812345678"',
            None,
        ),
        (Color.RED, '"red"', None),
        (Level.HIGH, "3", None),
        (Mode.FAST, '"fast"', None),
        (Amount.TEN, "10.00", None),
        (0.5, "0.5", None),
        (0.1, "0.1", None),
        (1e100, "1e+100", None),
        (-0.0, "-0.0", None),
        (True, "true", None),
        (False, "false", None),
        (10**30, "1000000000000000000000000000000", None),
        (Decimal("0.1"), "0.1", None),
        (Decimal("1323973966.2826370"), "1323973966.2826370", None),
        (
            Decimal("123456789012345678901234567890"),
            "123456789012345678901234567890",
            None,
        ),
        (
            Decimal("0.123456789012345678901234567890"),
            "0.123456789012345678901234567890",
            None,
        ),
        (Decimal("-0.000"), "-0.000", None),
        (Decimal("1E+3"), "1E+3", None),
        (Decimal("1E-7"), "1E-7", None),
        ("", '""', None),
        ("plain", '"plain"', None),
    ],
)
def test_scalars(value: Any, json_text: str, xml_text: str | None) -> None:
    assert render_json({"v": value}) == f'{{"v": {json_text}}}'.encode()
    # XML text is the JSON text without the JSON quoting.
    expected_xml = json_text[1:-1] if json_text.startswith('"') else json_text
    rendered = f" <v>{expected_xml}</v>" if expected_xml else " <v></v>"
    assert render_xml({"v": value}) == xml_doc(rendered)


def test_decimals_are_exact_json_numbers() -> None:
    data = {
        "a": Decimal("0.1"),
        "b": [Decimal("1.10"), {"c": Decimal("123456789012345678901234567890.12")}],
        "s": "0.1",
    }
    rendered = render_json(data)
    assert rendered == (
        b'{"a": 0.1, "b": [1.10, {"c": 123456789012345678901234567890.12}], "s": "0.1"}'
    )
    assert json.loads(rendered, parse_float=Decimal)["b"][1]["c"] == Decimal(
        "123456789012345678901234567890.12"
    )


def test_decimal_marker_lookalike_strings_are_not_corrupted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    markers: Iterator[str] = iter(["MARK1:", "MARK2:"])
    monkeypatch.setattr(renderers, "_new_marker", lambda: next(markers))
    data = {"d": Decimal("2.5"), "s": "MARK1:1.5", "k": {"MARK1:3": 1}}
    # The first marker collides with user text, so a second one is used.
    assert render_json(data) == b'{"d": 2.5, "k": {"MARK1:3": 1}, "s": "MARK1:1.5"}'


def test_decimal_real_marker_lookalike() -> None:
    lookalike = "webapi-kit-decimal-" + "0" * 32 + ":1.5"
    data = {"d": Decimal("2.5"), "s": lookalike}
    assert json.loads(render_json(data)) == {"d": 2.5, "s": lookalike}


@pytest.mark.parametrize(
    "value",
    [
        Decimal("NaN"),
        Decimal("sNaN"),
        Decimal("Infinity"),
        Decimal("-Infinity"),
        float("nan"),
        float("inf"),
        float("-inf"),
    ],
)
@pytest.mark.parametrize("renderer", [JSONRenderer(), XMLRenderer()], ids=["json", "xml"])
def test_non_finite_numbers_raise_value_error(value: Any, renderer: Renderer) -> None:
    with pytest.raises(ValueError):
        renderer.render({"v": [value]})


class Opaque:
    pass


@pytest.mark.parametrize("value", [Opaque(), {1, 2}, b"bytes", 1 + 2j, object])
@pytest.mark.parametrize("renderer", [JSONRenderer(), XMLRenderer()], ids=["json", "xml"])
def test_unsupported_types_raise_type_error(value: Any, renderer: Renderer) -> None:
    with pytest.raises(TypeError):
        renderer.render({"v": value})


# --- Text ------------------------------------------------------------------------


def test_control_characters() -> None:
    data = {"s": "a\x00b\x1fc"}
    assert render_json(data) == b'{"s": "a\\u0000b\\u001fc"}'
    assert render_xml(data) == xml_doc(" <s>a\ufffdb\ufffdc</s>")


def test_other_characters_xml_cannot_carry() -> None:
    data = {"s": "x\ufffey\uffffz\ud800!\x0b\x0c"}
    assert render_xml(data) == xml_doc(" <s>x\ufffdy\ufffdz\ufffd!\ufffd\ufffd</s>")
    # JSON carries them all; the lone surrogate as an escape.
    rendered = render_json(data)
    assert rendered == '{"s": "x\ufffey\uffffz\\ud800!\\u000b\\f"}'.encode()
    assert json.loads(rendered) == data


def test_tab_newline_and_carriage_return_survive_xml() -> None:
    data = {"s": "a\tb\nc\rd", "q": "\"'<>&"}
    assert render_xml(data) == xml_doc(" <s>a\tb\nc&#13;d</s>", " <q>\"'&lt;&gt;&amp;</q>")
    assert parse_xml(render_xml(data)) == data


def test_non_ascii_text() -> None:
    data = {"name": "Ursula K. Le Guin — ☃ 日本語 𝄞"}
    assert render_json(data) == '{"name": "Ursula K. Le Guin — ☃ 日本語 𝄞"}'.encode()
    assert render_xml(data) == xml_doc(" <name>Ursula K. Le Guin — ☃ 日本語 𝄞</name>")
    assert parse_xml(render_xml(data)) == data


# --- Round trip --------------------------------------------------------------------


def test_xml_round_trip() -> None:
    data = {
        "stat": "ok",
        "flag": True,
        "nothing": None,
        "empty": "",
        "count": 3,
        "ratio": 0.25,
        "price": Decimal("1.10"),
        "when": datetime.datetime(2024, 1, 2, 3, 4, 5, 250000, tzinfo=UTC),
        "tags": ["a", None, "", ["b", []], {"x": 1}],
        "array": [1],
        7: "seven",
        "two words": {"nested": {"deeper": "yes"}},
        "ctl": "a\x00b",
    }
    assert parse_xml(render_xml(data)) == {
        "stat": "ok",
        "flag": "true",
        "nothing": None,
        "empty": "",
        "count": "3",
        "ratio": "0.25",
        "price": "1.10",
        "when": "2024-01-02T03:04:05.250000Z",
        "tags": ["a", None, "", ["b", []], {"x": "1"}],
        "array": ["1"],
        "7": "seven",
        "two words": {"nested": {"deeper": "yes"}},
        "ctl": "a\ufffdb",
    }


def test_parse_xml_rejects_malformed_input() -> None:
    from lxml import etree

    with pytest.raises(etree.XMLSyntaxError):
        parse_xml(b"<rsp>")


def test_parse_xml_does_not_expand_entities() -> None:
    document = (
        b'<?xml version="1.0"?><!DOCTYPE rsp [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        b"<rsp><a>1&e;2<!-- c -->3</a><b>&lt;</b></rsp>"
    )
    assert parse_xml(document) == {"a": "123", "b": "<"}


# --- The classes -------------------------------------------------------------------


def test_renderer_attributes() -> None:
    assert (JSONRenderer.format, JSONRenderer.media_type, JSONRenderer.suffix) == (
        "json",
        "application/json",
        "+json",
    )
    assert (XMLRenderer.format, XMLRenderer.media_type, XMLRenderer.suffix) == (
        "xml",
        "application/xml",
        "+xml",
    )
    assert issubclass(JSONRenderer, Renderer)
    assert issubclass(XMLRenderer, Renderer)


def test_base_renderer_is_abstract() -> None:
    with pytest.raises(NotImplementedError):
        Renderer().render({})


def test_public_names() -> None:
    assert sorted(renderers.__all__) == ["JSONRenderer", "LxmlXMLRenderer", "PageRenderer", "Renderer", "XMLRenderer", "parse_xml"]


def test_json_matches_stdlib_for_plain_data() -> None:
    data = {"b": [1, 2.5, None, True, "é"], "a": {"z": "", "y": {}}}
    expected = json.dumps(data, sort_keys=True, ensure_ascii=False).encode()
    assert render_json(data) == expected
