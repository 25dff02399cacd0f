"""Pages read from their columns, at the edges: field types, keys, models, querysets.

Each case holds the column path to the object path (the same bytes and
ETag in JSON and XML), or shows that code of the resource's own, which
could tell rows from objects, still gets objects. The models are at the
end of ``tests/testapp/models.py``.
"""

from __future__ import annotations

import decimal
from typing import Any

import pytest
from django.db import connection
from django.db.models.signals import post_init
from django.http import JsonResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import include, path, re_path

from tests.testapp.models import Author, Book, Gadget, Hero, Hooked, Keyed, KeyedChild, Person, Quest, Tally
from webapi_kit.api import API
from webapi_kit.fields import Int, String
from webapi_kit.modelhandlers import ColumnRows
from webapi_kit.pagination import Page
from webapi_kit.relations import Related
from webapi_kit.resource import WebAPIResource


class GadgetResource(WebAPIResource):
    name = "gadget"
    model = Gadget
    fields = {n: String() for n in ("uid", "slug", "label", "price", "data", "flag", "day", "ratio", "maker_id")}


class GadgetBySlug(WebAPIResource):
    name = "gslug"
    model = Gadget
    model_object_key = "slug"
    uri_object_key_regex = "[^/]+"
    fields = {"slug": String(), "label": String()}


class KeyedChildResource(WebAPIResource):
    name = "kchild"
    model = KeyedChild
    fields = {"id": Int(), "parent_id": String()}


class HeroResource(WebAPIResource):
    name = "hero"
    model = Hero
    fields = {"id": Int(), "name": String(), "rank": Int()}


class TallyResource(WebAPIResource):
    """Every column of its model, so the page is read with the objects' own query."""

    name = "tally"
    model = Tally
    fields = {"id": Int(), "person_id": Int(), "count": Int(), "index": Int(), "_order": Int()}


class PlainProxy(Author):
    """A proxy: no table of its own, so it can live here."""

    class Meta:
        proxy = True
        app_label = "testapp"


class ProxyResource(WebAPIResource):
    name = "proxy"
    model = PlainProxy
    fields = {"id": Int(), "name": String()}


class ReshapedBooks(WebAPIResource):
    name = "rbook"
    model = Book
    fields = {"id": Int(), "title": String(), "author_id": Int()}
    reshape: Any = staticmethod(lambda qs: qs)

    def get_queryset(self, request: Any, is_list: bool = False, **kwargs: str) -> Any:
        return self.reshape(super().get_queryset(request, is_list, **kwargs))


class HookedResource(WebAPIResource):
    name = "hooked"
    model = Hooked
    fields = {"id": Int(), "label": String()}


class MutatingResource(WebAPIResource):
    """Post-processes its objects in get_queryset (the queryset is evaluated)."""

    name = "mutated"
    model = Author
    fields = {"id": Int(), "name": String()}

    def get_queryset(self, request: Any, is_list: bool = False, **kwargs: str) -> Any:
        qs = super().get_queryset(request, is_list, **kwargs)
        for obj in qs:
            obj.name = "[redacted]"
        return qs


class AuditedResource(WebAPIResource):
    """Maps GET on the list to its own handler, which calls the default get_list."""

    name = "audited"
    model = Author
    fields = {"id": Int(), "name": String()}
    list_handlers = {"GET": "audited_list"}
    seen: list[Any] = []

    def audited_list(self, request: Any, data: Any, **kwargs: str) -> Any:
        page = self.get_list(request, data, **kwargs)
        AuditedResource.seen = [type(obj).__name__ for obj in page.items]
        assert all(isinstance(obj, Author) for obj in page.items), AuditedResource.seen
        return page


class PageHeaderResource(WebAPIResource):
    """Adds a header from the page's objects (a documented-looking override point)."""

    name = "headed"
    model = Author
    fields = {"id": Int(), "name": String()}

    def page_response(self, ctx: Any, page: Page) -> Any:
        response = super().page_response(ctx, page)
        response["X-Newest"] = str(max(obj.timestamp for obj in page.items))
        return response


