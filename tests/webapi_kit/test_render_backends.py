"""The fast renderers against their references.

:class:`XMLRenderer` writes text; :class:`LxmlXMLRenderer` builds the same
document with lxml. They must agree byte for byte on every payload. The
orjson JSON backend must agree in meaning with the standard encoder, and
fall back to it for what orjson cannot write exactly.
"""

from __future__ import annotations

import datetime
import decimal
import json
import random
import uuid
from typing import Any

import pytest
from django.test import override_settings

from webapi_kit.renderers import JSONRenderer, LxmlXMLRenderer, XMLRenderer
from webapi_kit.rows import ItemRows, ItemShape

# Characters that exercise every escaping rule: markup, quotes, whitespace
# that attributes escape, controls XML cannot carry, non-ASCII, surrogates.
_ALPHABET = list("abcXYZ019 _-.:") + ["&", "<", ">", '"', "'", "\t", "\n", "\r", "\x00", "\x1f", "\x7f",
                                       "é", "中", "😀", "\ufffe", "\ud800"]
_KEYS = ["id", "name", "links", "href", "method", "array", "item", "7", "with space", "1.partition",
         "max-results", "xml_ok", "", "é", "a<b"]


def _text(rng: random.Random) -> str:
    return "".join(rng.choice(_ALPHABET) for _ in range(rng.randint(0, 12)))


def _value(rng: random.Random, depth: int) -> Any:
    kinds = ["str", "int", "float", "bool", "none", "datetime", "decimal", "uuid", "date"]
    if depth < 4:
        kinds += ["dict", "dict", "list"]
    kind = rng.choice(kinds)
    if kind == "str":
        return _text(rng)
    if kind == "int":
        return rng.choice([0, -1, 7, 2**70, rng.randint(-(10**6), 10**6)])
    if kind == "float":
        return rng.choice([0.5, -1.25, 1e300, 3.0])
    if kind == "bool":
        return rng.random() < 0.5
    if kind == "none":
        return None
    if kind == "datetime":
        zone = rng.choice([datetime.timezone.utc, datetime.timezone(datetime.timedelta(hours=2)), None])
        return datetime.datetime(2024, 1, 2, 3, 4, 5, rng.choice([0, 250000]), tzinfo=zone)
    if kind == "decimal":
        return decimal.Decimal(rng.choice(["0.1", "1323973966.2826370", "-5", "1E+3"]))
    if kind == "uuid":
        return uuid.UUID(int=rng.getrandbits(128))
    if kind == "date":
        return datetime.date(2024, 2, 29)
    if kind == "list":
        return [_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return {rng.choice(_KEYS + [_text(rng)]): _value(rng, depth + 1) for _ in range(rng.randint(0, 5))}


def _corpus(count: int, seed: int) -> list[Any]:
    rng = random.Random(seed)
    return [{"stat": "ok", **{rng.choice(_KEYS): _value(rng, 1) for _ in range(4)}} for _ in range(count)]


@pytest.mark.parametrize("seed", range(8))
def test_text_xml_equals_lxml_xml_byte_for_byte(seed: int) -> None:
    fast, reference = XMLRenderer(), LxmlXMLRenderer()
    for payload in _corpus(150, seed):
        assert fast.render(payload) == reference.render(payload), payload


def test_text_xml_equals_lxml_for_a_typical_page() -> None:
    href = "http://testserver/api/items/1/"
    item = {
        "id": 1, "name": "Fish & <Chips>", "bio": "", "nothing": None, "ok": True, "tags": [], "extra": {},
        "links": {"self": {"method": "GET", "href": href}, "author": {"method": "GET", "href": href, "title": "A \"B\""}},
    }
    payload = {"stat": "ok", "items": [item, item], "links": {}, "total_results": 2}
    assert XMLRenderer().render(payload) == LxmlXMLRenderer().render(payload)


orjson = pytest.importorskip("orjson")


def _stdlib(payload: Any) -> bytes:
    with override_settings(WEBAPI_KIT={"JSON_BACKEND": "stdlib"}):
        return JSONRenderer().render(payload)


def _orjson(payload: Any) -> bytes:
    with override_settings(WEBAPI_KIT={"JSON_BACKEND": "orjson"}):
        return JSONRenderer().render(payload)


def _utc(value: Any) -> Any:
    """The payload with every datetime in UTC (orjson keeps other offsets)."""
    if isinstance(value, dict):
        return {key: _utc(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_utc(item) for item in value]
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        return value.astimezone(datetime.timezone.utc)
    return value


@pytest.mark.parametrize("seed", range(4))
def test_orjson_means_the_same_as_the_standard_encoder(seed: int) -> None:
    for payload in _corpus(150, seed):
        payload = _utc(payload)
        assert json.loads(_orjson(payload)) == json.loads(_stdlib(payload))


def test_orjson_writes_the_dialect_compactly_with_sorted_keys() -> None:
    payload = {"stat": "ok", "b": [1, None, True], "a": datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)}
    assert _orjson(payload) == b'{"a":"2024-01-02T03:04:05Z","b":[1,null,true],"stat":"ok"}'
    assert _stdlib(payload) == b'{"a": "2024-01-02T03:04:05Z", "b": [1, null, true], "stat": "ok"}'


@pytest.mark.parametrize(
    "payload",
    [
        {"timestamp": decimal.Decimal("1323973966.2826370")},  # exact literal
        {"big": 2**70},  # beyond orjson's 64-bit integers
        {"text": "lone \ud800 surrogate"},  # not valid UTF-8
    ],
)
def test_what_orjson_cannot_write_exactly_falls_back_to_the_standard_encoder(payload: dict[str, Any]) -> None:
    # The same values, written as compactly as everything else orjson writes.
    fallback = _orjson(payload)
    assert json.loads(fallback) == json.loads(_stdlib(payload))
    assert b", " not in fallback and b'": ' not in fallback


def test_a_decimal_stays_an_exact_literal_in_the_compact_fallback() -> None:
    assert _orjson({"t": decimal.Decimal("1323973966.2826370"), "a": [1, 2]}) == b'{"a":[1,2],"t":1323973966.2826370}'


def test_orjson_backend_without_orjson_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.core.exceptions import ImproperlyConfigured

    from webapi_kit import renderers

    monkeypatch.setattr(renderers, "orjson", None)
    with pytest.raises(ImproperlyConfigured):
        _orjson({"a": 1})
    assert _stdlib({"a": 1}) == b'{"a": 1}'


def test_xml_pages_are_written_alike_whatever_the_json_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    # Rows' datetimes are written by orjson when it is there; XML never needs it.
    from webapi_kit import renderers

    shape = ItemShape(fields=("created",), links=(("self", "GET", ""),), read=lambda obj: obj)
    created = [datetime.datetime(year, 2, 3, 4, 5, 6, micro, tzinfo=datetime.timezone.utc)
               for year, micro in ((1, 0), (999, 7), (2024, 999999))]

    def page() -> bytes:
        return XMLRenderer().render({"items": ItemRows(shape, [((value,), f"http://t/{n}/") for n, value in enumerate(created)])})

    with_orjson = page()
    assert b"<created>0999-02-03T04:05:06.000007Z</created>" in with_orjson
    monkeypatch.setattr(renderers, "orjson", None)
    with override_settings(WEBAPI_KIT={"JSON_BACKEND": "orjson"}):  # misconfigured: JSON answers fail, XML does not
        assert page() == with_orjson
