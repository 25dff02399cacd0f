"""Site users on every service's /api/ tree: Basic, tokens, API login sessions, and who sees what.

A user acts as the service identity of the same name; the service header
still works for scripts; no user reads or changes another's data through
this door.
"""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client

from datarouter.models import Feed
from queuey import services as queuey_services
from queuey.models import Application, Queue
from retry.models import RetryRequest
from tests.example_project.datarouter.conftest import feed_body
from tests.example_project.users import basic, challenges, make_user
from webapi_kit.tokens.services import issue_token

pytestmark = pytest.mark.django_db

COOKIE = "webapi_sessionid"
TARGET = "http://target.example/hook"


@pytest.fixture(autouse=True)
def _fresh_counts() -> None:
    cache.clear()


@pytest.fixture
def alice() -> Any:
    return make_user("alice")


@pytest.fixture
def bob() -> Any:
    return make_user("bob")


def retry_body() -> str:
    return json.dumps({"intervals": [60], "request": {"url": TARGET, "method": "POST", "body": "x"}})


# --- the root and the session ----------------------------------------------------


def test_the_root_links_every_tree_the_session_and_tokens(client: Client) -> None:
    links = client.get("/api/").json()["links"]
    assert set(links) == {
        "self", "retry_requests", "queuey_applications", "datarouter_feeds", "api_tokens", "session",
        "retry_status", "queuey_status", "datarouter_status", "openapi", "docs",
    }


def test_basic_login_then_the_cookie_works_on_every_tree(alice: Any) -> None:
    Application.objects.create(name="alpha", key_hash="x" * 64, owner=alice)
    client = Client(enforce_csrf_checks=True)
    first = client.get("/api/retry/requests/", **basic("alice"))
    assert first.status_code == 200
    assert first.cookies[COOKIE]["path"] == "/api/"
    for url in ("/api/retry/requests/", "/api/queuey/applications/", "/api/datarouter/feeds/", "/api/api-tokens/"):
        assert client.get(url).status_code == 200, url
    created = client.post("/api/retry/requests/", retry_body(), content_type="application/json")
    assert created.status_code == 201, created.content
    assert RetryRequest.objects.get().owner_id == "alice"
    assert client.delete("/api/session/").status_code == 204
    assert client.get("/api/retry/requests/").status_code == 401


def test_a_token_works_on_a_service_tree(alice: Any) -> None:
    _, token = issue_token(alice)
    response = Client().post(
        "/api/retry/requests/", retry_body(), content_type="application/json", HTTP_AUTHORIZATION=f"token {token}"
    )
    assert response.status_code == 201
    assert RetryRequest.objects.get().owner_id == "alice"


