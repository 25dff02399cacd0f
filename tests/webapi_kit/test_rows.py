"""Pages as rows: what a client receives must not depend on the shortcut.

A resource whose fields are plain attributes serializes its pages as
:class:`ItemRows`, which the XML renderer writes column by column without
building the item dicts. These tests hold that path to the general one:
the same bytes in both formats for any values, the same items for anyone
who reads them, and the general path wherever a resource customises
serialization.
"""

from __future__ import annotations

import datetime
from dataclasses import replace
import decimal
import enum
import random
import uuid
from typing import Any

import pytest
from django.test import Client, override_settings
from django.urls import include, path

from tests.testapp.models import Author, Book
from tests.webapi_kit.test_render_backends import _KEYS, _text, _value
from webapi_kit.api import API
from webapi_kit.context import RequestContext
from webapi_kit.envelopes import StatEnvelope
from webapi_kit.fields import DateTime, Int, String
from webapi_kit.renderers import JSONRenderer, LxmlXMLRenderer, XMLRenderer, parse_xml
from webapi_kit.resource import WebAPIResource
from webapi_kit.responses import APIResponse
from webapi_kit.rows import ItemRows, ItemShape

UTC = datetime.timezone.utc


# ---------------------------------------------------------------------------
# The renderers: rows against the dicts they stand for.


class Colour(enum.Enum):
    RED = "red"
    NESTED = {"a": [1, None]}


def _shape(rng: random.Random) -> ItemShape:
    names = rng.sample([key for key in _KEYS if key != "links"] + ["50%", "%s", "%(x)s", "count"], rng.randint(1, 6))
    rels = rng.sample(["self", "update", "delete", "with space", "array", "%s", "é"], rng.randint(1, 4))
    methods = ["GET", "PUT", "DELETE", "A&B"]
    suffixes = ["", "books/", "a&b/", "%s/", "<x>/"]
    links = tuple((rel, rng.choice(methods), rng.choice(suffixes)) for rel in rels)
    return ItemShape(fields=tuple(names), links=links, read=lambda obj: obj)


def _column(rng: random.Random, count: int) -> list[Any]:
    """One field's values down a page: mostly of one type, as a model's are."""
    kind = rng.choice(["plain_str", "any_str", "int", "utc", "mixed_tz", "bool", "mostly_none", "anything"])
    if kind == "plain_str":
        return [f"value {n}" for n in range(count)]
    if kind == "any_str":
        return [_text(rng) for _ in range(count)]
    if kind == "int":
        return [rng.choice([0, -3, 2**70, 10**6]) for _ in range(count)]
    if kind == "utc":
        return [
            datetime.datetime(rng.choice([1, 999, 2024, 9999]), rng.randint(1, 12), rng.randint(1, 28), rng.randint(0, 23),
                              n % 60, rng.randint(0, 59), rng.choice([0, 7, 250000, 999999]), tzinfo=UTC)
            for n in range(count)
        ]
    if kind == "mixed_tz":
        zones = [UTC, datetime.timezone(datetime.timedelta(hours=-5)), None]
        return [datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=rng.choice(zones)) for _ in range(count)]
    if kind == "bool":
        return [rng.random() < 0.5 for _ in range(count)]
    if kind == "mostly_none":
        return [None if rng.random() < 0.8 else rng.randint(0, 9) for _ in range(count)]
    extras = [Colour.RED, Colour.NESTED, decimal.Decimal("0.10"), uuid.UUID(int=7), 0.5, {}, [], {"k": [None]}]
    return [rng.choice(extras) if rng.random() < 0.3 else _value(rng, 2) for _ in range(count)]


def _rows(rng: random.Random) -> ItemRows:
    shape = _shape(rng)
    count = rng.choice([0, 1, 3, 25])
    columns = [_column(rng, count) for _ in shape.fields]
    hrefs = [rng.choice(["http://testserver/api/items/", "http://h/a&b/<c>/"]) + f"{n}/" for n in range(count)]
    return ItemRows(shape, [(tuple(values), href) for values, href in zip(zip(*columns), hrefs)] if columns else [])


