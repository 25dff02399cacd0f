"""The API object: root, URI templates, links, mounting, unknown URLs."""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.http import request as request_module
from django.test import Client

from tests.testapp.models import Author, Book
from tests.testapp.extra import stat_api
from webapi_kit.renderers import parse_xml

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.testapp.extra")]


@pytest.fixture
def ursula(db: None) -> Author:
    author = Author.objects.create(name="Ursula K. Le Guin")
    Book.objects.create(author=author, title="The Dispossessed", year=1974)
    return author


def body(response: Any) -> Any:
    return json.loads(response.content)


def test_root_links_every_top_level_resource_and_templates_every_resource(client: Client) -> None:
    root = body(client.get("/stat/"))
    assert root == {
        "stat": "ok",
        "links": {
            "self": {"method": "GET", "href": "http://testserver/stat/"},
            "writers": {"method": "GET", "href": "http://testserver/stat/writers/"},
            "shelf_books": {"method": "GET", "href": "http://testserver/stat/shelf/"},
            "settings": {"method": "GET", "href": "http://testserver/stat/settings/"},
        },
        "uri_templates": {
            "root": "http://testserver/stat/",
            "writers": "http://testserver/stat/writers/",
            "writer": "http://testserver/stat/writers/{writer_id}/",
            "stats": "http://testserver/stat/writers/stats/",
            "shelf_books": "http://testserver/stat/shelf/",
            "shelf_book": "http://testserver/stat/shelf/{book_id}",
            "settings": "http://testserver/stat/settings/",
            "failure": "http://testserver/stat/failures/{failure_id}/",
        },
    }
    # A resource without a list handler has no list URL: not linked, and a 404.
    assert client.get("/stat/failures/").status_code == HTTPStatus.NOT_FOUND


@pytest.mark.parametrize("prefix", ["/api/", "/mirror/v1/"])
def test_same_api_at_two_prefixes_links_to_itself(client: Client, ursula: Author, prefix: str) -> None:
    base = "http://testserver" + prefix
    root = body(client.get(prefix))
    assert root["links"]["self"]["href"] == base
    assert root["uri_templates"]["book"] == base + "authors/{author_id}/books/{book_id}/"
    listed = body(client.get(f"{prefix}authors/{ursula.pk}/books/"))
    book = listed["books"][0]
    assert book["links"]["self"]["href"] == f"{base}authors/{ursula.pk}/books/{book['id']}/"
    assert book["links"]["author"] == {"method": "GET", "href": f"{base}authors/{ursula.pk}/", "title": "Ursula K. Le Guin"}
    assert listed["links"]["self"]["href"] == f"{base}authors/{ursula.pk}/books/"
    assert listed["links"]["create"] == {"method": "POST", "href": f"{base}authors/{ursula.pk}/books/"}


@pytest.mark.parametrize(
    ("extra", "base"),
    [
        ({"HTTP_HOST": "api.example.com:8443", "secure": True}, "https://api.example.com:8443/api/"),
        ({"SERVER_NAME": "backend", "SERVER_PORT": "8080"}, "http://backend:8080/api/"),
        ({"PATH": "/bücher/"}, "http://testserver/b%C3%BCcher/"),
    ],
    ids=["host-and-https", "server-name", "non-ascii-prefix"],
)
def test_hrefs_start_with_the_requests_scheme_host_and_prefix(
    client: Client, ursula: Author, extra: dict[str, Any], base: str
) -> None:
    prefix = extra.pop("PATH", "/api/")
    response = client.get(f"{prefix}authors/", **extra)
    assert response.status_code == HTTPStatus.OK
    listed = body(response)
    assert listed["links"]["self"]["href"] == base + "authors/"
    assert listed["authors"][0]["links"]["self"]["href"] == f"{base}authors/{ursula.pk}/"


def test_a_host_not_allowed_is_refused_in_the_api_format(client: Client, settings: Any) -> None:
    settings.ALLOWED_HOSTS = ["api.example.com"]
    response = client.get("/api/authors/", HTTP_HOST="evil.example.net")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert body(response) == {
        "stat": "fail",
        "err": {"code": 126, "msg": "The request's Host is not one this site answers for", "type": "malformed-request"},
    }


def test_a_host_allowed_before_is_refused_once_settings_say_so(client: Client, ursula: Author, settings: Any) -> None:
    # The base URL of a host that passed is kept, for these settings only.
    settings.ALLOWED_HOSTS = ["api.example.com", "old.example.com", "gone.example.com"]
    for host in ("old.example.com", "gone.example.com"):
        assert client.get("/api/authors/", HTTP_HOST=host).status_code == HTTPStatus.OK
    settings.ALLOWED_HOSTS = ["api.example.com", "gone.example.com"]
    django_settings.ALLOWED_HOSTS.remove("gone.example.com")  # in place: no setting_changed signal
    for host in ("old.example.com", "gone.example.com"):
        response = client.get("/api/authors/", HTTP_HOST=host)
        assert response.status_code == HTTPStatus.BAD_REQUEST
        assert body(response)["err"]["code"] == 126


