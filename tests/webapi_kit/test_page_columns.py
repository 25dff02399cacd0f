"""Pages read from their columns: no model instances, and nothing that shows it.

A list whose items are a model's plain fields is fetched as rows of its
columns (``ColumnRows``): only the items' columns, no objects. These
tests hold it to the object path (the same bytes, the same ETag) and check
that everything able to tell the difference gets the objects.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.models import Count
from django.db.models.base import ModelBase
from django.db.models.fields.files import FieldFile
from django.db.models.signals import post_init
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import include, path

from tests.testapp.models import Author, Book
from webapi_kit.api import API
from webapi_kit.fields import DateTime, Int, String
from webapi_kit.modelhandlers import page_columns
from webapi_kit.pagination import Page
from webapi_kit.resource import WebAPIResource


class AuthorFromDb(Author):
    class Meta:
        proxy = True
        app_label = "testapp"

    @classmethod
    def from_db(cls, db: Any, field_names: Any, values: Any) -> Any:
        obj = super().from_db(db, field_names, values)
        obj.name = obj.name.upper()
        return obj


class AuthorWithInit(Author):
    class Meta:
        proxy = True
        app_label = "testapp"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)


class AuthorWithSetattr(Author):
    class Meta:
        proxy = True
        app_label = "testapp"

    def __setattr__(self, name: str, value: Any) -> None:
        super().__setattr__(name, value.title() if name == "name" and isinstance(value, str) else value)


class AuthorWithNew(Author):
    class Meta:
        proxy = True
        app_label = "testapp"

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        return super().__new__(cls)


class CountingModelBase(ModelBase):
    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        return super().__call__(*args, **kwargs)


class AuthorWithMetaclass(Author, metaclass=CountingModelBase):
    class Meta:
        proxy = True
        app_label = "testapp"


class AuthorResource(WebAPIResource):
    name = "author"
    model = Author
    fields = {"id": Int(), "name": String(), "bio": String(), "birth_year": Int(), "timestamp": DateTime()}


class BookResource(WebAPIResource):
    name = "book"
    model = Book
    model_parent_key = "author"
    fields = {"id": Int(), "title": String(), "author_id": Int()}


AuthorResource.item_child_resources = [BookResource()]


class PhotoCheckingResource(WebAPIResource):
    """Reads the page's objects after the default get_list: they must be objects."""

    name = "checked"
    model = Author
    fields = {"id": Int(), "name": String()}

    def get_list(self, request: Any, data: Any, **kwargs: str) -> Any:
        page = super().get_list(request, data, **kwargs)
        assert isinstance(page, Page)
        assert all(isinstance(obj, Author) and isinstance(obj.photo, FieldFile) for obj in page.items)
        return page


class CountingResource(WebAPIResource):
    """Annotates its queryset: the annotation's GROUP BY stays as written."""

    name = "counted"
    model = Author
    fields = {"id": Int(), "name": String()}

    def get_queryset(self, request: Any, is_list: bool = False, **kwargs: str) -> Any:
        return super().get_queryset(request, is_list, **kwargs).annotate(books_written=Count("books"))


class ReshapedResource(WebAPIResource):
    """Its queryset is reshaped by each test (``reshape``)."""

    name = "reshaped"
    model = Author
    fields = {"id": Int(), "name": String()}
    reshape: Any = staticmethod(lambda queryset: queryset)

    def get_queryset(self, request: Any, is_list: bool = False, **kwargs: str) -> Any:
        return self.reshape(super().get_queryset(request, is_list, **kwargs))


class FromDbResource(WebAPIResource):
    """A queryset of another model than the resource's: the objects decide."""

    name = "shouted"
    model = Author
    fields = {"id": Int(), "name": String()}

    def get_queryset(self, request: Any, is_list: bool = False, **kwargs: str) -> Any:
        return AuthorFromDb.objects.all()


authors_resource = AuthorResource()
reshaped_resource = ReshapedResource()
api = API(
    [authors_resource, PhotoCheckingResource(), CountingResource(), FromDbResource(), reshaped_resource],
    mimetype_vendor="test",
)
urlpatterns = [path("cols/", include(api.urls))]
pytestmark = pytest.mark.urls(__name__)

ACCEPTS = ["application/json", "application/xml"]


@pytest.fixture
def authors(db: None) -> list[Author]:
    made = [
        Author.objects.create(name="Ursula & <Le Guin>", bio="Earthsea\x07", birth_year=1929, photo="p/ursula.png"),
        Author.objects.create(name="Octavia Butler", bio="", birth_year=None),
        Author.objects.create(name="Stanisław Lem", bio="Solaris 😀", birth_year=1921),
    ]
    Book.objects.create(author=made[0], title="A Wizard of Earthsea")
    Book.objects.create(author=made[0], title="The Tombs of Atuan")
    return made


