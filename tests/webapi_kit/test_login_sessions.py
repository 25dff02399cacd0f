"""API login sessions: Basic or a token once, then a cookie; logout; CSRF and cross-site requests."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.middleware.csrf import get_token
from django.test import Client

from tests.testapp.models import Note
from webapi_kit.login_sessions import API_LOGIN_KEY

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.testapp.login_urls")]

COOKIE = "webapi_sessionid"
NOTE_TYPE = "application/vnd.example.org.note+json"


def basic(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


def challenges(response: Any) -> list[str]:
    return [value for key, value in response.items() if key.lower() == "www-authenticate"]


@pytest.fixture(autouse=True)
def _fresh_counts() -> None:
    cache.clear()  # the failed-login counts live in the cache


@pytest.fixture
def alice() -> User:
    return User.objects.create_user("alice", password="right")


@pytest.fixture
def logged_in(alice: User) -> Client:
    """A client (that enforces CSRF, as a browser would) holding an API login cookie."""
    client = Client(enforce_csrf_checks=True)
    response = client.get("/api/notes/", HTTP_AUTHORIZATION=basic("alice", "right"))
    assert response.status_code == 200
    return client


def test_basic_login_sets_a_strict_httponly_cookie_scoped_to_the_api(alice: User) -> None:
    response = Client().get("/api/notes/", HTTP_AUTHORIZATION=basic("alice", "right"))
    assert response.status_code == 200
    cookie = response.cookies[COOKIE]
    assert cookie["path"] == "/api/"
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Strict"
    assert cookie["max-age"] == settings.SESSION_COOKIE_AGE
    assert cookie["secure"] == ""  # plain HTTP here; HTTPS or SESSION_COOKIE_SECURE mark it secure
    assert response["Cache-Control"] == "private"
    # The browser login's cookie is left alone.
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    stored = Session.objects.get(session_key=cookie.value).get_decoded()
    assert stored[API_LOGIN_KEY] is True
    assert stored["_auth_user_id"] == str(alice.pk)


def test_https_marks_the_cookie_secure(alice: User) -> None:
    response = Client().get("/api/notes/", HTTP_AUTHORIZATION=basic("alice", "right"), secure=True)
    assert response.cookies[COOKIE]["secure"] is True


def test_the_cookie_alone_authenticates_later_requests(logged_in: Client, alice: User) -> None:
    response = logged_in.get("/api/notes/")
    assert response.status_code == 200
    assert COOKIE not in response.cookies  # nothing new to set
    assert response["Vary"] == "Accept, Cookie"  # shared caches must not mix users up
    assert response.json()["total_results"] == 0


def test_writes_with_the_api_login_cookie_need_no_csrf_token(logged_in: Client, alice: User) -> None:
    response = logged_in.post("/api/notes/", {"text": "from RBTools"})
    assert response.status_code == 201, response.content
    assert Note.objects.get().owner == alice


def test_resending_credentials_keeps_the_session(logged_in: Client) -> None:
    sessions = Session.objects.count()
    response = logged_in.get("/api/notes/", HTTP_AUTHORIZATION=basic("alice", "right"))
    assert response.status_code == 200
    assert COOKIE not in response.cookies
    assert Session.objects.count() == sessions


def test_another_users_credentials_start_their_own_session(logged_in: Client) -> None:
    User.objects.create_user("bob", password="pw")
    old = logged_in.cookies[COOKIE].value
    response = logged_in.get("/api/notes/", HTTP_AUTHORIZATION=basic("bob", "pw"))
    assert response.cookies[COOKIE].value != old
    assert logged_in.get("/api/session/").json()["session"]["username"] == "bob"


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_ORIGIN": "https://evil.example"},
        {"HTTP_ORIGIN": "null"},
        {"HTTP_SEC_FETCH_SITE": "cross-site"},
        {"HTTP_SEC_FETCH_SITE": "same-site"},
    ],
    ids=["other-origin", "null-origin", "fetch-cross-site", "fetch-same-site"],
)
def test_cross_site_writes_with_the_cookie_are_refused(logged_in: Client, headers: dict[str, str]) -> None:
    response = logged_in.post("/api/notes/", {"text": "forged"}, **headers)
    assert response.status_code == 403
    err = response.json()["err"]
    assert (err["code"], err["type"]) == (101, "resource-permission-denied")
    assert err["msg"].startswith("CSRF Failed: ")
    assert not Note.objects.exists()


def test_cross_site_reads_are_not_writes(logged_in: Client) -> None:
    # Reads change nothing; SameSite=Strict keeps the cookie off them anyway.
    assert logged_in.get("/api/notes/", HTTP_ORIGIN="https://evil.example").status_code == 200


def test_same_origin_writes_pass(logged_in: Client) -> None:
    response = logged_in.post(
        "/api/notes/", {"text": "ok"}, HTTP_ORIGIN="http://testserver", HTTP_SEC_FETCH_SITE="same-origin"
    )
    assert response.status_code == 201


@pytest.mark.parametrize("origin", ["https://evil.example", "null"])
def test_cross_site_writes_with_basic_credentials_are_refused(alice: User, origin: str) -> None:
    # Browsers resend cached Basic credentials on other sites' forms.
    response = Client().post("/api/notes/", {"text": "forged"}, HTTP_AUTHORIZATION=basic("alice", "right"),
                             HTTP_ORIGIN=origin)
    assert response.status_code == 403
    assert response.json()["err"]["msg"].startswith("CSRF Failed: Origin")
    assert not Note.objects.exists()
    assert COOKIE not in response.cookies


def test_browser_login_sessions_still_need_the_csrf_token(alice: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)  # what a login form does: Django's own session cookie
    refused = client.post("/api/notes/", {"text": "no token"})
    assert refused.status_code == 403
    assert refused.json()["err"]["msg"] == "CSRF Failed: CSRF cookie not set."
    token = _csrf_token(client)
    accepted = client.post("/api/notes/", {"text": "with token"}, HTTP_X_CSRFTOKEN=token)
    assert accepted.status_code == 201, accepted.content
    assert COOKIE not in accepted.cookies  # a browser login starts no API login session


def test_a_browser_session_key_is_not_an_api_login(alice: User) -> None:
    browser = Client()
    browser.force_login(alice)
    key = browser.cookies[settings.SESSION_COOKIE_NAME].value
    client = Client(enforce_csrf_checks=True)
    client.cookies[COOKIE] = key  # would skip CSRF if it were accepted
    response = client.post("/api/notes/", {"text": "forged"})
    assert response.status_code == 401
    assert not Note.objects.exists()


def test_an_unknown_cookie_is_anonymous(alice: User) -> None:
    client = Client()
    client.cookies[COOKIE] = "no-such-session"
    response = client.get("/api/notes/")
    assert response.status_code == 401
    assert challenges(response) == ['Basic realm="Web API"', 'token realm="Web API"']


def test_a_password_change_ends_the_session(logged_in: Client, alice: User) -> None:
    alice.set_password("new")
    alice.save()
    assert logged_in.get("/api/notes/").status_code == 401


def test_a_deactivated_user_is_logged_out(logged_in: Client, alice: User) -> None:
    User.objects.filter(pk=alice.pk).update(is_active=False)
    assert logged_in.get("/api/notes/").status_code == 401


def test_wrong_password_starts_nothing(alice: User) -> None:
    response = Client().get("/api/notes/", HTTP_AUTHORIZATION=basic("alice", "wrong"))
    assert response.status_code == 401
    assert COOKIE not in response.cookies
    assert not Session.objects.exists()


def test_the_failed_login_limit_still_applies(alice: User) -> None:
    client = Client()
    for _ in range(10):
        assert client.get("/api/notes/", HTTP_AUTHORIZATION=basic("alice", "wrong")).status_code == 401
    response = client.get("/api/notes/", HTTP_AUTHORIZATION=basic("alice", "right"))
    assert response.status_code == 429
    assert COOKIE not in response.cookies


# --- the session resource ------------------------------------------------------


def test_the_root_links_the_session() -> None:
    links = Client().get("/api/").json()["links"]
    assert links["session"] == {"method": "GET", "href": "http://testserver/api/session/"}
    assert Client().get("/api/").json()["uri_templates"]["session"] == "http://testserver/api/session/"


def test_session_anonymous() -> None:
    response = Client().get("/api/session/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.example.org.session+json"
    assert response.json() == {
        "stat": "ok",
        "session": {
            "authenticated": False,
            "username": None,
            "login_session": False,
            "links": {
                "self": {"method": "GET", "href": "http://testserver/api/session/"},
                "delete": {"method": "DELETE", "href": "http://testserver/api/session/"},
            },
        },
    }


def test_session_logged_in(logged_in: Client) -> None:
    session = logged_in.get("/api/session/").json()["session"]
    assert (session["authenticated"], session["username"], session["login_session"]) == (True, "alice", True)


def test_logout_ends_the_session_and_deletes_the_cookie(logged_in: Client) -> None:
    key = logged_in.cookies[COOKIE].value
    response = logged_in.delete("/api/session/")
    assert response.status_code == 204
    cookie = response.cookies[COOKIE]
    assert (cookie.value, cookie["max-age"], cookie["path"]) == ("", 0, "/api/")
    assert not Session.objects.filter(session_key=key).exists()
    # The old cookie, replayed, is nobody's.
    replay = Client()
    replay.cookies[COOKIE] = key
    assert replay.get("/api/notes/").status_code == 401
    assert replay.get("/api/session/").json()["session"]["authenticated"] is False


def test_logout_with_basic_credentials_leaves_no_session(alice: User) -> None:
    response = Client().delete("/api/session/", HTTP_AUTHORIZATION=basic("alice", "right"))
    assert response.status_code == 204
    assert response.cookies[COOKIE]["max-age"] == 0
    assert not Session.objects.exists()


def test_logout_anonymous_is_401() -> None:
    response = Client().delete("/api/session/")
    assert response.status_code == 401
    assert challenges(response) == ['Basic realm="Web API"', 'token realm="Web API"']


def test_cross_site_logout_is_refused(logged_in: Client) -> None:
    response = logged_in.delete("/api/session/", HTTP_ORIGIN="https://evil.example")
    assert response.status_code == 403
    assert logged_in.get("/api/notes/").status_code == 200


def test_browser_logout_needs_the_csrf_token_and_ends_the_browser_login(alice: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    assert client.delete("/api/session/").status_code == 403
    assert client.delete("/api/session/", HTTP_X_CSRFTOKEN=_csrf_token(client)).status_code == 204
    assert client.get("/api/notes/").status_code == 401


def _csrf_token(client: Client) -> str:
    """A CSRF token and its cookie, as a page with a form would give the browser."""
    from django.http import HttpRequest

    request = HttpRequest()
    token = get_token(request)
    client.cookies[settings.CSRF_COOKIE_NAME] = request.META["CSRF_COOKIE"]
    return token


def test_login_sessions_need_the_sessions_app(settings: Any) -> None:
    from django.core.exceptions import ImproperlyConfigured

    from webapi_kit.api import API

    settings.INSTALLED_APPS = [app for app in settings.INSTALLED_APPS if app != "django.contrib.sessions"]
    with pytest.raises(ImproperlyConfigured, match="add 'django.contrib.sessions' to INSTALLED_APPS"):
        API([], login_sessions=True)
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
    assert API([], login_sessions=True).login_sessions is True