def test_a_host_judged_while_settings_change_is_not_kept(
    client: Client, ursula: Author, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Another thread's override_settings() allows the host for a moment,
    # between the request's first look at settings and the host check.
    settings.ALLOWED_HOSTS = ["api.example.com"]
    validate_host = request_module.validate_host

    def widen_then_validate(host: str, allowed_hosts: Any) -> bool:
        settings.ALLOWED_HOSTS = ["api.example.com", "old.example.com"]
        return validate_host(host, settings.ALLOWED_HOSTS)

    monkeypatch.setattr(request_module, "validate_host", widen_then_validate)
    assert client.get("/api/authors/", HTTP_HOST="old.example.com").status_code == HTTPStatus.OK
    monkeypatch.setattr(request_module, "validate_host", validate_host)
    settings.ALLOWED_HOSTS = ["api.example.com"]
    assert client.get("/api/authors/", HTTP_HOST="old.example.com").status_code == HTTPStatus.BAD_REQUEST


@pytest.mark.parametrize(
    ("settings_", "meta", "base"),
    [
        ({}, {"HTTP_HOST": "a.example"}, "http://a.example/api/"),
        ({}, {"HTTP_HOST": "a.example", "secure": True, "SERVER_PORT": "80"}, "https://a.example/api/"),
        ({}, {"HTTP_HOST": "b.example", "HTTP_X_FORWARDED_HOST": "proxy.example"}, "http://b.example/api/"),
        ({"USE_X_FORWARDED_HOST": True}, {"HTTP_HOST": "b.example", "HTTP_X_FORWARDED_HOST": "proxy.example"},
         "http://proxy.example/api/"),
        ({}, {"HTTP_HOST": "b.example", "HTTP_X_FORWARDED_PROTO": "https"}, "http://b.example/api/"),
        ({"SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https")},
         {"HTTP_HOST": "b.example", "HTTP_X_FORWARDED_PROTO": "https"}, "https://b.example/api/"),
        ({"SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https")},
         {"HTTP_HOST": "b.example", "HTTP_X_FORWARDED_PROTO": "http"}, "http://b.example/api/"),
        ({"SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"]},  # a list works for Django too
         {"HTTP_HOST": "b.example", "HTTP_X_FORWARDED_PROTO": "https"}, "https://b.example/api/"),
        ({"USE_X_FORWARDED_PORT": True}, {"SERVER_NAME": "backend", "SERVER_PORT": "8080",
                                          "HTTP_X_FORWARDED_PORT": "9090"}, "http://backend:9090/api/"),
    ],
)
def test_each_request_gets_the_base_url_of_its_own_host_and_scheme(
    client: Client, ursula: Author, settings: Any, settings_: dict[str, Any], meta: dict[str, Any], base: str
) -> None:
    settings.ALLOWED_HOSTS = ["*"]
    for name, value in settings_.items():
        setattr(settings, name, value)
    # Every other case first, so a base URL kept for one would show in another.
    for other in ({"HTTP_HOST": "a.example"}, {"HTTP_HOST": "b.example"}, {"SERVER_NAME": "backend", "SERVER_PORT": "8080"}):
        client.get("/api/authors/", **other)
    listed = body(client.get("/api/authors/", **meta))
    assert listed["links"]["self"]["href"] == base + "authors/"
    assert listed["authors"][0]["links"]["self"]["href"] == f"{base}authors/{ursula.pk}/"


def test_base_urls_kept_stay_few_whatever_hosts_clients_send(client: Client, settings: Any) -> None:
    from webapi_kit import api

    settings.ALLOWED_HOSTS = ["*"]
    for n in range(api._BASE_URLS_KEPT + 10):
        assert body(client.get("/api/authors/", HTTP_HOST=f"h{n}.example"))["links"]["self"]["href"] == (
            f"http://h{n}.example/api/authors/"
        )
    assert 0 < len(api._BASE_URLS) <= api._BASE_URLS_KEPT


def test_a_request_class_of_the_sites_own_finds_its_host_its_own_way(ursula: Author) -> None:
    from django.core.handlers.wsgi import WSGIRequest
    from django.test import RequestFactory

    from tests.testapp.resources import api

    class TenantRequest(WSGIRequest):
        def get_host(self) -> str:
            return self.META["HTTP_X_TENANT"] + ".example"

    resource = next(resource for resource in api.walk() if resource.name == "author")
    for tenant in ("one", "two"):
        request = TenantRequest(RequestFactory().get("/api/authors/", HTTP_X_TENANT=tenant).environ)
        response = resource.list_view(request)
        assert body(response)["links"]["self"]["href"] == f"http://{tenant}.example/api/authors/"


