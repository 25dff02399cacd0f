"""The request pipeline of WebAPIResource: methods, errors, headers, conditionals."""

from __future__ import annotations

import base64
import json
import logging
from http import HTTPStatus
from typing import Any, Literal

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.test.utils import override_settings

from tests.testapp.models import Author, Book
from webapi_kit.testing import APIClient, assert_api_error

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.testapp.extra")]

AUTH = {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(b"admin:secret").decode()}
FORM = "application/x-www-form-urlencoded"


@pytest.fixture
def ursula(db: None) -> Author:
    User.objects.create_user("admin", password="secret")
    author = Author.objects.create(name="Ursula K. Le Guin", birth_year=1929)
    Book.objects.create(author=author, title="The Dispossessed", year=1974)
    return author


def body(response: Any) -> Any:
    return json.loads(response.content)


# ----------------------------------------------------------------------
# Methods: 405 with Allow per URL, HEAD, OPTIONS.

ALLOW = [
    ("/api/", "GET, HEAD, OPTIONS"),
    ("/api/authors/", "GET, HEAD, POST, OPTIONS"),
    ("/api/authors/{a}/", "GET, HEAD, PUT, DELETE, OPTIONS"),
    ("/api/authors/{a}/books/", "GET, HEAD, POST, OPTIONS"),
    ("/stat/shelf/", "GET, HEAD, OPTIONS"),
    ("/stat/writers/stats/", "GET, HEAD, OPTIONS"),
]


@pytest.mark.parametrize(
    ("path", "allow", "method"),
    [(p, a, m) for p, a in ALLOW for m in ("PATCH", "PUT", "DELETE", "POST") if m not in a],
)
def test_405_names_the_urls_methods(client: Client, ursula: Author, path: str, allow: str, method: str) -> None:
    response = client.generic(method, path.format(a=ursula.pk), "", content_type=FORM, **AUTH)
    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert response.headers["Allow"] == allow
    assert "Accept" in response.headers["Vary"]
    assert body(response) == {
        "stat": "fail", "err": {"code": 120, "msg": "This method is not allowed on this resource", "type": "method-not-allowed"}
    }


@pytest.mark.parametrize(("path", "allow"), ALLOW)
def test_options_answers_allow(client: Client, ursula: Author, path: str, allow: str) -> None:
    response = client.options(path.format(a=ursula.pk))
    assert response.status_code == HTTPStatus.OK
    assert response.headers["Allow"] == allow
    assert response.content == b""


@pytest.mark.parametrize(
    "path", ["/api/", "/api/authors/", "/api/authors/{a}/", "/api/authors/{a}/books/", "/stat/writers/stats/"]
)
@pytest.mark.parametrize("accept", ["application/json", "application/xml"])
def test_head_is_get_without_a_body(client: Client, ursula: Author, path: str, accept: str) -> None:
    path = path.format(a=ursula.pk)
    get = client.get(path, HTTP_ACCEPT=accept)
    head = client.head(path, HTTP_ACCEPT=accept)
    assert head.status_code == get.status_code == HTTPStatus.OK
    assert head.content == b""
    for header in ("Content-Type", "Content-Length", "ETag", "Last-Modified", "Item-Content-Type", "Vary"):
        assert head.headers.get(header) == get.headers.get(header), header
    assert int(head.headers["Content-Length"]) == len(get.content)


def test_head_of_a_missing_item_is_a_bodiless_404(client: Client, ursula: Author) -> None:
    head = client.head("/api/authors/999/")
    assert head.status_code == HTTPStatus.NOT_FOUND
    assert head.content == b""
    assert head.headers["Content-Type"] == "application/vnd.example.org.error+json"


# ----------------------------------------------------------------------
# Failures: 500, 503, 409, never a traceback unless DEBUG.

INTERNAL = {"stat": "fail", "err": {"code": 127, "msg": "An internal error occurred", "type": "internal-error"}}