def _get(client: Client, url: str, accept: str = "application/json") -> tuple[Any, str]:
    """The response and the SQL of the page's own query (the one with a LIMIT)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, HTTP_ACCEPT=accept)
    assert response.status_code == 200, response.content
    (page_sql,) = [query["sql"] for query in queries if "LIMIT" in query["sql"]]
    return response, page_sql


@pytest.mark.parametrize("accept", ACCEPTS)
@pytest.mark.parametrize("query", ["", "?start=1&max-results=2"])
def test_a_plain_page_selects_its_columns_and_answers_as_the_objects_would(
    client: Client, authors: list[Author], monkeypatch: pytest.MonkeyPatch, accept: str, query: str
) -> None:
    fast, sql = _get(client, f"/cols/authors/{query}", accept)
    assert '"photo"' not in sql and '"bio"' in sql
    monkeypatch.setattr(authors_resource, "_page_columns", None)
    general, sql = _get(client, f"/cols/authors/{query}", accept)
    assert '"photo"' in sql
    assert fast.content == general.content
    assert fast["ETag"] == general["ETag"]


def test_a_child_list_reads_its_columns_too(client: Client, authors: list[Author]) -> None:
    response, sql = _get(client, f"/cols/authors/{authors[0].pk}/books/")
    assert '"year"' not in sql
    assert [(book["title"], book["author_id"]) for book in response.json()["books"]] == [
        ("A Wizard of Earthsea", authors[0].pk), ("The Tombs of Atuan", authors[0].pk),
    ]


@pytest.mark.parametrize("query", ["?expand=books", "?only-fields=id,name", "?only-links=self"])
def test_pages_shaped_by_the_query_are_read_as_objects(client: Client, authors: list[Author], query: str) -> None:
    response, sql = _get(client, f"/cols/authors/{query}")
    assert '"photo"' in sql
    assert [item["id"] for item in response.json()["authors"]] == [author.pk for author in authors]


def test_a_post_init_receiver_sees_every_object(client: Client, authors: list[Author]) -> None:
    seen: list[int] = []

    def receiver(sender: Any, instance: Author, **kwargs: Any) -> None:
        seen.append(instance.pk)

    post_init.connect(receiver, sender=Author)
    try:
        response, sql = _get(client, "/cols/authors/")
    finally:
        post_init.disconnect(receiver, sender=Author)
    assert '"photo"' in sql
    assert seen == [author.pk for author in authors]
    assert len(response.json()["authors"]) == 3


def test_a_get_list_override_gets_objects(client: Client, authors: list[Author]) -> None:
    response, sql = _get(client, "/cols/checkeds/")
    assert [item["name"] for item in response.json()["checkeds"]] == [author.name for author in authors]


def test_an_annotated_queryset_is_read_as_written(client: Client, authors: list[Author]) -> None:
    response, sql = _get(client, "/cols/counteds/")
    assert "COUNT" in sql.upper() and '"photo"' in sql
    assert [item["name"] for item in response.json()["counteds"]] == [author.name for author in authors]


@pytest.mark.parametrize(
    ("reshape", "shown"),
    [
        (lambda queryset: queryset.prefetch_related("books"), [0, 1, 2]),
        (lambda queryset: queryset.distinct(), [0, 1, 2]),
        (lambda queryset: queryset.extra(select={"shout": "UPPER(name)"}), [0, 1, 2]),
        (
            lambda queryset: queryset.filter(birth_year__lt=1925).order_by()
            .union(queryset.filter(birth_year__gt=1925).order_by()).order_by("id"),
            [0, 2],
        ),
    ],
    ids=["prefetch_related", "distinct", "extra", "union"],
)
def test_a_reshaped_queryset_is_read_as_objects(
    client: Client, authors: list[Author], monkeypatch: pytest.MonkeyPatch, reshape: Any, shown: list[int]
) -> None:
    monkeypatch.setattr(reshaped_resource, "reshape", reshape)
    response, sql = _get(client, "/cols/reshapeds/")
    assert '"photo"' in sql
    assert [item["name"] for item in response.json()["reshapeds"]] == [authors[i].name for i in shown]


def test_objects_of_a_model_with_its_own_from_db_are_built_by_it(client: Client, authors: list[Author]) -> None:
    response, sql = _get(client, "/cols/shouteds/")
    assert [item["name"] for item in response.json()["shouteds"]] == [author.name.upper() for author in authors]


@pytest.mark.parametrize(
    ("model", "names", "expected"),
    [
        (Author, ("id", "name", "id", "birth_year"), ("id", "name", "birth_year")),
        (Book, ("id", "author_id"), ("id", "author_id")),
        (Book, ("id", "author"), None),  # the related object, not a column
        (Author, ("id", "books"), None),  # a reverse relation
        (Author, ("id", "photo"), None),  # a FieldFile, not the stored string
        (Author, ("id", "pk"), None),  # a property
        (AuthorFromDb, ("id", "name"), None),
        (AuthorWithInit, ("id", "name"), None),
        (AuthorWithSetattr, ("id", "name"), None),  # Model.__init__ sets each field through it
        (AuthorWithNew, ("id", "name"), None),
        (AuthorWithMetaclass, ("id", "name"), None),
    ],
)
def test_which_names_are_columns(model: Any, names: tuple[str, ...], expected: tuple[str, ...] | None) -> None:
    assert page_columns(model, names) == expected