def test_item_link_shapes(client: Client, ursula: Author) -> None:
    author = body(client.get(f"/api/authors/{ursula.pk}/"))["author"]
    href = f"http://testserver/api/authors/{ursula.pk}/"
    assert author["links"] == {
        "self": {"method": "GET", "href": href},
        "update": {"method": "PUT", "href": href},
        "delete": {"method": "DELETE", "href": href},
        "books": {"method": "GET", "href": href + "books/"},
    }


def test_get_only_resource_has_no_write_links(client: Client, ursula: Author) -> None:
    book = Book.objects.get()
    shelf = body(client.get("/stat/shelf/"))
    assert shelf["links"] == {"self": {"method": "GET", "href": "http://testserver/stat/shelf/"}}
    item = shelf["shelf_books"][0]
    assert item["links"] == {
        "self": {"method": "GET", "href": f"http://testserver/stat/shelf/{book.pk}"},
        "author": {"method": "GET", "href": f"http://testserver/stat/writers/{ursula.pk}/", "title": "Ursula K. Le Guin"},
    }
    # Explicit item_path (no trailing slash) routes and links the same way.
    assert body(client.get(f"/stat/shelf/{book.pk}"))["shelf_book"] == item


def test_list_with_create_and_list_child(client: Client, ursula: Author) -> None:
    writers = body(client.get("/stat/writers/"))
    assert writers["links"] == {
        "self": {"method": "GET", "href": "http://testserver/stat/writers/"},
        "create": {"method": "POST", "href": "http://testserver/stat/writers/"},
        "stats": {"method": "GET", "href": "http://testserver/stat/writers/stats/"},
    }
    assert writers["total_results"] == 1
    stats = client.get("/stat/writers/stats/")
    assert stats.status_code == HTTPStatus.OK
    assert stats.headers["Content-Type"] == "application/vnd.example.org.stats+json"
    assert body(stats) == {"stat": "ok", "stats": {"writers": 1}}


def test_singleton_read_and_update(client: Client) -> None:
    got = client.get("/stat/settings/")
    assert got.headers["Content-Type"] == "application/vnd.example.org.settings+json"
    assert body(got) == {"stat": "ok", "settings": {"theme": "light", "beta": False}}
    assert client.options("/stat/settings/").headers["Allow"] == "GET, HEAD, PUT, OPTIONS"
    try:
        put = client.put("/stat/settings/", "theme=dark", content_type="application/x-www-form-urlencoded")
        assert put.status_code == HTTPStatus.OK
        assert body(put) == {"stat": "ok", "settings": {"theme": "dark", "beta": False}}
    finally:
        stat_api.registry["settings"].state.update(theme="light")  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("path", "accept", "content_type"),
    [
        ("/api/nope", "application/json", "application/vnd.example.org.error+json"),
        ("/api/nope/", None, "application/vnd.example.org.error+json"),
        ("/api/authors/1/nope/", "application/json", "application/vnd.example.org.error+json"),
        ("/api/nope/?api_format=xml", None, "application/vnd.example.org.error+xml"),
        ("/api/nope/", "application/xml", "application/vnd.example.org.error+xml"),
        ("/status/nope/", None, "application/json"),
        ("/status/nope/?api_format=xml", None, "application/xml"),
    ],
)
def test_unknown_url_is_a_404_in_the_api_format(client: Client, path: str, accept: str | None, content_type: str) -> None:
    headers = {"HTTP_ACCEPT": accept} if accept else {}
    response = client.get(path, **headers)
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.headers["Content-Type"] == content_type
    assert response.headers["Vary"] == "Accept"
    if path.startswith("/status/"):
        expected = {"status": "error", "error_msg": {"resource-does-not-exist": "Object does not exist"}}
    else:
        expected = {"stat": "fail", "err": {"code": 100, "msg": "Object does not exist", "type": "resource-does-not-exist"}}
    if content_type.endswith("xml"):
        parsed = parse_xml(response.content)
        if "err" in expected:
            expected["err"]["code"] = "100"  # type: ignore[index]
        assert parsed == expected
    else:
        assert body(response) == expected


def test_unknown_url_with_unacceptable_accept_still_404s(client: Client) -> None:
    response = client.get("/api/nope/", HTTP_ACCEPT="image/png")
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.headers["Content-Type"] == "application/vnd.example.org.error+json"