def test_500_hides_the_traceback_and_logs_it(client: Client, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="webapi_kit"):
        response = client.get("/stat/failures/1/")
    assert response.status_code == HTTPStatus.INTERNAL_SERVER_ERROR
    assert body(response) == INTERNAL
    assert b"secret internals" not in response.content and b"Traceback" not in response.content
    assert response.headers["Content-Type"] == "application/vnd.example.org.error+json"
    [record] = [r for r in caplog.records if r.name == "webapi_kit"]
    assert record.levelno == logging.ERROR
    assert record.exc_info is not None and "secret internals" in str(record.exc_info[1])
    assert "/stat/failures/1/" in record.getMessage()


@override_settings(DEBUG=True)
def test_500_shows_the_traceback_under_debug(client: Client) -> None:
    data = body(client.get("/stat/failures/1/"))
    assert data["err"] == INTERNAL["err"]
    assert "RuntimeError: secret internals" in "".join(data["traceback"])


def test_500_in_xml(client: Client) -> None:
    response = client.get("/stat/failures/1/?api_format=xml")
    assert response.status_code == HTTPStatus.INTERNAL_SERVER_ERROR
    assert response.headers["Content-Type"] == "application/vnd.example.org.error+xml"
    assert b"<type>internal-error</type>" in response.content


def test_database_down_is_503_with_retry_after(client: Client, caplog: pytest.LogCaptureFixture) -> None:
    response = client.get("/stat/failures/2/")
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert response.headers["Retry-After"] == "30"
    assert body(response) == {
        "stat": "fail",
        "err": {"code": 1, "msg": "The service is not available right now; try again later", "type": "service-unavailable"},
    }
    assert b"could not connect" not in response.content


def test_integrity_error_is_409(client: Client) -> None:
    response = client.get("/stat/failures/3/")
    assert response.status_code == HTTPStatus.CONFLICT
    assert body(response)["err"] == {"code": 111, "msg": "An object with these values already exists", "type": "resource-conflict"}


