"""``expand`` / ``only-fields`` / ``only-links`` end to end, and their query cost."""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree

import pytest
from django.test import Client

from tests.testapp.models import Author, Book

pytestmark = pytest.mark.django_db

BASE = "http://testserver/api/"


def author_with_books(count: int, name: str = "Ursula") -> Author:
    author = Author.objects.create(name=name)
    Book.objects.bulk_create([Book(author=author, title=f"Book {i}", year=1960 + i) for i in range(count)])
    return author


def get(client: Client, path: str) -> Any:
    response = client.get(path)
    assert response.status_code == 200, response.content
    return response.json()


@pytest.mark.parametrize("count", [5, 25])
def test_expanding_a_related_object_on_a_list_costs_one_query(
    client: Client, django_assert_num_queries: Any, count: int
) -> None:
    author = author_with_books(count)
    # max-results above the count: a short page needs no COUNT either.
    with django_assert_num_queries(1):
        data = get(client, f"/api/authors/{author.pk}/books/?expand=author&max-results=50")
    assert len(data["books"]) == count
    book = data["books"][0]
    assert book["author"]["name"] == "Ursula"
    assert book["author"]["links"]["self"]["href"] == f"{BASE}authors/{author.pk}/"
    assert book["_expanded"] == {"author": {"item_mimetype": "application/vnd.example.org.author+json"}}
    assert "author" not in book["links"]


@pytest.mark.parametrize("count", [5, 25])
def test_links_to_related_objects_cost_nothing_either(client: Client, django_assert_num_queries: Any, count: int) -> None:
    author = author_with_books(count)
    with django_assert_num_queries(1):
        data = get(client, f"/api/authors/{author.pk}/books/?max-results=50")
    assert data["books"][0]["links"]["author"] == {
        "method": "GET", "href": f"{BASE}authors/{author.pk}/", "title": "Ursula"
    }


@pytest.mark.parametrize("count", [5, 25])
def test_expanding_child_lists_is_one_prefetch(client: Client, django_assert_num_queries: Any, count: int) -> None:
    for i in range(count):
        author_with_books(3, name=f"Author {i}")
    # The authors, then all their books in one query; nested expansion of
    # each book's author reuses the objects already loaded.
    with django_assert_num_queries(2):
        data = get(client, "/api/authors/?expand=books,author&max-results=50")
    assert len(data["authors"]) == count
    first = data["authors"][0]
    assert [book["title"] for book in first["books"]] == ["Book 0", "Book 1", "Book 2"]
    assert first["books"][0]["author"]["name"] == "Author 0"
    assert first["_expanded"]["books"] == {
        "item_mimetype": "application/vnd.example.org.book+json",
        "list_mimetype": "application/vnd.example.org.books+json",
        "list_url": f"{BASE}authors/{first['id']}/books/",
    }
    assert "books" not in first["links"]


def test_expand_on_an_item(client: Client) -> None:
    author = author_with_books(2)
    book = author.books.first()
    assert book is not None
    data = get(client, f"/api/authors/{author.pk}/books/{book.pk}/?expand=author")
    assert data["book"]["author"]["id"] == author.pk
    data = get(client, f"/api/authors/{author.pk}/?expand=books")
    assert [b["title"] for b in data["author"]["books"]] == ["Book 0", "Book 1"]


def test_expand_in_xml(client: Client) -> None:
    author = author_with_books(1)
    response = client.get(f"/api/authors/{author.pk}/books/?expand=author&api_format=xml")
    assert response.status_code == 200
    item = ElementTree.fromstring(response.content).find("books/array/item")
    assert item is not None
    assert item.findtext("_expanded/author/item_mimetype") == "application/vnd.example.org.author+xml"
    assert item.findtext("author/id") == str(author.pk)
    assert item.findtext("author/name") == "Ursula"


def test_unknown_expand_names_are_ignored(client: Client) -> None:
    author = author_with_books(1)
    data = get(client, f"/api/authors/{author.pk}/?expand=nothing,books")
    assert len(data["author"]["books"]) == 1


def test_only_fields_and_only_links(client: Client) -> None:
    author = author_with_books(1)
    data = get(client, f"/api/authors/{author.pk}/?only-fields=name,id&only-links=self")
    assert data["author"] == {
        "id": author.pk, "name": "Ursula",
        "links": {"self": {"method": "GET", "href": f"{BASE}authors/{author.pk}/"}},
    }
    data = get(client, f"/api/authors/{author.pk}/?only-fields=name&only-links=")
    assert data["author"] == {"name": "Ursula"}


def test_only_fields_on_a_list_and_expanded_objects_are_whole(client: Client) -> None:
    author = author_with_books(2)
    data = get(client, f"/api/authors/{author.pk}/books/?only-fields=title,author&only-links=&expand=author")
    assert [set(book) for book in data["books"]] == [{"_expanded", "title", "author"}] * 2
    assert "bio" in data["books"][0]["author"]


@pytest.mark.parametrize("only_links", ["update", ""])
def test_a_create_without_its_self_link_still_says_where_the_object_is(client: Client, only_links: str) -> None:
    # Found by schemathesis: Location was read from the answer's links, which ?only-links= had cut.
    author = author_with_books(0)
    response = client.post(f"/api/authors/{author.pk}/books/?only-links={only_links}", {"title": "Lathe"})
    assert response.status_code == 201, response.content
    book = Book.objects.get(title="Lathe")
    assert response["Location"] == f"{BASE}authors/{author.pk}/books/{book.pk}/"
    assert set(response.json()["book"].get("links", {})) == ({"update"} if only_links else set())
