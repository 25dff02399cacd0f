"""Requests Django refuses before any view runs answer in the API's error format."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client, override_settings

from tests.testapp.models import Author

pytestmark = pytest.mark.django_db

BAD_HOST = {
    "stat": "fail",
    "err": {"code": 126, "msg": "The request's Host is not one this site answers for", "type": "malformed-request"},
}
# CommonMiddleware asks for the host before any view: Django's handler400 answers.
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]


@override_settings(MIDDLEWARE=MIDDLEWARE)
@pytest.mark.parametrize("path", ["/api/", "/api/authors/", "/api/authors/1/books/", "/api/no/such/thing/"])
def test_an_invalid_host_is_a_400_in_the_apis_format(client: Client, path: str) -> None:
    response = client.get(path, HTTP_HOST="bad host!")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/vnd.example.org.error+json"
    assert json.loads(response.content) == BAD_HOST
    assert response["Vary"] == "Accept"


@override_settings(MIDDLEWARE=MIDDLEWARE)
def test_the_format_is_negotiated(client: Client) -> None:
    response = client.get("/api/authors/", HTTP_HOST="bad host!", HTTP_ACCEPT="application/xml")
    assert (response.status_code, response["Content-Type"]) == (400, "application/vnd.example.org.error+xml")
    assert b"<code>126</code>" in response.content
    assert client.get("/api/?api_format=xml", HTTP_HOST="bad host!")["Content-Type"].endswith("+xml")


@override_settings(MIDDLEWARE=MIDDLEWARE)
def test_outside_the_api_django_answers_as_ever(client: Client) -> None:
    response = client.get("/elsewhere/", HTTP_HOST="bad host!")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


@override_settings(MIDDLEWARE=MIDDLEWARE, ALLOWED_HOSTS=["api.example"])
def test_a_host_not_allowed_is_the_same_400(client: Client) -> None:
    response = client.get("/api/", HTTP_HOST="elsewhere.example")
    assert (response.status_code, json.loads(response.content)) == (400, BAD_HOST)


@pytest.mark.parametrize("query", ["only-links=junk", "only-links=", "only-fields=", "only-fields=junk&only-links=x",
                                   "expand=nothing", "counts-only=1&start=x&max-results=-5"])
def test_query_options_never_fail_a_create_after_the_write(admin_client: Client, query: str) -> None:
    """Whatever the options leave out of the body, the 201 still says where the new object is."""
    response = admin_client.post(f"/api/authors/?{query}", json.dumps({"name": "Ursula"}),
                                 content_type="application/json")
    assert response.status_code == 201, response.content
    author = Author.objects.get()
    assert response["Location"] == f"http://testserver/api/authors/{author.pk}/"
    body: dict[str, Any] = json.loads(response.content)
    assert body["stat"] == "ok"


def test_views_mounted_as_the_apis_own_answer_in_its_format() -> None:
    from django.http import HttpResponse
    from django.test import RequestFactory

    from tests.testapp.resources import api
    from webapi_kit.handlers import bad_request, resource_for_path

    view = api.own_view(lambda request: HttpResponse("ok"))
    assert view.webapi_resource is api.root  # type: ignore[attr-defined]
    request = RequestFactory().get("/api/", HTTP_HOST="bad host!")
    assert resource_for_path(request) is api.root
    response = bad_request(request, ValueError())
    assert (response.status_code, json.loads(response.content)["err"]["code"]) == (400, 126)
