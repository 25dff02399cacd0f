"""API tokens (webapi_kit.tokens): made, listed, renamed and revoked by their user; stored hashed."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import Client

from webapi_kit.tokens.models import APIToken
from webapi_kit.tokens.services import issue_token

from .test_login_sessions import COOKIE, basic, challenges

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.testapp.login_urls")]


@pytest.fixture(autouse=True)
def _fresh_counts() -> None:
    cache.clear()


@pytest.fixture
def alice() -> User:
    return User.objects.create_user("alice", password="right")


@pytest.fixture
def bob() -> User:
    return User.objects.create_user("bob", password="pw")


def make(client: Client, note: str = "laptop") -> dict[str, Any]:
    response = client.post("/api/api-tokens/", {"note": note}, HTTP_AUTHORIZATION=basic("alice", "right"))
    assert response.status_code == 201, response.content
    item: dict[str, Any] = response.json()["api_token"]
    return item


def test_create_shows_the_token_once_and_stores_its_hash(alice: User) -> None:
    client = Client()
    item = make(client)
    token = item["token"]
    assert token.startswith("wkt_") and len(token) == 4 + 43
    stored = APIToken.objects.get()
    assert stored.user == alice
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert stored.prefix == token[:12] == item["prefix"]
    assert token not in {stored.token_hash, stored.prefix, stored.note}
    assert item["note"] == "laptop"
    assert item["links"]["self"]["href"] == f"http://testserver/api/api-tokens/{stored.pk}/"
    # Never again: not in the item, not in the list.
    again = client.get(item["links"]["self"]["href"], HTTP_AUTHORIZATION=basic("alice", "right")).json()
    assert "token" not in again["api_token"]
    listed = client.get("/api/api-tokens/", HTTP_AUTHORIZATION=basic("alice", "right")).json()
    assert [t["prefix"] for t in listed["api_tokens"]] == [item["prefix"]]
    assert all("token" not in t for t in listed["api_tokens"])


def test_a_token_logs_in_and_starts_a_session(alice: User) -> None:
    token = make(Client())["token"]
    client = Client()
    response = client.get("/api/notes/", HTTP_AUTHORIZATION=f"token {token}")
    assert response.status_code == 200
    assert COOKIE in response.cookies
    assert client.get("/api/session/").json()["session"]["username"] == "alice"
    assert APIToken.objects.get().last_used is not None


def test_an_unknown_token_is_401_with_basic_first(alice: User) -> None:
    response = Client().get("/api/notes/", HTTP_AUTHORIZATION="token wkt_nope")
    assert response.status_code == 401
    assert response.json()["err"]["code"] == 104
    assert challenges(response) == ['Basic realm="Web API"', 'token realm="Web API"']


def test_rename_and_revoke(alice: User) -> None:
    client = Client()
    item = make(client)
    href = item["links"]["self"]["href"]
    auth = {"HTTP_AUTHORIZATION": basic("alice", "right")}
    renamed = client.put(href, "note=desktop", content_type="application/x-www-form-urlencoded", **auth)
    assert renamed.status_code == 200, renamed.content
    assert APIToken.objects.get().note == "desktop"
    assert client.delete(href, **auth).status_code == 204
    assert not APIToken.objects.exists()
    assert Client().get("/api/notes/", HTTP_AUTHORIZATION=f"token {item['token']}").status_code == 401


def test_other_users_tokens_are_not_there(alice: User, bob: User) -> None:
    _, bobs = issue_token(bob, "bob's")
    theirs = APIToken.objects.get(user=bob)
    client = Client()
    auth = {"HTTP_AUTHORIZATION": basic("alice", "right")}
    assert client.get("/api/api-tokens/", **auth).json()["total_results"] == 0
    href = f"/api/api-tokens/{theirs.pk}/"
    assert client.get(href, **auth).status_code == 404
    assert client.put(href, "note=mine", content_type="application/x-www-form-urlencoded", **auth).status_code == 404
    assert client.delete(href, **auth).status_code == 404
    assert APIToken.objects.get(pk=theirs.pk).note == "bob's"


def test_anonymous_callers_get_401(alice: User) -> None:
    response = Client().post("/api/api-tokens/", {"note": "x"})
    assert response.status_code == 401
    assert not APIToken.objects.exists()


def test_an_inactive_users_token_does_not_work(alice: User) -> None:
    _, token = issue_token(alice)
    User.objects.filter(pk=alice.pk).update(is_active=False)
    assert Client().get("/api/notes/", HTTP_AUTHORIZATION=f"token {token}").status_code == 401


def test_note_too_long_is_a_field_error(alice: User) -> None:
    response = Client().post("/api/api-tokens/", {"note": "x" * 201}, HTTP_AUTHORIZATION=basic("alice", "right"))
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["note"]
    assert not APIToken.objects.exists()
