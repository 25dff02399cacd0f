"""Over a real HTTP server: one WWW-Authenticate header per scheme, and urllib's own handlers logging in."""

from __future__ import annotations

from http.cookiejar import CookieJar
from typing import Any
from urllib.error import HTTPError
from urllib.request import (
    HTTPBasicAuthHandler,
    HTTPCookieProcessor,
    HTTPDigestAuthHandler,
    HTTPPasswordMgrWithDefaultRealm,
    Request,
    build_opener,
)

import pytest
from django.contrib.auth.models import User

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.urls("tests.testapp.login_urls")]


def test_a_401_sends_a_header_per_scheme_basic_first(live_server: Any) -> None:
    with pytest.raises(HTTPError) as caught:
        build_opener().open(live_server.url + "/api/notes/")
    assert caught.value.code == 401
    assert caught.value.headers.get_all("WWW-Authenticate") == ['Basic realm="Web API"', 'token realm="Web API"']


def test_urllibs_handlers_log_in_and_then_ride_the_cookie(live_server: Any) -> None:
    User.objects.create_user("alice", password="right")
    url = live_server.url + "/api/notes/"
    passwords = HTTPPasswordMgrWithDefaultRealm()
    passwords.add_password(None, live_server.url, "alice", "right")
    jar = CookieJar()
    # Digest before Basic, as urllib orders them: it must not trip on our challenges.
    opener = build_opener(HTTPDigestAuthHandler(passwords), HTTPBasicAuthHandler(passwords), HTTPCookieProcessor(jar))
    with opener.open(url) as response:
        assert response.status == 200
    assert [cookie.name for cookie in jar] == ["webapi_sessionid"]
    # No credentials this time (a plain opener with the jar): the cookie is enough, writes too.
    cookie_only = build_opener(HTTPCookieProcessor(jar))
    request = Request(url, data=b"text=hello", method="POST",
                      headers={"Content-Type": "application/x-www-form-urlencoded"})
    with cookie_only.open(request) as response:
        assert response.status == 201
