"""The client reads Review Board-style answers, captured from djblets 6.1, in JSON and XML.

A real HTTP server replays the captures (their ``http://testserver`` links
pointed at itself); the client browses them by links only.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.testapp.captures import Capture, load
from webapi_kit.client import (
    BasicAuth,
    Client,
    DoesNotExist,
    FieldError,
    Item,
    NotLoggedIn,
    RateLimitExceeded,
    ResourceList,
    RetryPolicy,
)

from .servers import Reply, Request, Server, serve

CAPTURES = [
    "01-root-json.txt", "02-root-xml.txt", "06-authors-list-json-page1.txt", "07-authors-list-json-page2.txt",
    "08-authors-list-xml.txt", "13-author-item-json.txt", "14-author-item-xml.txt", "25-author-item-expand-books.txt",
    "26-books-list-json.txt", "27-book-item-json.txt", "28-book-item-xml.txt", "38-404-item-json.txt",
    "39-404-item-xml.txt", "49-401-bad-password.txt", "50-400-invalid-form-post.txt",
]


def _format(accept: str | None) -> str:
    return "xml" if accept and "xml" in accept else "json"


@pytest.fixture(scope="module")
def djblets() -> Iterator[Server]:
    captures: dict[tuple[str, str, str], Capture] = {}
    for name in CAPTURES:
        capture = load(name)
        captures[(capture.method, capture.path, _format(capture.request_headers.get("Accept")))] = capture

    def replay(request: Request) -> Reply:
        capture = captures.get((request.method, request.path, _format(request.header("Accept"))))
        if capture is None:
            return Reply(599, b"no capture for this request", {"Content-Type": "text/plain"})
        body = capture.body.replace(b"http://testserver", url.encode())
        headers = {k: v for k, v in capture.headers.items() if k.lower() != "content-length"}
        return Reply(capture.status, body, headers)

    with serve(replay) as server:
        url = server.url
        yield server


def test_root_links_and_templates(djblets: Server) -> None:
    with Client(djblets.url + "/api/") as client:
        root = client.root()
        assert root.payload_key is None and set(root.links) == {"authors", "self"}
        assert root.media_type == "application/vnd.example.org.root+json"
        assert root.expand_template("author", author_id=1) == djblets.url + "/api/authors/1/"
        author = root.get_template("author", author_id=1)
        assert isinstance(author, Item) and author.name == "Ursula K. Le Guin"


def test_list_pages_follow_next(djblets: Server) -> None:
    with Client(djblets.url + "/api/") as client:
        authors = client.root().get_authors(max_results=2)
        assert isinstance(authors, ResourceList)
        assert (authors.payload_key, len(authors), len(authors.page)) == ("authors", 3, 2)
        assert [a.name for a in authors] == ["Ursula K. Le Guin", "Octavia E. Butler", "Iain M. Banks"]
        assert authors.media_type == "application/vnd.example.org.authors+json"


def test_json_and_xml_give_the_same_objects(djblets: Server) -> None:
    with Client(djblets.url + "/api/") as as_json, Client(djblets.url + "/api/", format="xml") as as_xml:
        json_root, xml_root = as_json.root(), as_xml.root()
        assert json_root.fields == xml_root.fields and json_root.links == xml_root.links
        json_author = json_root.get_template("author", author_id=1)
        xml_author = xml_root.get_template("author", author_id=1)
        assert isinstance(json_author, Item) and isinstance(xml_author, Item)
        assert xml_author.media_type == "application/vnd.example.org.author+xml"
        assert json_author.fields == xml_author.fields
        assert json_author.links == xml_author.links
        assert xml_author.birth_year == 1929 and xml_author.photo_name == ""
        json_books = [book.title for book in json_author.get_books()]
        assert json_books == ["The Dispossessed", "The Left Hand of Darkness"]
        json_page = json_root.get_authors(max_results=2)
        xml_page = xml_root.get_authors(max_results=2)
        assert isinstance(json_page, ResourceList) and isinstance(xml_page, ResourceList)
        assert [a.fields for a in json_page.page] == [a.fields for a in xml_page.page]
        assert xml_page.total_results == 3


def test_expanded_objects_are_items(djblets: Server) -> None:
    with Client(djblets.url + "/api/") as client:
        author = client.root().get_template("author", author_id=1)
        assert isinstance(author, Item)
        expanded = client.get_item(author.self_url, expand="books")
        books = expanded.books
        assert [type(b) for b in books] == [Item, Item]
        assert [b.title for b in books] == [b.title for b in author.get_books()]
        assert books[0].get_author().name == "Ursula K. Le Guin"


def test_errors_carry_the_dialect_codes(djblets: Server) -> None:
    with Client(djblets.url + "/api/") as client:
        with pytest.raises(DoesNotExist) as missing:
            client.get(client.root().expand_template("author", author_id=999))
        assert (missing.value.status, missing.value.code, missing.value.type) == (404, 100, "resource-does-not-exist")
    with Client(djblets.url + "/api/", format="xml") as client:
        with pytest.raises(DoesNotExist) as missing:
            client.get(djblets.url + "/api/authors/999/")
        assert missing.value.code == 100 and missing.value.msg == "Object does not exist"


def test_field_errors_and_login_failures(djblets: Server) -> None:
    with Client(djblets.url + "/api/", auth=BasicAuth("admin", "secret"), body_format="form") as client:
        authors = client.root().get_authors(max_results=2)
        assert isinstance(authors, ResourceList)
        with pytest.raises(FieldError) as refused:
            authors.create(birth_year="abc", colour="blue")
        assert refused.value.fields == {
            "birth_year": ['"abc" is not an integer'], "colour": ["Field is not supported"], "name": ["This field is required"],
        }
        assert djblets.requests[-1].body == b"birth_year=abc&colour=blue"
        assert djblets.requests[-1].header("Content-Type") == "application/x-www-form-urlencoded"
    with Client(djblets.url + "/api/", auth=BasicAuth("admin", "wrong")) as client:
        with pytest.raises(NotLoggedIn) as login:
            client.root().get_authors()  # the replay answers the root whatever the credentials
    assert login.value.code == 104 and login.value.challenge is not None


def test_a_long_retry_after_is_not_waited_for() -> None:
    capture = load("63-ratelimit-anon-3.txt")

    def limited(request: Request) -> Reply:
        return Reply(capture.status, capture.body, {"Content-Type": capture.content_type, "Retry-After": "58"})

    with serve(limited) as server, Client(server.url + "/api/", retry=RetryPolicy(max_wait=5)) as client:
        with pytest.raises(RateLimitExceeded) as limit:
            client.root()
    assert (limit.value.code, limit.value.retry_after) == (114, 58.0)
    assert len(server.requests) == 1