class QuestResource(WebAPIResource):
    """Links each quest's person as a hero: some are plain Persons, not Heroes."""

    name = "quest"
    model = Quest
    fields = {"id": Int(), "person": Related("hero")}


class KwargsResource(WebAPIResource):
    """Overrides get_url_kwargs (a public, documented method)."""

    name = "kw"
    model = Author
    fields = {"id": Int(), "name": String()}
    model_object_key = "name"
    uri_object_key_regex = "[^/]+"

    def get_url_kwargs(self, obj: Any, known: Any = None) -> dict[str, str]:
        return {self.uri_object_key: obj.name.lower()}


class TieBooks(ReshapedBooks):
    name = "tbook"


gadgets = GadgetResource()
reshaped = ReshapedBooks()
resources = [
    gadgets, GadgetBySlug(), KeyedChildResource(), HeroResource(), ProxyResource(), reshaped,
    HookedResource(), MutatingResource(), AuditedResource(), PageHeaderResource(), QuestResource(), KwargsResource(),
    TieBooks(), TallyResource(),
]
api = API(resources, mimetype_vendor="test")
authors_res = next(r for r in resources if r.name == "mutated")


def plain_view(request: Any) -> Any:
    page = authors_res.get_list(request, {})
    return JsonResponse({"n": len(page.items)})


tenant_api = API([ProxyResource()], mimetype_vendor="test")
urlpatterns = [
    path("v/", include(api.urls)),
    path("plain/", plain_view),
    re_path(r"^(?P<tenant>[^/]+)/t/", include(tenant_api.urls)),
]
pytestmark = pytest.mark.urls(__name__)


@pytest.fixture
def data(db: None) -> dict[str, Any]:
    a1 = Author.objects.create(name="Ursula", bio="x", birth_year=1929, photo="p.png")
    a2 = Author.objects.create(name="Octavia")
    plain = Person.objects.create(name="Plain")
    hero = Hero.objects.create(name="Hero", rank=3)
    Quest.objects.create(person=plain, title="Errand")
    Quest.objects.create(person=hero, title="Dragon")
    Book.objects.create(author=a2, title="Kindred")
    Book.objects.create(author=a1, title="Earthsea")
    Book.objects.create(author=a1, title="Atuan")
    Gadget.objects.create(slug="b-two", label="hello", price=decimal.Decimal("1.500"), data={"k": [1, None, "é"], "a": 1.5},
                          flag=True, day="2024-02-29", ratio=0.1, maker=plain)
    Gadget.objects.create(slug="a-one", label="world", price=None, data=None, ratio=1e300)
    Gadget.objects.create(slug="c-3", label="json-str", data="just a string", price=decimal.Decimal("-0.001"))
    k = Keyed.objects.create(code="abc")
    KeyedChild.objects.create(parent=k)
    Hooked.objects.create(label="MiXeD")
    for count in (5, 0):
        Tally.objects.create(person=hero, count=count, index=-count)
    Tally.objects.create(person=plain, count=9, index=1)
    return {"a1": a1, "a2": a2}


def fetch(client: Client, url: str, accept: str) -> tuple[Any, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, HTTP_ACCEPT=accept)
    return response, [q["sql"] for q in queries]


def compare(
    client: Client, monkeypatch: pytest.MonkeyPatch, resource: WebAPIResource, url: str, rows: bool = True
) -> tuple[list[str], list[str]]:
    """Rows against objects in JSON and XML; the SQL of both paths.

    ``rows`` says whether the page is read as rows: the resource can be,
    but its queryset may not let it.
    """
    assert resource._page_columns is not None, "the resource reads pages as rows"
    read: list[object] = []
    iterate = ColumnRows.__iter__
    monkeypatch.setattr(ColumnRows, "__iter__", lambda self: (read.append(self), iterate(self))[1])
    for accept in ("application/json", "application/xml"):
        read.clear()
        fast, sql = fetch(client, url, accept)
        assert bool(read) == rows
        with monkeypatch.context() as m:
            m.setattr(resource, "_page_columns", None)
            general, general_sql = fetch(client, url, accept)
        assert fast.status_code == general.status_code == 200, (fast.content, general.content)
        assert fast.content == general.content, (fast.content, general.content)
        assert fast["ETag"] == general["ETag"]
    return sql, general_sql