@pytest.mark.django_db
def test_an_integrity_error_that_is_not_a_unique_violation_is_a_logged_500(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    response = client.get("/stat/failures/5/")
    assert response.status_code == HTTPStatus.INTERNAL_SERVER_ERROR
    assert body(response)["err"]["type"] == "internal-error"
    assert "Internal error on GET /stat/failures/5/" in caplog.text


@pytest.mark.django_db
def test_a_value_the_database_cannot_hold_is_400_not_500(client: Client) -> None:
    response = client.get("/stat/failures/6/")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert body(response)["err"] == {
        "code": 126, "msg": "A value is out of range or too long to be stored", "type": "malformed-request",
    }


# ----------------------------------------------------------------------
# Formats: vendor types, Item-Content-Type, Vary on everything.


def test_vendor_types_and_item_content_type(api_client: APIClient, ursula: Author) -> None:
    api_client.api_get(
        "/api/authors/", headers={"Accept": "application/vnd.example.org.authors+xml"},
        expected_mimetype="application/vnd.example.org.authors+xml",
        expected_headers={"Item-Content-Type": "application/vnd.example.org.author+xml"},
    )
    api_client.api_get(
        f"/api/authors/{ursula.pk}/books/", expected_mimetype="application/vnd.example.org.books+json",
        expected_headers={"Item-Content-Type": "application/vnd.example.org.book+json"},
    )
    api_client.authenticate(basic=("admin", "secret"))
    created = api_client.api_post(
        "/api/authors/", {"name": "Ted"}, body="form", expected_mimetype="application/vnd.example.org.author+json"
    )
    assert created.headers["Location"] == created.links["self"]["href"]


@pytest.mark.parametrize(
    ("method", "path", "kwargs"),
    [
        ("get", "/api/", {}),
        ("get", "/api/authors/", {}),
        ("get", "/api/authors/{a}/", {}),
        ("get", "/api/authors/999/", {}),
        ("get", "/api/authors/{a}/", {"HTTP_ACCEPT": "text/html"}),
        ("get", "/api/authors/?max-results=x", {}),
        ("delete", "/api/", {}),
        ("post", "/api/authors/", {}),
        ("get", "/api/nope/", {}),
        ("get", "/stat/failures/1/", {}),
        ("head", "/api/authors/", {}),
    ],
)
def test_vary_accept_on_every_negotiated_response(client: Client, ursula: Author, method: str, path: str, kwargs: dict[str, str]) -> None:
    response = getattr(client, method)(path.format(a=ursula.pk), **kwargs)
    assert "Accept" in [v.strip() for v in response.headers["Vary"].split(",")]


# ----------------------------------------------------------------------
# Conditional requests.


def test_etags_are_quoted_and_differ_per_format(client: Client, ursula: Author) -> None:
    for path in ("/api/", "/api/authors/", f"/api/authors/{ursula.pk}/"):
        as_json = client.get(path, HTTP_ACCEPT="application/json").headers["ETag"]
        as_xml = client.get(path, HTTP_ACCEPT="application/xml").headers["ETag"]
        assert as_json != as_xml
        assert as_json[0] == as_json[-1] == '"' and as_xml[0] == as_xml[-1] == '"'


@pytest.mark.parametrize("path", ["/api/", "/api/authors/", "/api/authors/{a}/"])
def test_if_none_match_forms(client: Client, ursula: Author, path: str) -> None:
    path = path.format(a=ursula.pk)
    etag = client.get(path).headers["ETag"]
    for header in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        response = client.get(path, HTTP_IF_NONE_MATCH=header)
        assert response.status_code == HTTPStatus.NOT_MODIFIED, header
        assert response.content == b"" and response.headers["ETag"] == etag
    assert client.get(path, HTTP_IF_NONE_MATCH='"other"').status_code == HTTPStatus.OK


def test_if_modified_since(client: Client, ursula: Author) -> None:
    path = f"/api/authors/{ursula.pk}/"
    last_modified = client.get(path).headers["Last-Modified"]
    assert client.get(path, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == HTTPStatus.NOT_MODIFIED
    assert client.get(path, HTTP_IF_MODIFIED_SINCE="Mon, 01 Jan 2001 00:00:00 GMT").status_code == HTTPStatus.OK
    # If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2).
    assert client.get(path, HTTP_IF_MODIFIED_SINCE=last_modified, HTTP_IF_NONE_MATCH='"other"').status_code == HTTPStatus.OK


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_if_match_on_put(ursula: Author, fmt: Literal["json", "xml"]) -> None:
    client = APIClient(format=fmt)
    client.authenticate(basic=("admin", "secret"))
    path = f"/api/authors/{ursula.pk}/"
    etag = client.api_get(path).headers["ETag"]
    stale = client.api_put(path, {"bio": "x"}, body="form", headers={"If-Match": '"stale"'}, expected_status=412)
    assert_api_error(stale, type="precondition-failed")
    assert Author.objects.get(pk=ursula.pk).bio == ""
    # The tag of either rendition identifies the version.
    client.api_put(path, {"bio": "x"}, body="form", headers={"If-Match": etag})
    assert Author.objects.get(pk=ursula.pk).bio == "x"
    # ...and is stale once the object changed.
    client.api_put(path, {"bio": "y"}, body="form", headers={"If-Match": etag}, expected_status=412)
    assert Author.objects.get(pk=ursula.pk).bio == "x"


def test_if_match_and_if_unmodified_since_on_delete(client: Client, ursula: Author) -> None:
    path = f"/api/authors/{ursula.pk}/"
    got = client.get(path)
    assert client.delete(path, HTTP_IF_MATCH='"stale"', **AUTH).status_code == HTTPStatus.PRECONDITION_FAILED
    old = "Mon, 01 Jan 2001 00:00:00 GMT"
    assert client.delete(path, HTTP_IF_UNMODIFIED_SINCE=old, **AUTH).status_code == HTTPStatus.PRECONDITION_FAILED
    assert Author.objects.filter(pk=ursula.pk).exists()
    response = client.delete(
        path, HTTP_IF_MATCH=got.headers["ETag"], HTTP_IF_UNMODIFIED_SINCE=got.headers["Last-Modified"], **AUTH
    )
    assert response.status_code == HTTPStatus.NO_CONTENT
    assert not Author.objects.filter(pk=ursula.pk).exists()