def test_a_browser_login_on_a_service_tree_needs_the_csrf_token(alice: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    assert client.get("/api/retry/requests/").status_code == 200
    refused = client.post("/api/retry/requests/", retry_body(), content_type="application/json")
    assert refused.status_code == 403
    assert refused.json()["err"]["msg"].startswith("CSRF Failed")
    assert not RetryRequest.objects.exists()


def test_cross_site_writes_with_the_login_cookie_are_refused(alice: Any) -> None:
    client = Client()
    client.get("/api/", **basic("alice"))
    client.get("/api/retry/requests/", **basic("alice"))
    response = client.post("/api/retry/requests/", retry_body(), content_type="application/json",
                           HTTP_ORIGIN="https://evil.example")
    assert response.status_code == 403
    assert not RetryRequest.objects.exists()


# --- retry -----------------------------------------------------------------------


def test_retry_users_see_only_their_own_requests(client: Client, alice: Any, bob: Any) -> None:
    mine = client.post("/api/retry/requests/", retry_body(), content_type="application/json", **basic("alice"))
    href = mine.json()["retry_request"]["links"]["self"]["href"]
    theirs = RetryRequest.objects.get()
    assert client.get("/api/retry/requests/", **basic("bob")).json()["total_results"] == 0
    assert client.get(href, **basic("bob")).status_code == 404
    assert client.get(href + "attempts/", **basic("bob")).status_code == 404
    assert client.delete(href, **basic("bob")).status_code == 404
    theirs.refresh_from_db()
    assert theirs.state == "pending"
    # The header door still works for scripts, as the same owner.
    assert Client().get("/api/retry/requests/", HTTP_X_OWNER_ID="alice").json()["total_results"] == 1


def test_retry_a_user_cannot_name_another_owner_in_the_header(client: Client, alice: Any) -> None:
    Client().post("/api/retry/requests/", retry_body(), content_type="application/json", HTTP_X_OWNER_ID="bob")
    response = client.get("/api/retry/requests/", HTTP_X_OWNER_ID="bob", **basic("alice"))
    assert response.status_code == 403
    assert response.json()["err"]["msg"] == "You are logged in as 'alice'; X-Owner-ID may not name another"
    assert client.get("/api/retry/requests/", HTTP_X_OWNER_ID="alice", **basic("alice")).status_code == 200


def test_retry_wrong_password_is_401_with_basic_first(client: Client, alice: Any) -> None:
    response = client.get("/api/retry/requests/", **basic("alice", "wrong"))
    assert response.status_code == 401
    assert response.json()["err"]["code"] == 104
    assert challenges(response)[0] == 'Basic realm="Web API"'


# --- datarouter ------------------------------------------------------------------


def test_datarouter_users_act_as_the_same_name(client: Client, alice: Any, bob: Any) -> None:
    created = client.post("/api/datarouter/feeds/", json.dumps(feed_body(version="2")),
                          content_type="application/json", **basic("alice"))
    assert created.status_code == 201, created.content
    feed = Feed.objects.get()
    assert feed.publisher == "alice"
    href = created.json()["datarouter_feed"]["links"]["self"]["href"]
    # Everyone sees live feeds (the service's rule); only the publisher changes them.
    assert client.get(href, **basic("bob")).status_code == 200
    changed = client.put(href, json.dumps(feed_body(version="2", description="mine now")), content_type="application/json",
                         **basic("bob"))
    assert changed.status_code == 403, changed.content
    assert client.delete(href, **basic("bob")).status_code == 403
    feed.refresh_from_db()
    assert (feed.description, feed.deleted) == ("Jettydemo", False)
    header = client.get(href, HTTP_X_ATT_DR_ON_BEHALF_OF="mallory", **basic("alice"))
    assert header.status_code == 403


def test_datarouter_names_longer_than_it_holds_are_refused(client: Client) -> None:
    make_user("longusername")
    response = client.get("/api/datarouter/feeds/", **basic("longusername"))
    assert response.status_code == 403
    assert "at most 8 characters" in response.json()["err"]["msg"]


def test_datarouter_files_are_read_by_users(client: Client, alice: Any) -> None:
    created = client.post("/api/datarouter/feeds/", json.dumps(feed_body(version="2")),
                          content_type="application/json", **basic("alice"))
    files = created.json()["datarouter_feed"]["links"]["datarouter_files"]["href"]
    assert client.get(files, **basic("alice")).json()["total_results"] == 0
    assert Client().get(files).status_code == 401


# --- queuey ----------------------------------------------------------------------


@pytest.fixture
def alpha(alice: Any) -> Application:
    app, _ = queuey_services.create_application("alpha", owner=alice)
    return app


@pytest.fixture
def beta(bob: Any) -> Application:
    app, _ = queuey_services.create_application("beta", owner=bob)
    Queue.objects.create(application=app, name="secret")
    return app


def test_queuey_users_see_the_applications_they_own(client: Client, alpha: Application, beta: Application) -> None:
    listed = client.get("/api/queuey/applications/", **basic("alice")).json()
    assert [a["name"] for a in listed["queuey_applications"]] == ["alpha"]
    assert client.get("/api/queuey/applications/beta/", **basic("alice")).status_code == 404


def test_queuey_users_act_as_their_application(client: Client, alpha: Application) -> None:
    queues = "/api/queuey/applications/alpha/queues/"
    created = client.post(queues, {"name": "jobs", "partitions": "2"}, **basic("alice"))
    assert created.status_code == 201, created.content
    assert Queue.objects.get(application=alpha).name == "jobs"
    updated = client.put(queues + "jobs/", "partitions=3", content_type="application/x-www-form-urlencoded",
                         **basic("alice"))
    assert updated.status_code == 200, updated.content
    assert Queue.objects.get(application=alpha).partitions == 3
    assert client.delete(queues + "jobs/", **basic("alice")).status_code == 204
    assert not Queue.objects.filter(application=alpha).exists()


def test_queuey_no_cross_owner_access(client: Client, alpha: Application, beta: Application) -> None:
    queues = "/api/queuey/applications/beta/queues/"
    assert client.get(queues, **basic("alice")).status_code == 404
    assert client.get(queues + "secret/", **basic("alice")).status_code == 404
    assert client.get(queues + "secret/messages/", **basic("alice")).status_code == 404
    assert client.post(queues, {"name": "mine"}, **basic("alice")).status_code == 404
    assert client.put(queues + "secret/", "partitions=5", content_type="application/x-www-form-urlencoded",
                      **basic("alice")).status_code == 404
    assert client.delete(queues + "secret/", **basic("alice")).status_code == 404
    assert client.post(queues + "secret/messages/", {"body": "x"}, **basic("alice")).status_code == 404
    assert list(Queue.objects.filter(application=beta).values_list("name", "partitions")) == [("secret", 1)]


def test_queuey_app_create_with_an_owner(alice: Any) -> None:
    out, err = io.StringIO(), io.StringIO()
    call_command("queuey_app", "create", "gamma", "--user", "alice", stdout=out, stderr=err)
    assert Application.objects.get(name="gamma").owner == alice
    listing = io.StringIO()
    call_command("queuey_app", "list", stdout=listing)
    assert "owner alice" in listing.getvalue()


def test_queuey_app_create_with_an_unknown_user() -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No user named 'nobody'"):
        call_command("queuey_app", "create", "gamma", "--user", "nobody", stdout=io.StringIO(), stderr=io.StringIO())
    assert not Application.objects.exists()


# --- the admin -------------------------------------------------------------------


def test_admin_makes_a_token_and_shows_it_once(alice: Any) -> None:
    from webapi_kit.tokens.models import APIToken

    admin = make_user("root", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    response = client.post("/admin/webapi_kit_tokens/apitoken/add/", {"user": alice.pk, "note": "ci"}, follow=True)
    assert response.status_code == 200
    token = APIToken.objects.get()
    shown = [str(m) for m in response.context["messages"]]
    assert len(shown) >= 1 and any(token.prefix in m and "not shown again" in m for m in shown)
    key = next(m for m in shown if "not shown again" in m).split(" is ")[1].split(" ")[0]
    assert Client().get("/api/api-tokens/", HTTP_AUTHORIZATION=f"token {key}").status_code == 200
    page = client.get(f"/admin/webapi_kit_tokens/apitoken/{token.pk}/change/")
    assert key not in page.content.decode()


def test_admin_sets_an_applications_owner(alice: Any) -> None:
    admin = make_user("root", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    response = client.post("/admin/queuey/application/add/", {
        "name": "delta", "owner": alice.pk,
        "queues-TOTAL_FORMS": "0", "queues-INITIAL_FORMS": "0",
    })
    assert response.status_code == 302, response.content[:2000]
    assert Application.objects.get(name="delta").owner == alice
