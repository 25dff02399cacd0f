"""Authentication end to end: HTTP Basic, the Django session with CSRF, API
keys, the 401/403 split, and the login failure limit."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from django.core.cache import cache
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client, override_settings

from tests.testapp.models import ApiKey, Author, Note
from webapi_kit import throttling
from webapi_kit.authentication import hash_key

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.testapp.bulk_urls")]

BASIC_CHALLENGE = 'Basic realm="Web API"'


@pytest.fixture(autouse=True)
def _fresh_counts() -> Any:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def user(django_user_model: Any) -> Any:
    return django_user_model.objects.create_user("alice", password="right")


@pytest.fixture
def author() -> Author:
    return Author.objects.create(name="Ursula")


def basic(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


def fail(code: int, msg: str, type_: str) -> dict[str, Any]:
    return {"stat": "fail", "err": {"code": code, "msg": msg, "type": type_}}


def put_author(client: Client, author: Author, **headers: Any) -> Any:
    return client.put(f"/api/authors/{author.pk}/", json.dumps({"bio": "new"}), content_type="application/json", **headers)


# --- HTTP Basic --------------------------------------------------------------


def test_basic_good(client: Client, user: Any, author: Author) -> None:
    response = put_author(client, author, HTTP_AUTHORIZATION=basic("alice", "right"))
    assert response.status_code == 200, response.content


def test_basic_accepts_unicode_passwords(client: Client, django_user_model: Any, author: Author) -> None:
    django_user_model.objects.create_user("zoë", password="pässwörd:with colon")
    assert put_author(client, author, HTTP_AUTHORIZATION=basic("zoë", "pässwörd:with colon")).status_code == 200


@pytest.mark.parametrize(("username", "password"), [("alice", "wrong"), ("nobody", "right"), ("", "")])
def test_basic_bad_credentials(client: Client, user: Any, author: Author, username: str, password: str) -> None:
    # Even a GET, which needs no login: wrong credentials are never ignored.
    for response in (
        put_author(client, author, HTTP_AUTHORIZATION=basic(username, password)),
        client.get(f"/api/authors/{author.pk}/", HTTP_AUTHORIZATION=basic(username, password)),
    ):
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == BASIC_CHALLENGE
        assert response.json() == fail(104, "The username or password was not correct", "auth-login-failed")


def test_basic_inactive_user(client: Client, user: Any, author: Author) -> None:
    user.is_active = False
    user.save()
    assert put_author(client, author, HTTP_AUTHORIZATION=basic("alice", "right")).status_code == 401


@pytest.mark.parametrize("header", ["Basic", "Basic !!!not-base64", "Basic " + base64.b64encode(b"no-colon").decode(),
                                    "Basic " + base64.b64encode(b"\xff:\xfe").decode()])
def test_basic_malformed(client: Client, author: Author, header: str) -> None:
    response = put_author(client, author, HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == BASIC_CHALLENGE
    assert response.json() == fail(104, "The Authorization header is not valid HTTP Basic", "auth-login-failed")


@pytest.mark.parametrize("headers", [{}, {"HTTP_AUTHORIZATION": "Bearer abc"}])
def test_missing_credentials(client: Client, author: Author, headers: dict[str, str]) -> None:
    response = put_author(client, author, **headers)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == BASIC_CHALLENGE
    assert response.json() == fail(103, "You are not logged in", "auth-not-logged-in")
    # Reading needs no login on this resource.
    assert client.get(f"/api/authors/{author.pk}/", **headers).status_code == 200


# --- the Django session ------------------------------------------------------


def csrf_client(user: Any) -> tuple[Client, str]:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    token = _get_new_csrf_string()
    client.cookies["csrftoken"] = token
    return client, token


def test_session_read_needs_no_csrf(user: Any, author: Author) -> None:
    client, _ = csrf_client(user)
    assert client.get(f"/api/authors/{author.pk}/").status_code == 200


def test_session_unsafe_method_without_csrf_token(user: Any, author: Author) -> None:
    client, _ = csrf_client(user)
    response = put_author(client, author)
    assert response.status_code == 403
    assert response.json() == fail(101, "CSRF Failed: CSRF token missing.", "resource-permission-denied")
    author.refresh_from_db()
    assert author.bio == ""


def test_session_wrong_csrf_token(user: Any, author: Author) -> None:
    client, _ = csrf_client(user)
    response = put_author(client, author, HTTP_X_CSRFTOKEN=_get_new_csrf_string())
    assert response.status_code == 403
    assert response.json()["err"]["msg"] == "CSRF Failed: CSRF token from the 'X-Csrftoken' HTTP header incorrect."


def test_session_with_csrf_header(user: Any, author: Author) -> None:
    client, token = csrf_client(user)
    assert put_author(client, author, HTTP_X_CSRFTOKEN=token).status_code == 200
    assert client.delete(f"/api/authors/{author.pk}/", HTTP_X_CSRFTOKEN=token).status_code == 204


def test_session_csrf_token_in_an_urlencoded_post_passes_the_check(user: Any) -> None:
    client, token = csrf_client(user)
    response = client.post("/api/authors/", f"name=Octavia&csrfmiddlewaretoken={token}",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code != 403, response.content


def test_session_csrf_token_in_an_urlencoded_post_is_not_a_field(user: Any) -> None:
    client, token = csrf_client(user)
    response = client.post("/api/authors/", f"name=Octavia&csrfmiddlewaretoken={token}",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 201, response.content


def test_session_multipart_post_with_csrf_header(user: Any) -> None:
    """The CSRF check must not consume a multipart body before the parser reads it."""
    client, token = csrf_client(user)
    response = client.post("/api/authors/", {"name": "Octavia", "birth_year": "1947"}, HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 201, response.content
    assert response.json()["author"]["name"] == "Octavia"


def test_session_multipart_post_needs_the_header(user: Any) -> None:
    client, token = csrf_client(user)
    response = client.post("/api/authors/", {"name": "Octavia", "csrfmiddlewaretoken": token})
    assert response.status_code == 403
    assert not Author.objects.exists()


def test_basic_needs_no_csrf(user: Any, author: Author) -> None:
    client = Client(enforce_csrf_checks=True)
    assert put_author(client, author, HTTP_AUTHORIZATION=basic("alice", "right")).status_code == 200


def challenges(response: Any) -> list[str]:
    """The WWW-Authenticate headers as a server sends them (one per scheme)."""
    return [value for key, value in response.items() if key.lower() == "www-authenticate"]


# --- API keys ----------------------------------------------------------------


@pytest.fixture
def key(user: Any) -> str:
    ApiKey.objects.create(user=user, key_hash=hash_key("s3cret-key"))
    return "s3cret-key"


def test_key_good(client: Client, user: Any, key: str) -> None:
    response = client.post("/bulk/notes/", {"text": "hi"}, HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 201, response.content
    assert Note.objects.get().owner == user
    assert client.get("/bulk/notes/", HTTP_AUTHORIZATION=f"token   {key}").status_code == 200


@pytest.mark.parametrize("header", ["Token wrong", "Token ", "Token"])
def test_key_unknown(client: Client, key: str, header: str) -> None:
    response = client.get("/bulk/notes/", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    # Basic first (what urllib's handlers need), then the key's own scheme.
    assert challenges(response) == ['Basic realm="Web API"', 'Token realm="Web API"']
    assert response.json() == fail(104, "The key is not valid", "auth-login-failed")


def test_keys_are_stored_hashed(key: str) -> None:
    assert not ApiKey.objects.filter(key_hash=key).exists()


def test_no_credentials_challenges_name_every_scheme_basic_first(client: Client) -> None:
    response = client.get("/bulk/notes/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Basic realm="Web API"'
    assert challenges(response) == ['Basic realm="Web API"', 'Token realm="Web API"']
    assert response.json() == fail(103, "You are not logged in", "auth-not-logged-in")


def test_basic_still_works_beside_keys(client: Client, user: Any) -> None:
    assert client.get("/bulk/notes/", HTTP_AUTHORIZATION=basic("alice", "right")).status_code == 200


# --- the login failure limit ---------------------------------------------------


@override_settings(WEBAPI_KIT={"LOGIN_FAILURE_LIMIT": "3/15m"})
def test_login_failure_limit(client: Client, user: Any, author: Author, monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1_800_000_000.0]  # the start of a 15-minute window
    monkeypatch.setattr(throttling, "clock", lambda: now[0])
    for _ in range(3):
        assert put_author(client, author, HTTP_AUTHORIZATION=basic("alice", "wrong")).status_code == 401
    now[0] += 60
    response = put_author(client, author, HTTP_AUTHORIZATION=basic("alice", "right"))
    assert response.status_code == 429
    assert response["Retry-After"] == str(15 * 60 - 60)
    assert response["X-RateLimit-Limit"] == "3"
    assert response.json() == fail(114, "Too many failed logins; try again later", "request-rate-limit-exceeded")
    # The same user from another address is refused too, and so is another
    # user from the guessing address.
    assert put_author(client, author, HTTP_AUTHORIZATION=basic("alice", "right"), REMOTE_ADDR="10.0.0.9").status_code == 429
    assert put_author(client, author, HTTP_AUTHORIZATION=basic("bob", "x")).status_code == 429
    now[0] += 15 * 60
    assert put_author(client, author, HTTP_AUTHORIZATION=basic("alice", "right")).status_code == 200


@override_settings(WEBAPI_KIT={"LOGIN_FAILURE_LIMIT": "3/15m"})
def test_failures_below_the_limit_do_not_lock(client: Client, user: Any, author: Author) -> None:
    for _ in range(2):
        assert put_author(client, author, HTTP_AUTHORIZATION=basic("alice", "wrong")).status_code == 401
    assert put_author(client, author, HTTP_AUTHORIZATION=basic("alice", "right")).status_code == 200
