"""Request bodies end to end: every parser and the typed fields, through the
test app's resources with Django's test client.

Each bad body must give its own 4xx with an exact error body — never a 500.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client, override_settings

from tests.testapp.models import Author, Book

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\nfakepng"
BOUNDARY = "BoUnDaRy"
MULTIPART_TYPE = f"multipart/form-data; boundary={BOUNDARY}"


def multipart(*parts: bytes, close: bool = True) -> bytes:
    body = b"".join(b"--" + BOUNDARY.encode() + b"\r\n" + part + b"\r\n" for part in parts)
    return body + (b"--" + BOUNDARY.encode() + b"--\r\n" if close else b"")


def form_part(name: str, value: str) -> bytes:
    return f'Content-Disposition: form-data; name="{name}"\r\n\r\n{value}'.encode()


def file_part(name: str, filename: str, content: bytes, content_type: str = "image/png") -> bytes:
    head = f'Content-Disposition: form-data; name="{name}"; filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'
    return head.encode() + content


def fail(code: int, msg: str, type_: str, **extra: Any) -> dict[str, Any]:
    return {"stat": "fail", "err": {"code": code, "msg": msg, "type": type_}, **extra}


@pytest.fixture
def author() -> Author:
    return Author.objects.create(name="Ursula", bio="Earthsea", birth_year=1929)


@pytest.fixture
def api(client: Client, django_user_model: Any) -> Client:
    client.force_login(django_user_model.objects.create_user("writer", password="pw"))
    return client


def send(client: Client, method: str, path: str, body: bytes, content_type: str, **extra: Any) -> Any:
    return client.generic(method, path, data=body, content_type=content_type, **extra)


def url(author: Author) -> str:
    return f"/api/authors/{author.pk}/"


# --- good bodies -------------------------------------------------------------


def test_multipart_put_with_a_file(api: Client, author: Author) -> None:
    body = multipart(form_part("bio", "Updated via multipart PUT"), file_part("photo", "photo.png", PNG))
    response = send(api, "PUT", url(author), body, MULTIPART_TYPE)
    assert response.status_code == 200, response.content
    payload = response.json()["author"]
    assert (payload["bio"], payload["photo_name"], payload["photo_size"]) == ("Updated via multipart PUT", "photo.png", len(PNG))
    author.refresh_from_db()
    with author.photo.open("rb") as stored:
        assert stored.read() == PNG


def test_multipart_post_creates(api: Client) -> None:
    body = multipart(form_part("name", "Octavia"), form_part("birth_year", "1947"), file_part("photo", "o.png", PNG))
    response = send(api, "POST", "/api/authors/", body, MULTIPART_TYPE)
    assert response.status_code == 201, response.content
    assert response.json()["author"]["photo_size"] == len(PNG)


def test_urlencoded_put(api: Client, author: Author) -> None:
    response = send(api, "PUT", url(author), b"name=Le+Guin&birth_year=1930", "application/x-www-form-urlencoded")
    assert response.status_code == 200, response.content
    author.refresh_from_db()
    assert (author.name, author.birth_year, author.bio) == ("Le Guin", 1930, "Earthsea")


def test_urlencoded_delete_body(api: Client, author: Author) -> None:
    response = send(api, "DELETE", url(author), b"reason=duplicate", "application/x-www-form-urlencoded")
    assert response.status_code == 204
    assert response.content == b""
    assert not Author.objects.filter(pk=author.pk).exists()


@pytest.mark.parametrize(
    "content_type", ["application/json", "application/json; charset=utf-8", "application/vnd.example.org.author+json"]
)
def test_json_and_vendor_json_put(api: Client, author: Author, content_type: str) -> None:
    body = json.dumps({"name": "Ursula K. Le Guin", "birth_year": 1929}).encode()
    response = send(api, "PUT", url(author), body, content_type)
    assert response.status_code == 200, response.content
    assert response.json()["author"]["name"] == "Ursula K. Le Guin"


def test_json_post_of_a_child(api: Client, author: Author) -> None:
    body = json.dumps({"title": "A Wizard of Earthsea", "year": 1968, "expand": "author"}).encode()
    response = send(api, "POST", f"/api/authors/{author.pk}/books/", body, "application/json")
    assert response.status_code == 201, response.content
    book = response.json()["book"]
    assert book["title"] == "A Wizard of Earthsea"
    # ``expand`` in a body works as on a query string, and is not a field.
    assert book["author"]["name"] == "Ursula"
    assert book["_expanded"]["author"]["item_mimetype"] == "application/vnd.example.org.author+json"


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"_method=PUT&name=Tunnelled", "application/x-www-form-urlencoded"),
        (multipart(form_part("_method", "PUT"), form_part("name", "Tunnelled")), MULTIPART_TYPE),
        (b'{"_method": "PUT", "name": "Tunnelled"}', "application/json"),
    ],
)
def test_method_override_put(api: Client, author: Author, body: bytes, content_type: str) -> None:
    response = send(api, "POST", url(author), body, content_type)
    assert response.status_code == 200, response.content
    author.refresh_from_db()
    assert author.name == "Tunnelled"


def test_method_override_delete(api: Client, author: Author) -> None:
    response = send(api, "POST", url(author), b"_method=DELETE", "application/x-www-form-urlencoded")
    assert response.status_code == 204
    assert not Author.objects.filter(pk=author.pk).exists()


def test_method_override_to_another_method_is_a_field_error(api: Client, author: Author) -> None:
    response = send(api, "POST", url(author), b"_method=PATCH", "application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert response.json() == fail(
        105, "One or more fields had errors", "request-field-error",
        fields={"_method": ['"PATCH" is not a valid method; use PUT or DELETE']},
    )


# --- bad bodies ----------------------------------------------------------------


def test_truncated_multipart(api: Client, author: Author) -> None:
    whole = multipart(form_part("bio", "cut"), file_part("photo", "photo.png", PNG * 100))
    response = send(api, "PUT", url(author), whole[: len(whole) // 2], MULTIPART_TYPE)
    assert response.status_code == 400
    assert response.json() == fail(
        126, "The multipart body is truncated: its closing boundary is missing", "malformed-request"
    )
    author.refresh_from_db()
    assert (author.bio, author.photo.name) == ("Earthsea", "")


def test_multipart_without_boundary(api: Client, author: Author) -> None:
    response = send(api, "PUT", url(author), b"whatever", "multipart/form-data")
    assert response.status_code == 400
    assert response.json() == fail(
        126, "The multipart body has no valid boundary in its Content-Type", "malformed-request"
    )


def test_invalid_utf8_form(api: Client, author: Author) -> None:
    response = send(api, "PUT", url(author), b"name=\xff\xfe", "application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert response.json() == fail(126, "The form body is not valid utf-8: invalid start byte", "malformed-request")


def test_invalid_utf8_percent_escaped_in_a_delete_body(api: Client, author: Author) -> None:
    response = send(api, "DELETE", url(author), b"reason=%ff", "application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert response.json()["err"]["type"] == "malformed-request"
    assert Author.objects.filter(pk=author.pk).exists()


def test_invalid_utf8_json(api: Client, author: Author) -> None:
    response = send(api, "PUT", url(author), b'{"name": "\xff"}', "application/json")
    assert response.status_code == 400
    assert response.json() == fail(
        126, "The request body is not valid JSON: it is not UTF-8 (invalid start byte at byte 10)", "malformed-request"
    )


def test_malformed_json(api: Client, author: Author) -> None:
    response = send(api, "PUT", url(author), b'{"name": ', "application/json")
    assert response.status_code == 400
    assert response.json() == fail(
        126, "The request body is not valid JSON: Expecting value: line 1 column 10 (char 9)", "malformed-request"
    )


@pytest.mark.parametrize("depth", [33, 100_000])
def test_json_bomb(api: Client, author: Author, depth: int) -> None:
    body = b'{"name": ' + b"[" * depth + b"]" * depth + b"}"
    response = send(api, "PUT", url(author), body, "application/json")
    assert response.status_code == 400
    assert response.json() == fail(126, "JSON nested too deeply (the limit is 32 levels)", "malformed-request")


def test_json_that_is_not_an_object(api: Client, author: Author) -> None:
    response = send(api, "PUT", url(author), b"[1, 2]", "application/json")
    assert response.status_code == 400
    assert response.json() == fail(126, "The JSON body must be an object", "malformed-request")


@override_settings(WEBAPI_KIT={"MAX_BODY_SIZE": 64})
@pytest.mark.parametrize(("extra", "status"), [(0, 200), (1, 413)])
def test_body_size_limit(api: Client, author: Author, extra: int, status: int) -> None:
    prefix, suffix = b'{"bio": "', b'"}'
    body = prefix + b"x" * (64 - len(prefix) - len(suffix) + extra) + suffix
    assert len(body) == 64 + extra
    response = send(api, "PUT", url(author), body, "application/json")
    assert response.status_code == status, response.content
    if status == 413:
        assert response.json() == fail(
            123, "The request body is larger than the limit of 64 bytes", "request-too-large"
        )
        author.refresh_from_db()
        assert author.bio == "Earthsea"


@override_settings(WEBAPI_KIT={"MAX_BODY_SIZE": 128})
@pytest.mark.parametrize(("extra", "status"), [(0, 200), (1, 413)])
def test_multipart_size_limit(api: Client, author: Author, extra: int, status: int) -> None:
    empty = len(multipart(form_part("bio", "")))
    body = multipart(form_part("bio", "x" * (128 - empty + extra)))
    assert len(body) == 128 + extra
    response = send(api, "PUT", url(author), body, MULTIPART_TYPE)
    assert response.status_code == status, response.content
    if status == 413:
        assert response.json() == fail(
            123, "The request body is larger than the limit of 128 bytes", "request-too-large"
        )


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", "image/png"])
def test_unsupported_media_type(api: Client, author: Author, content_type: str) -> None:
    response = send(api, "PUT", url(author), b"name=x", content_type)
    assert response.status_code == 415
    assert response.json() == fail(
        122,
        f'Unsupported Content-Type "{content_type}"; this resource accepts: '
        "application/json, application/x-www-form-urlencoded, multipart/form-data",
        "unsupported-media-type",
    )


def test_unknown_charset(api: Client, author: Author) -> None:
    response = send(api, "PUT", url(author), b"name=x", "application/x-www-form-urlencoded; charset=klingon")
    assert response.status_code == 415
    assert response.json() == fail(122, 'Unsupported charset "klingon"', "unsupported-media-type")


def test_errors_in_xml_too(api: Client, author: Author) -> None:
    response = send(api, "PUT", url(author) + "?api_format=xml", b"{", "application/json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/vnd.example.org.error+xml"
    assert b"<code>126</code>" in response.content


# --- typed fields --------------------------------------------------------------


def test_every_bad_field_at_once(api: Client, author: Author) -> None:
    book = Book.objects.create(author=author, title="Tehanu", year=1990)
    body = json.dumps({"title": "x" * 201, "year": -5, "isbn": "123", "colour": "red"}).encode()
    response = send(api, "PUT", f"/api/authors/{author.pk}/books/{book.pk}/", body, "application/json")
    assert response.status_code == 400
    assert response.json() == fail(
        105, "One or more fields had errors", "request-field-error",
        fields={
            "title": ["Must be at most 200 characters long (it has 201)"],
            "year": ["Must be at least 0"],
            "isbn": ["Field is not supported"],
            "colour": ["Field is not supported"],
        },
    )
    book.refresh_from_db()
    assert (book.title, book.year) == ("Tehanu", 1990)


def test_required_field(api: Client, author: Author) -> None:
    response = send(api, "POST", f"/api/authors/{author.pk}/books/", b"year=abc", "application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert response.json() == fail(
        105, "One or more fields had errors", "request-field-error",
        fields={"title": ["This field is required"], "year": ['"abc" is not an integer']},
    )
    assert not Book.objects.exists()


def test_a_file_where_a_string_is_expected(api: Client, author: Author) -> None:
    body = multipart(file_part("bio", "bio.txt", b"hello", "text/plain"))
    response = send(api, "PUT", url(author), body, MULTIPART_TYPE)
    assert response.status_code == 400
    assert response.json()["err"]["code"] == 105