def _payload(rng: random.Random, rows: ItemRows) -> Any:
    """Rows where a page, an expanded child list or a nested value puts them."""
    return rng.choice([
        {"stat": "ok", "items": rows, "links": {"self": {"method": "GET", "href": "x"}}, "total_results": len(rows)},
        {"stat": "ok", "item": {"id": 1, "books": rows}},
        {"stat": "ok", "pages": [rows, {"deep": rows}]},
        rows,
    ])


def _as_dicts(rng_seed: int) -> Any:
    rng = random.Random(rng_seed)
    rows = _rows(rng)
    items = ItemRows(rows.shape, rows.rows).items()
    return _payload(rng, items)  # the same choices, with plain lists


def _as_rows(rng_seed: int) -> tuple[Any, ItemRows]:
    rng = random.Random(rng_seed)
    rows = _rows(rng)
    return _payload(rng, rows), rows


@pytest.mark.parametrize("json_backend", ["auto", "stdlib"])  # with orjson, rows' datetimes are written by it
@pytest.mark.parametrize("seed", range(6))
def test_xml_of_rows_is_the_xml_of_their_dicts_byte_for_byte(seed: int, json_backend: str) -> None:
    with override_settings(WEBAPI_KIT={"JSON_BACKEND": json_backend}):
        for case in range(120):
            payload, rows = _as_rows(seed * 1000 + case)
            expected = XMLRenderer().render(_as_dicts(seed * 1000 + case))
            assert XMLRenderer().render(payload) == expected, rows.rows
            assert not rows.materialized
            assert LxmlXMLRenderer().render(payload) == expected


def test_a_typical_page_in_xml() -> None:
    shape = ItemShape(
        fields=("id", "name", "created", "count"),
        links=(("self", "GET", ""), ("delete", "DELETE", ""), ("books", "GET", "books/")),
        read=lambda obj: obj,
    )
    created = datetime.datetime(2024, 1, 2, 3, 4, 5, 7, tzinfo=UTC)
    rows = ItemRows(shape, [((1, "Fish & <Chips>", created, None), "http://testserver/api/items/1/")])
    assert XMLRenderer().render({"items": rows}).decode() == "\n".join([
        '<?xml version="1.0" encoding="utf-8"?>',
        "<rsp>",
        " <items>",
        "  <array>",
        "   <item>",
        "    <id>1</id>",
        "    <name>Fish &amp; &lt;Chips&gt;</name>",
        "    <created>2024-01-02T03:04:05.000007Z</created>",
        '    <count null="true"/>',
        "    <links>",
        "     <self>",
        "      <method>GET</method>",
        "      <href>http://testserver/api/items/1/</href>",
        "     </self>",
        "     <delete>",
        "      <method>DELETE</method>",
        "      <href>http://testserver/api/items/1/</href>",
        "     </delete>",
        "     <books>",
        "      <method>GET</method>",
        "      <href>http://testserver/api/items/1/books/</href>",
        "     </books>",
        "    </links>",
        "   </item>",
        "  </array>",
        " </items>",
        "</rsp>",
    ])


def test_rows_read_as_the_item_dicts_and_keep_changes() -> None:
    shape = ItemShape(fields=("id", "name"), links=(("self", "GET", ""),), read=lambda obj: obj)
    rows = ItemRows(shape, [((1, "a"), "http://h/1/"), ((2, "b"), "http://h/2/")])
    assert len(rows) == 2
    assert not rows.materialized
    assert rows[0] == {"id": 1, "name": "a", "links": {"self": {"method": "GET", "href": "http://h/1/"}}}
    assert rows.materialized
    assert [item["id"] for item in rows] == [1, 2]
    assert rows == rows.items() and rows == ItemRows(shape, list(rows.rows))
    assert rows != ItemRows(shape, rows.rows[:1])
    # Whoever read the items may have changed them: renderers write the change.
    rows[1]["name"] = "changed & more"
    del rows[0]["links"]
    document = parse_xml(XMLRenderer().render({"items": rows}))
    assert document["items"][0] == {"id": "1", "name": "a"}
    assert document["items"][1]["name"] == "changed & more"