def by_name(name: str) -> WebAPIResource:
    return next(r for r in api.walk() if r.name == name)


# --- output identity for field types -------------------------------------------------


def test_field_types_read_alike(client: Client, data: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    sql, _ = compare(client, monkeypatch, gadgets, "/v/gadgets/")
    (page_sql,) = [s for s in sql if "LIMIT" in s]
    assert '"uid"' in page_sql and '"maker_id"' in page_sql
    items = client.get("/v/gadgets/").json()["gadgets"]
    assert [item["label"] for item in items] == ["WORLD!", "HELLO!", "JSON-STR!"]  # from_db_value on both paths
    assert items[1]["data"] == {"k": [1, None, "é"], "a": 1.5} and items[2]["data"] == "just a string"


def test_a_page_of_every_column_is_read_with_the_objects_query(
    client: Client, data: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    sql, general_sql = compare(client, monkeypatch, by_name("tally"), "/v/tallys/")
    assert sql == general_sql
    items = client.get("/v/tallys/").json()["tallys"]
    # Ordered by _order alone: ties fall as the database likes.
    assert sorted((item["count"], item["index"], item["_order"]) for item in items) == [(0, 0, 1), (5, -5, 0), (9, 1, 0)]


@pytest.mark.parametrize("name", ["gslug", "kchild", "hero", "proxy"])
def test_keys_and_models_read_alike(client: Client, data: Any, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    compare(client, monkeypatch, by_name(name), f"/v/{name}s/")


@pytest.mark.parametrize(
    ("reshape", "rows"),
    [
        (lambda qs: qs.select_related("author"), False),
        (lambda qs: qs.defer("title"), False),
        (lambda qs: qs.only("id"), False),
        (lambda qs: qs.order_by("author__name", "-id"), True),
        (lambda qs: qs.order_by("-author__birth_year", "title"), True),
        (lambda qs: qs.none(), True),
        (lambda qs: qs.reverse(), True),
        (lambda qs: qs.filter(author__name__startswith="U"), True),
        (lambda qs: qs.select_related("author").only("id", "author__name"), False),
        (lambda qs: qs.order_by("author__books__title"), True),
        (lambda qs: qs.select_for_update(), True),
        (lambda qs: qs.extra(where=["year IS NULL OR year > 3"], order_by=["-id"]), True),
    ],
    ids=["select_related", "defer", "only", "order_related", "order_related_nulls", "none", "reverse", "filter_related",
         "select_related_only", "order_multivalued", "select_for_update", "extra_where"],
)
def test_reshaped_querysets_read_alike(
    client: Client, data: Any, monkeypatch: pytest.MonkeyPatch, reshape: Any, rows: bool
) -> None:
    monkeypatch.setattr(reshaped, "reshape", reshape)
    compare(client, monkeypatch, reshaped, "/v/rbooks/", rows)
    compare(client, monkeypatch, reshaped, "/v/rbooks/?start=1&max-results=1", rows)


@pytest.mark.parametrize(
    "reshape",
    [lambda qs: qs.order_by("author__birth_year"), lambda qs: qs.order_by("year"), lambda qs: qs.order_by()],
    ids=["tie_on_related", "tie_on_own", "unordered"],
)
def test_pages_agree_where_the_order_has_ties(
    client: Client, db: None, monkeypatch: pytest.MonkeyPatch, reshape: Any
) -> None:
    resource = by_name("tbook")
    monkeypatch.setattr(resource, "reshape", reshape)
    authors = [Author.objects.create(name=f"a{i}", birth_year=1900 + i % 2) for i in range(5)]
    for i in range(300):
        Book.objects.create(author=authors[i * 7 % 5], title=f"t{i}" * (1 + i % 40), year=i * 13 % 6)
    for query in ["", "?start=25&max-results=25", "?start=100&max-results=50"]:
        compare(client, monkeypatch, resource, f"/v/tbooks/{query}")


# --- code of the resource's own sees objects ------------------------------------------


def test_a_queryset_that_processes_what_it_fetched_gets_objects(
    client: Client, data: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    compare(client, monkeypatch, by_name("hooked"), "/v/hookeds/", rows=False)
    assert client.get("/v/hookeds/").json()["hookeds"][0]["label"] == "mixed"


def test_objects_changed_by_get_queryset_are_the_ones_sent(
    client: Client, data: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    compare(client, monkeypatch, by_name("mutated"), "/v/mutateds/", rows=False)
    assert {item["name"] for item in client.get("/v/mutateds/").json()["mutateds"]} == {"[redacted]"}


def test_a_list_handler_of_its_own_gets_objects_from_get_list(client: Client, data: Any) -> None:
    assert client.get("/v/auditeds/").status_code == 200
    assert AuditedResource.seen == ["Author", "Author"]


def test_a_page_response_of_its_own_gets_objects(client: Client, data: Any) -> None:
    response = client.get("/v/headeds/")
    assert response.status_code == 200
    assert response["X-Newest"] == str(max(author.timestamp for author in Author.objects.all()))


def test_get_list_called_from_a_plain_view_gets_objects(client: Client, data: Any) -> None:
    assert client.get("/plain/").json() == {"n": 2}


# --- hrefs ----------------------------------------------------------------------------


def test_a_related_link_to_an_object_of_a_parent_model(client: Client, data: Any) -> None:
    response = client.get("/v/quests/")
    assert response.status_code == 200
    links = [quest["links"]["person"]["href"] for quest in response.json()["quests"]]
    assert links == [f"http://testserver/v/heros/{quest.person_id}/" for quest in Quest.objects.all()]


def test_get_url_kwargs_of_its_own_makes_every_href(client: Client, data: Any) -> None:
    item = client.get("/v/kws/Ursula/").json()["kw"]
    assert item["links"]["self"]["href"] == "http://testserver/v/kws/ursula/"
    listed = client.get("/v/kws/").json()["kws"]
    assert [author["links"]["self"]["href"] for author in listed] == [
        f"http://testserver/v/kws/{author.name.lower()}/" for author in Author.objects.all()
    ]


@pytest.mark.parametrize(
    ("tenant", "base"),
    [
        ("acme", "http://testserver/acme/t/"),
        ("a%09b", "http://testserver/a%09b/t/"),
        # build_absolute_uri() drops tabs and newlines first, so "/\t/t/"
        # made "//t/" and the host "t": a prefix is a path, never a host.
        ("%09", "http://testserver/%09/t/"),
        (".%09", "http://testserver/.%09/t/"),
        ("%0A..", "http://testserver/%0A../t/"),
    ],
)
def test_the_prefix_is_quoted_into_the_path_and_never_read_as_a_host(
    client: Client, data: Any, tenant: str, base: str
) -> None:
    response = client.get(f"/{tenant}/t/proxys/")
    assert response.status_code == 200, response.content
    assert response.json()["links"]["self"]["href"] == base + "proxys/"


def test_related_objects_a_queryset_selects_are_built(
    client: Client, data: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str] = []

    def receiver(sender: Any, instance: Author, **kwargs: Any) -> None:
        seen.append(instance.name)

    monkeypatch.setattr(reshaped, "reshape", lambda qs: qs.select_related("author"))
    post_init.connect(receiver, sender=Author)
    try:
        assert client.get("/v/rbooks/").status_code == 200
    finally:
        post_init.disconnect(receiver, sender=Author)
    assert sorted(seen) == ["Octavia", "Ursula", "Ursula"]
