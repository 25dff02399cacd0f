"""Conditional requests end to end with real ETags, in JSON and in XML."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils.http import http_date

from tests.testapp.models import Author
from webapi_kit.conditional import (
    etag_for,
    if_match_passes,
    if_modified_since_passes,
    if_none_match_allows_write,
    if_none_match_passes,
    if_unmodified_since_passes,
)

pytestmark = pytest.mark.django_db

STRONG_ETAG = re.compile(r'^"[0-9a-f]{32}"$')
FORMATS = [("json", "application/json"), ("xml", "application/xml")]
PRECONDITION_FAILED = {
    "stat": "fail",
    "err": {"code": 125, "msg": "The object has changed since the given version", "type": "precondition-failed"},
}


@pytest.fixture
def author() -> Author:
    return Author.objects.create(name="Ursula", bio="Earthsea")


@pytest.fixture
def api(client: Client, django_user_model: Any) -> Client:
    client.force_login(django_user_model.objects.create_user("editor", password="pw"))
    return client


def url(author: Author) -> str:
    return f"/api/authors/{author.pk}/"


def put(client: Client, author: Author, data: dict[str, Any], accept: str = "application/json", **headers: str) -> Any:
    return client.put(url(author), json.dumps(data), content_type="application/json", HTTP_ACCEPT=accept, **headers)


def test_etags_are_strong_quoted_and_differ_per_format(client: Client, author: Author) -> None:
    etags = {}
    for name, accept in FORMATS:
        response = client.get(url(author), HTTP_ACCEPT=accept)
        assert response.status_code == 200
        assert STRONG_ETAG.match(response["ETag"])
        assert response["ETag"] == etag_for(response.content)
        assert response["Last-Modified"] == http_date(int(author.timestamp.timestamp()))
        etags[name] = response["ETag"]
    assert etags["json"] != etags["xml"]
    # The same format asked another way is the same representation.
    assert client.get(url(author) + "?api_format=xml")["ETag"] == etags["xml"]


@pytest.mark.parametrize(("name", "accept"), FORMATS)
def test_if_none_match_gives_304_without_a_body(client: Client, author: Author, name: str, accept: str) -> None:
    etag = client.get(url(author), HTTP_ACCEPT=accept)["ETag"]
    for header in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        response = client.get(url(author), HTTP_ACCEPT=accept, HTTP_IF_NONE_MATCH=header)
        assert response.status_code == 304, header
        assert response.content == b""
        assert response["ETag"] == etag
        assert "Content-Type" not in response
    head = client.head(url(author), HTTP_ACCEPT=accept, HTTP_IF_NONE_MATCH=etag)
    assert (head.status_code, head.content) == (304, b"")


def test_the_other_formats_etag_does_not_match(client: Client, author: Author) -> None:
    json_etag = client.get(url(author), HTTP_ACCEPT="application/json")["ETag"]
    response = client.get(url(author), HTTP_ACCEPT="application/xml", HTTP_IF_NONE_MATCH=json_etag)
    assert response.status_code == 200
    assert response.content.startswith(b"<?xml")


def test_a_change_changes_the_etag(client: Client, author: Author) -> None:
    etag = client.get(url(author))["ETag"]
    Author.objects.filter(pk=author.pk).update(bio="Tehanu")
    response = client.get(url(author), HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert response["ETag"] != etag


def test_if_modified_since(client: Client, author: Author) -> None:
    last_modified = client.get(url(author))["Last-Modified"]
    response = client.get(url(author), HTTP_IF_MODIFIED_SINCE=last_modified)
    assert (response.status_code, response.content) == (304, b"")
    earlier = http_date(int((author.timestamp - timedelta(hours=1)).timestamp()))
    assert client.get(url(author), HTTP_IF_MODIFIED_SINCE=earlier).status_code == 200
    assert client.get(url(author), HTTP_IF_MODIFIED_SINCE="not a date").status_code == 200
    # If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2).
    response = client.get(url(author), HTTP_IF_MODIFIED_SINCE=last_modified, HTTP_IF_NONE_MATCH='"stale"')
    assert response.status_code == 200


def test_lists_have_etags_too(client: Client, author: Author) -> None:
    response = client.get("/api/authors/")
    assert STRONG_ETAG.match(response["ETag"])
    assert client.get("/api/authors/", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    Author.objects.create(name="Octavia")
    assert client.get("/api/authors/", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 200


@pytest.mark.parametrize(("name", "accept"), FORMATS)
def test_put_with_the_current_etag(api: Client, author: Author, name: str, accept: str) -> None:
    etag = api.get(url(author), HTTP_ACCEPT=accept)["ETag"]
    response = put(api, author, {"bio": "Tehanu"}, accept=accept, HTTP_IF_MATCH=etag)
    assert response.status_code == 200, response.content
    author.refresh_from_db()
    assert author.bio == "Tehanu"
    # That ETag is now stale: a second writer holding it is refused.
    response = put(api, author, {"bio": "Lost update"}, accept=accept, HTTP_IF_MATCH=etag)
    assert response.status_code == 412
    author.refresh_from_db()
    assert author.bio == "Tehanu"


@pytest.mark.parametrize(("name", "accept"), FORMATS)
def test_put_with_a_stale_etag_stores_nothing(api: Client, author: Author, name: str, accept: str) -> None:
    etag = api.get(url(author), HTTP_ACCEPT=accept)["ETag"]
    Author.objects.filter(pk=author.pk).update(bio="Someone else's edit")
    before = Author.objects.values().get(pk=author.pk)
    response = put(api, author, {"bio": "Mine", "name": "Mine"}, HTTP_IF_MATCH=etag)
    assert response.status_code == 412
    assert response.json() == PRECONDITION_FAILED
    assert Author.objects.values().get(pk=author.pk) == before


def test_if_match_variants(api: Client, author: Author) -> None:
    etag = api.get(url(author))["ETag"]
    assert put(api, author, {"bio": "a"}, HTTP_IF_MATCH=f"W/{etag}").status_code == 412  # weak never matches
    assert put(api, author, {"bio": "b"}, HTTP_IF_MATCH=f'"nope", {etag}').status_code == 200
    assert put(api, author, {"bio": "c"}, HTTP_IF_MATCH="*").status_code == 200
    # An ETag from the XML rendition is as good as one from JSON.
    xml_etag = api.get(url(author), HTTP_ACCEPT="application/xml")["ETag"]
    assert put(api, author, {"bio": "d"}, HTTP_IF_MATCH=xml_etag).status_code == 200


def test_if_match_on_a_missing_object_is_404(api: Client) -> None:
    response = api.put("/api/authors/999/", "{}", content_type="application/json", HTTP_IF_MATCH='"x"')
    assert response.status_code == 404


def test_if_unmodified_since(api: Client, author: Author) -> None:
    last_modified = api.get(url(author))["Last-Modified"]
    earlier = http_date(int((author.timestamp - timedelta(hours=1)).timestamp()))
    response = put(api, author, {"bio": "late"}, HTTP_IF_UNMODIFIED_SINCE=earlier)
    assert response.status_code == 412
    assert response.json() == PRECONDITION_FAILED
    author.refresh_from_db()
    assert author.bio == "Earthsea"
    assert put(api, author, {"bio": "on time"}, HTTP_IF_UNMODIFIED_SINCE=last_modified).status_code == 200


@pytest.mark.parametrize(("name", "accept"), FORMATS)
def test_delete_with_if_match(api: Client, author: Author, name: str, accept: str) -> None:
    etag = api.get(url(author), HTTP_ACCEPT=accept)["ETag"]
    Author.objects.filter(pk=author.pk).update(bio="changed")
    response = api.delete(url(author), HTTP_ACCEPT=accept, HTTP_IF_MATCH=etag)
    assert response.status_code == 412
    assert Author.objects.filter(pk=author.pk).exists()
    fresh = api.get(url(author), HTTP_ACCEPT=accept)["ETag"]
    response = api.delete(url(author), HTTP_ACCEPT=accept, HTTP_IF_MATCH=fresh)
    assert (response.status_code, response.content) == (204, b"")
    assert not Author.objects.filter(pk=author.pk).exists()


def test_delete_with_if_unmodified_since(api: Client, author: Author) -> None:
    earlier = http_date(int((author.timestamp - timedelta(hours=1)).timestamp()))
    assert api.delete(url(author), HTTP_IF_UNMODIFIED_SINCE=earlier).status_code == 412
    assert Author.objects.filter(pk=author.pk).exists()


@pytest.mark.parametrize(
    ("header", "etag", "passes"),
    [
        (None, '"a"', True),
        ('"a"', '"a"', False),
        ('W/"a"', '"a"', False),
        ('"b", "a"', '"a"', False),
        ('"b"', '"a"', True),
        ("*", '"a"', False),
    ],
)
def test_if_none_match_table(header: str | None, etag: str, passes: bool) -> None:
    assert if_none_match_passes(header, etag) is passes


@pytest.mark.parametrize(
    ("header", "current", "passes"),
    [(None, set(), True), ('"a"', {'"a"'}, True), ('W/"a"', {'"a"'}, False), ("*", set(), False), ("*", {'"a"'}, True)],
)
def test_if_match_table(header: str | None, current: set[str], passes: bool) -> None:
    assert if_match_passes(header, current) is passes


def test_date_helpers_ignore_bad_dates(author: Author) -> None:
    assert if_modified_since_passes("garbage", author.timestamp)
    assert if_unmodified_since_passes("garbage", author.timestamp)
    assert if_modified_since_passes(http_date(0), None)


@pytest.mark.parametrize("name,accept", FORMATS)
def test_a_put_answers_the_new_versions_etag_so_updates_chain(api: Client, author: Author, name: str, accept: str) -> None:
    first = api.get(url(author), HTTP_ACCEPT=accept)["ETag"]
    updated = put(api, author, {"bio": "Tehanu"}, accept, HTTP_IF_MATCH=first)
    assert updated.status_code == 200
    assert updated["ETag"] == etag_for(updated.content)
    # The next update needs no GET in between: the PUT's tag is current...
    chained = put(api, author, {"bio": "The Other Wind"}, accept, HTTP_IF_MATCH=updated["ETag"])
    assert chained.status_code == 200
    assert api.get(url(author), HTTP_ACCEPT=accept)["ETag"] == chained["ETag"]
    # ...and the first tag is stale.
    stale = put(api, author, {"bio": "lost update"}, accept, HTTP_IF_MATCH=first)
    assert stale.status_code == 412
    author.refresh_from_db()
    assert author.bio == "The Other Wind"


def test_if_none_match_on_a_write(api: Client, author: Author) -> None:
    """RFC 9110 13.1.2: ``*`` refuses a write where something exists; so does a current tag."""
    etag = api.get(url(author))["ETag"]
    for header in ("*", etag, f'"other", W/{etag}'):
        response = put(api, author, {"bio": "overwritten"}, HTTP_IF_NONE_MATCH=header)
        assert response.status_code == 412, header
        assert response.json() == PRECONDITION_FAILED
    author.refresh_from_db()
    assert author.bio == "Earthsea"
    assert put(api, author, {"bio": "new"}, HTTP_IF_NONE_MATCH='"other"').status_code == 200
    assert api.delete(url(author), HTTP_IF_NONE_MATCH="*").status_code == 412
    assert Author.objects.filter(pk=author.pk).exists()


def test_if_match_wins_over_if_unmodified_since(api: Client, author: Author) -> None:
    """RFC 9110 13.2.2: If-Unmodified-Since is not evaluated when If-Match is there."""
    etag = api.get(url(author))["ETag"]
    earlier = http_date(int((author.timestamp - timedelta(hours=1)).timestamp()))
    response = put(api, author, {"bio": "ok"}, HTTP_IF_MATCH=etag, HTTP_IF_UNMODIFIED_SINCE=earlier)
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("header", "current", "allows"),
    [
        (None, set(), True),
        ("*", set(), True),
        ("*", {'"a"'}, False),
        ('"a"', {'"a"', '"b"'}, False),
        ('W/"a"', {'"a"'}, False),
        ('"c"', {'"a"', '"b"'}, True),
        ('"c"', set(), True),
    ],
)
def test_if_none_match_allows_write_table(header: str | None, current: set[str], allows: bool) -> None:
    assert if_none_match_allows_write(header, current) is allows