# ---------------------------------------------------------------------------
# Resources: which pages are rows, and that clients cannot tell.


class PlainAuthorResource(WebAPIResource):
    name = "author"
    model = Author
    fields = {
        "id": Int(), "name": String(), "bio": String(), "birth_year": Int(), "timestamp": DateTime(),
    }
    allowed_methods = ("GET", "PUT", "DELETE")


class AuthorBookResource(WebAPIResource):
    name = "book"
    model = Book
    model_parent_key = "author"
    fields = {"id": Int(), "title": String()}


PlainAuthorResource.item_child_resources = [AuthorBookResource()]


class AnnotatedAuthorResource(WebAPIResource):
    """Overrides serialize_object: its lists must go through it."""

    name = "annotated"
    model = Author
    fields = {"id": Int(), "name": String()}

    def serialize_object(self, obj: Any, ctx: RequestContext, href: str | None = None) -> dict[str, Any]:
        item = super().serialize_object(obj, ctx, href)
        item["shout"] = obj.name.upper()
        return item


class StampingEnvelope(StatEnvelope):
    """Edits the items it wraps, as an envelope may."""

    def page(self, resource: Any, items: Any, *, links: Any, total_results: int) -> Any:
        for item in items:
            item["stamped"] = True
        return super().page(resource, items, links=links, total_results=total_results)


class StampedAuthorResource(WebAPIResource):
    name = "stamped"
    model = Author
    fields = {"id": Int(), "name": String()}
    envelope = StampingEnvelope()


plain_resource = PlainAuthorResource()
api = API(
    [plain_resource, AnnotatedAuthorResource(), StampedAuthorResource()],
    mimetype_vendor="test",
)
urlpatterns = [path("rows/", include(api.urls))]

pytestmark = pytest.mark.urls(__name__)


@pytest.fixture
def authors(db: None) -> list[Author]:
    made = [
        Author.objects.create(name="Ursula & <Le Guin>", bio="Earthsea\x07", birth_year=1929),
        Author.objects.create(name="Octavia Butler", bio="", birth_year=None),
        Author.objects.create(name="Stanisław Lem", bio="Solaris 😀", birth_year=1921),
    ]
    Book.objects.create(author=made[0], title="A Wizard of Earthsea")
    return made


ACCEPTS = ["application/json", "application/xml"]


@pytest.mark.parametrize("accept", ACCEPTS)
@pytest.mark.parametrize("query", ["", "?start=1&max-results=2"])
def test_a_page_as_rows_is_byte_for_byte_the_general_page(
    client: Client, authors: list[Author], monkeypatch: pytest.MonkeyPatch, accept: str, query: str
) -> None:
    fast = client.get(f"/rows/authors/{query}", HTTP_ACCEPT=accept)
    monkeypatch.setattr(plain_resource, "_page_shape", None)
    general = client.get(f"/rows/authors/{query}", HTTP_ACCEPT=accept)
    assert fast.status_code == general.status_code == 200
    assert fast.content == general.content
    assert fast["ETag"] == general["ETag"]


def test_a_plain_xml_page_is_rows_and_any_other_is_dicts(authors: list[Author], rf: Any) -> None:
    objs = list(Author.objects.all())
    formats = plain_resource.formats["list"]
    xml = RequestContext(
        request=rf.get("/"), format=formats.for_renderer(XMLRenderer()), base_url="http://testserver/rows/", kwargs={}
    )
    page = plain_resource.serialize_list(objs, xml, "http://testserver/rows/authors/")
    assert isinstance(page, ItemRows)
    assert page[0]["links"]["books"] == {"method": "GET", "href": f"http://testserver/rows/authors/{objs[0].pk}/books/"}
    others = [
        replace(xml, format=formats.default),  # JSON: orjson takes lists of dicts fastest
        xml.nested(frozenset({"books"})),
        replace(xml, only_fields=frozenset({"id"})),
        replace(xml, only_links=frozenset()),
    ]
    for ctx in others:
        assert type(plain_resource.serialize_list(objs, ctx, "http://testserver/rows/authors/")) is list


