"""webapi_kit.testing: the test client, its checks, the assertions and the api_client fixture."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import TestCase

from tests.testapp.models import Author
from webapi_kit.testing import APIClient, APIResult, assert_api_error, assert_links

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\nfakepng"


@pytest.fixture
def ursula(db: None) -> Author:
    User.objects.create_user("admin", password="secret")
    return Author.objects.create(name="Ursula K. Le Guin", birth_year=1929)


def test_the_fixture_browses_by_links(api_client: APIClient, ursula: Author) -> None:
    root = api_client.api_get("/api/", expected_mimetype="application/vnd.example.org.root+json")
    assert_links(root, ["self", "authors"], exact=True)
    authors = api_client.follow(root, "authors")
    assert authors.payload_key == "authors" and authors["total_results"] == 1
    (item,) = authors.items
    assert_links(item, ["self", "update", "delete", "books"], methods={"update": "PUT", "delete": "DELETE"})
    author = api_client.follow(item, "self")
    assert author.item["name"] == "Ursula K. Le Guin" and author.headers["ETag"]


def test_bodies_json_form_and_multipart(api_client: APIClient, ursula: Author) -> None:
    api_client.authenticate(basic=("admin", "secret"))
    created = api_client.api_post("/api/authors/", {"name": "Ted", "birth_year": 1947})
    assert created.item["birth_year"] == 1947 and created.headers["Location"] == created.links["self"]["href"]
    formed = api_client.api_put(created.links["update"]["href"], {"bio": "form"}, body="form")
    assert formed.item["bio"] == "form"
    photo = api_client.follow(created, "update", {"bio": "with photo", "photo": ("p.png", PNG, "image/png")})
    assert (photo.item["bio"], photo.item["photo_name"], photo.item["photo_size"]) == ("with photo", "p.png", len(PNG))
    deleted = api_client.follow(created, "delete")
    assert deleted.payload == {} and not Author.objects.filter(name="Ted").exists()


def test_xml_is_decoded_like_json(ursula: Author) -> None:
    as_xml = APIClient(format="xml").api_get(f"/api/authors/{ursula.pk}/")
    as_json = APIClient().api_get(f"/api/authors/{ursula.pk}/")
    assert as_xml.content_type == "application/vnd.example.org.author+xml"
    assert as_xml.item == as_json.item


def test_errors_and_credentials(api_client: APIClient, ursula: Author) -> None:
    refused = api_client.api_post("/api/authors/", {"name": "x"}, expected_status=401,
                                  expected_headers={"WWW-Authenticate": 'Basic realm="Web API"'})
    assert_api_error(refused, 103, status=401, type="auth-not-logged-in")
    api_client.authenticate(basic=("admin", "secret"))
    bad = api_client.api_post("/api/authors/", {"birth_year": "abc", "colour": "blue"}, body="form", expected_status=400)
    err = assert_api_error(bad, code=105, fields=["name", "birth_year", "colour"])
    assert err["type"] == "request-field-error"
    api_client.authenticate()  # anonymous again
    api_client.api_put(f"/api/authors/{ursula.pk}/", {"bio": "x"}, expected_status=401)


def test_api_query_and_headers(api_client: APIClient, ursula: Author) -> None:
    page = api_client.api_get("/api/authors/", {"max-results": 0, "unused": None})
    assert page.items == [] and page["total_results"] == 1
    etag = api_client.api_get(f"/api/authors/{ursula.pk}/").headers["ETag"]
    unchanged = api_client.api_get(f"/api/authors/{ursula.pk}/", headers={"If-None-Match": etag}, expected_status=304)
    assert unchanged.payload == {} and unchanged.headers["ETag"] == etag


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda c, pk: c.api_get(f"/api/authors/{pk}/", expected_status=404), "status 200, expected 404:\n{\"author\""),
        (lambda c, pk: c.api_get("/api/authors/999/"), "status 404, expected 200:\n{\"err\": {\"code\": 100"),
        (lambda c, pk: c.api_get("/api/", expected_mimetype="application/json"),
         "Content-Type 'application/vnd.example.org.root+json', expected 'application/json'"),
        (lambda c, pk: c.api_get("/api/", expected_headers={"ETag": '"x"'}), "GET /api/: ETag is '\""),
        (lambda c, pk: c.follow(c.api_get("/api/"), "books"), "no link 'books'; present: ['authors', 'self']"),
    ],
)
def test_failures_say_what_came_back(api_client: APIClient, ursula: Author, call: Any, message: str) -> None:
    with pytest.raises(AssertionError) as failed:
        call(api_client, ursula.pk)
    assert message in str(failed.value)


def test_assertions_fail_readably(api_client: APIClient, ursula: Author) -> None:
    missing = api_client.api_get("/api/authors/999/", expected_status=404)
    with pytest.raises(AssertionError, match="error code 100, expected 105"):
        assert_api_error(missing, 105)
    with pytest.raises(AssertionError, match="not an error answer"):
        assert_api_error(api_client.api_get("/api/"))
    with pytest.raises(AssertionError, match=r"missing links \['create'\]"):
        assert_links(api_client.api_get("/api/"), ["create"])
    with pytest.raises(AssertionError, match=r"unexpected links \['self'\]"):
        assert_links(api_client.api_get("/api/"), ["authors"], exact=True)
    assert isinstance(missing, APIResult) and missing.status_code == 404


class TestInADjangoTestCase(TestCase):
    """``client_class = APIClient`` gives ``self.client`` the dialect's calls."""

    client_class = APIClient

    def test_list_and_item(self) -> None:
        author = Author.objects.create(name="Iain M. Banks", birth_year=1954)
        listed = self.client.api_get("/api/authors/")
        self.assertEqual([a["name"] for a in listed.items], ["Iain M. Banks"])
        item = self.client.follow(listed.items[0], "self")
        self.assertEqual(item.item["id"], author.pk)
