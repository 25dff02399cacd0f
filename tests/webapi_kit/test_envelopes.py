"""One resource class, three envelopes: exact success and error payloads."""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

import pytest
from django.test import Client

from tests.testapp.models import Author

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.testapp.extra")]
FORM = "application/x-www-form-urlencoded"


@pytest.fixture
def ursula(db: None) -> Author:
    return Author.objects.create(name="Ursula")


def body(response: Any) -> Any:
    return json.loads(response.content)


def test_stat_envelope(client: Client, ursula: Author) -> None:
    href = f"http://testserver/stat/writers/{ursula.pk}/"
    assert body(client.get(f"/stat/writers/{ursula.pk}/")) == {
        "stat": "ok", "writer": {"id": ursula.pk, "name": "Ursula", "links": {"self": {"method": "GET", "href": href}}},
    }
    missing = client.get("/stat/writers/999/")
    assert missing.status_code == HTTPStatus.NOT_FOUND
    assert missing.content == b'{"err": {"code": 100, "msg": "Object does not exist", "type": "resource-does-not-exist"}, "stat": "fail"}'
    bad = client.post("/stat/writers/", "", content_type=FORM)
    assert bad.content == (
        b'{"err": {"code": 105, "msg": "One or more fields had errors", "type": "request-field-error"}, '
        b'"fields": {"name": ["This field is required"]}, "stat": "fail"}'
    )


def test_status_envelope(client: Client, ursula: Author) -> None:
    href = f"http://testserver/status/writers/{ursula.pk}/"
    item = client.get(f"/status/writers/{ursula.pk}/")
    assert item.headers["Content-Type"] == "application/json"
    assert body(item) == {"status": "ok", "id": ursula.pk, "name": "Ursula", "links": {"self": {"method": "GET", "href": href}}}
    assert body(client.get("/status/writers/")) == {
        "status": "ok", "writers": [{"id": ursula.pk, "name": "Ursula", "links": {"self": {"method": "GET", "href": href}}}],
    }
    assert body(client.get("/status/writers/999/")) == {
        "status": "error", "error_msg": {"resource-does-not-exist": "Object does not exist"}
    }
    bad = client.post("/status/writers/", "", content_type=FORM)
    assert bad.status_code == HTTPStatus.BAD_REQUEST
    assert body(bad) == {"status": "error", "error_msg": {"name": "This field is required"}}
    taken = client.post("/status/writers/", "name=Ursula", content_type=FORM)
    assert taken.status_code == HTTPStatus.CONFLICT
    assert body(taken) == {"status": "error", "error_msg": {"name": "An object with these values already exists"}}
    created = client.post("/status/writers/", "name=Ted", content_type=FORM)
    assert created.status_code == HTTPStatus.CREATED
    assert body(created)["status"] == "ok" and body(created)["name"] == "Ted"


def test_error_list_envelope(client: Client, ursula: Author) -> None:
    href = f"http://testserver/errors/writers/{ursula.pk}/"
    assert body(client.get(f"/errors/writers/{ursula.pk}/")) == {
        "id": ursula.pk, "name": "Ursula", "links": {"self": {"method": "GET", "href": href}}
    }
    assert body(client.get("/errors/writers/")) == [
        {"id": ursula.pk, "name": "Ursula", "links": {"self": {"method": "GET", "href": href}}}
    ]
    assert body(client.get("/errors/writers/999/")) == {
        "errors": [{"type": "resource_does_not_exist", "message": "Object does not exist"}]
    }
    assert body(client.post("/errors/writers/", "", content_type=FORM)) == {
        "errors": [{"type": "invalid_body", "message": "This field is required"}]
    }
    method = client.delete("/errors/writers/")
    assert method.status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert method.headers["Allow"] == "GET, HEAD, POST, OPTIONS"
    assert body(method) == {"errors": [{"type": "method_not_allowed", "message": "This method is not allowed on this resource"}]}


def test_same_error_in_xml_through_each_envelope(client: Client) -> None:
    stat = client.get("/stat/writers/999/?api_format=xml").content
    status = client.get("/status/writers/999/?api_format=xml").content
    assert b"<stat>fail</stat>" in stat and b"<code>100</code>" in stat
    assert b"<status>error</status>" in status and b"<resource-does-not-exist>Object does not exist</resource-does-not-exist>" in status