def test_xml_list_values_survive(client: Client, authors: list[Author]) -> None:
    items = parse_xml(client.get("/rows/authors/", HTTP_ACCEPT="application/xml").content)["authors"]
    assert [item["name"] for item in items] == ["Ursula & <Le Guin>", "Octavia Butler", "Stanisław Lem"]
    assert [item["bio"] for item in items] == ["Earthsea\ufffd", "", "Solaris 😀"]
    assert [item["birth_year"] for item in items] == ["1929", None, "1921"]
    stamp = authors[0].timestamp.astimezone(UTC).replace(tzinfo=None).isoformat() + "Z"
    assert items[0]["timestamp"] == stamp


@pytest.mark.parametrize("accept", ACCEPTS)
def test_an_overridden_serialize_object_is_used_for_lists(client: Client, authors: list[Author], accept: str) -> None:
    response = client.get("/rows/annotateds/", HTTP_ACCEPT=accept)
    assert response.status_code == 200
    body = parse_xml(response.content) if accept == "application/xml" else response.json()
    assert [item["shout"] for item in body["annotateds"]] == ["URSULA & <LE GUIN>", "OCTAVIA BUTLER", "STANISŁAW LEM"]


@pytest.mark.parametrize("accept", ACCEPTS)
def test_what_an_envelope_changes_in_the_items_is_sent(client: Client, authors: list[Author], accept: str) -> None:
    response = client.get("/rows/stampeds/", HTTP_ACCEPT=accept)
    assert response.status_code == 200
    body = parse_xml(response.content) if accept == "application/xml" else response.json()
    assert [item["stamped"] for item in body["stampeds"]] == (["true"] * 3 if accept == "application/xml" else [True] * 3)


def test_a_field_named_links_is_not_a_shape() -> None:
    # The item's links would replace it: such a resource takes the general path.
    with pytest.raises(ValueError, match="links"):
        ItemShape(fields=("id", "links"), links=(("self", "GET", ""),), read=lambda obj: obj)


@pytest.mark.parametrize(
    ("fields", "links"),
    [
        ((), (("self", "GET", ""),)),
        (("id",), ()),
        (("id", "id"), (("self", "GET", ""),)),
        (("id",), (("self", "GET", ""), ("update", "PUT", ""), ("update", "GET", "update/"))),
    ],
)
def test_shapes_that_dicts_would_collapse_are_refused(fields: tuple[str, ...], links: Any) -> None:
    with pytest.raises(ValueError):
        ItemShape(fields=fields, links=links, read=lambda obj: obj)


class UTCAlike(datetime.tzinfo):
    """UTC as some libraries spell it (dateutil's tzutc): equal to UTC, unhashable."""

    def utcoffset(self, dt: Any) -> datetime.timedelta:
        return datetime.timedelta(0)

    def dst(self, dt: Any) -> datetime.timedelta:
        return datetime.timedelta(0)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, datetime.tzinfo) and other.utcoffset(None) == datetime.timedelta(0)

    __hash__ = None  # type: ignore[assignment]


class Nothing(enum.Enum):
    NONE = None


class ItemRowsSubclass(ItemRows):
    pass


def test_unusual_values_and_rows_render_as_their_dicts() -> None:
    shape = ItemShape(fields=("when", "none", "tags"), links=(("self", "GET", ""),), read=lambda obj: obj)
    when = datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTCAlike())
    rows = [((when, Nothing.NONE, [Nothing.NONE, 1]), "http://h/1/")]
    for kind in (ItemRows, ItemRowsSubclass):
        payload = {"items": kind(shape, rows), "none": Nothing.NONE}
        expected = XMLRenderer().render({"items": ItemRows(shape, rows).items(), "none": Nothing.NONE})
        assert XMLRenderer().render(payload) == expected == LxmlXMLRenderer().render(payload)
        assert b"<when>2024-01-02T03:04:05Z</when>" in expected
        assert b'<none null="true"/>' in expected and b'<item null="true"/>' in expected


def test_renderers_that_override_render_are_handed_lists_unless_they_say_so() -> None:
    class Plain(XMLRenderer):
        pass

    class Own(XMLRenderer):
        def render(self, data: Any) -> bytes:
            return b""

    class OwnThatTakesRows(Own):
        accepts_rows = True

    assert XMLRenderer.accepts_rows and LxmlXMLRenderer.accepts_rows and Plain.accepts_rows
    assert not Own.accepts_rows and OwnThatTakesRows.accepts_rows
    assert not JSONRenderer.accepts_rows


class UpdateCountResource(WebAPIResource):
    """A singleton child named like the parent's ``update`` link."""

    name = "update"
    singleton = True

    def get(self, request: Any, data: Any, **kwargs: str) -> APIResponse:
        return APIResponse({"count": 0})


class CollidingAuthorResource(WebAPIResource):
    name = "colliding"
    model = Author
    fields = {"id": Int(), "name": String()}
    allowed_methods = ("GET", "PUT")
    item_child_resources = [UpdateCountResource()]


class OldStyleSerializerResource(WebAPIResource):
    """Overrides serialize_object without ``href``, at an explicit item path."""

    name = "oldstyle"
    model = Author
    list_path = "old/"
    item_path = "old/by-id/{oldstyle_id}/"
    fields = {"id": Int(), "name": String()}

    def serialize_object(self, obj: Any, ctx: RequestContext) -> dict[str, Any]:  # type: ignore[override]
        return {"id": obj.pk, "name": obj.name}


extra_api = API([CollidingAuthorResource(), OldStyleSerializerResource()], mimetype_vendor="test")
urlpatterns += [path("extra/", include(extra_api.urls))]


@pytest.mark.parametrize("accept", ACCEPTS)
def test_a_child_named_like_a_link_replaces_it_as_in_items(client: Client, authors: list[Author], accept: str) -> None:
    response = client.get("/extra/collidings/", HTTP_ACCEPT=accept)
    assert response.status_code == 200
    body = parse_xml(response.content) if accept == "application/xml" else response.json()
    links = body["collidings"][0]["links"]
    assert list(links) == ["self", "update"]
    assert links["update"] == {"method": "GET", "href": f"http://testserver/extra/collidings/{authors[0].pk}/update/"}
    assert response.content.count(b"<update>") == (len(authors) if accept == "application/xml" else 0)


@pytest.mark.parametrize("accept", ACCEPTS)
def test_a_serialize_object_without_href_still_serves_lists(client: Client, authors: list[Author], accept: str) -> None:
    response = client.get("/extra/old/", HTTP_ACCEPT=accept)
    assert response.status_code == 200
    body = parse_xml(response.content) if accept == "application/xml" else response.json()
    assert [item["name"] for item in body["oldstyles"]] == [author.name for author in authors]


class NamedAuthorResource(WebAPIResource):
    """Keyed by name: keys that need quoting, or only some of it."""

    name = "named"
    model = Author
    model_object_key = "name"
    uri_object_key_regex = "[^/]+"
    fields = {"id": Int(), "name": String()}


urlpatterns += [path("named/", include(API([NamedAuthorResource()], mimetype_vendor="test").urls))]


@pytest.mark.parametrize("accept", ACCEPTS)
def test_an_item_has_one_url_in_its_list_and_on_its_own(client: Client, db: None, accept: str) -> None:
    names = ["a:b@c", "x y", "ü", "50%", "plain"]
    for name in names:
        Author.objects.create(name=name)
    listed = client.get("/named/nameds/", HTTP_ACCEPT=accept)
    body = parse_xml(listed.content) if accept == "application/xml" else listed.json()
    hrefs = [item["links"]["self"]["href"] for item in body["nameds"]]
    assert hrefs == [
        "http://testserver/named/nameds/a:b@c/",
        "http://testserver/named/nameds/x%20y/",
        "http://testserver/named/nameds/%C3%BC/",
        "http://testserver/named/nameds/50%25/",
        "http://testserver/named/nameds/plain/",
    ]
    for href in hrefs:
        item = client.get(href, HTTP_ACCEPT=accept)
        assert item.status_code == 200, href
        own = parse_xml(item.content) if accept == "application/xml" else item.json()
        assert own["named"]["links"]["self"]["href"] == href
