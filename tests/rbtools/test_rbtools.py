"""RBTools' RBClient against the example project over a real HTTP server.

It logs in once (a password, then an API token made through the API),
stays logged in by the API login session's cookie, follows every link from
``/api/``, reads every list, creates, updates and deletes in each service
tree, and logs out (``DELETE /api/session/``).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.contrib.auth.signals import user_logged_in
from django.contrib.sessions.models import Session

from datarouter.models import Feed
from queuey import services as queuey_services
from queuey.models import Message, Queue
from retry.models import RetryRequest
from webapi_kit.login_sessions import API_LOGIN_KEY
from webapi_kit.tokens.models import APIToken

# The first run installs RBTools into its virtualenv (a minute at most).
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.timeout(900)]

CLIENT = Path(__file__).with_name("rbtools_client.py")
ROOT_LINKS = sorted([
    "self", "retry_requests", "queuey_applications", "datarouter_feeds", "api_tokens", "session",
    "retry_status", "queuey_status", "datarouter_status",
])


def run_client(python: Path, tmp_path: Path, config: dict[str, Any]) -> dict[str, Any]:
    # Its own HOME and working directory: no ~/.reviewboardrc, no cookie file of the user's.
    result = subprocess.run(
        [str(python), str(CLIENT), json.dumps(config)], capture_output=True, text=True, timeout=300,
        cwd=tmp_path, env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr[-4000:]
    report: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return report


def api_sessions() -> list[dict[str, Any]]:
    return [s.get_decoded() for s in Session.objects.all() if s.get_decoded().get(API_LOGIN_KEY)]


@pytest.fixture
def logins() -> Any:
    seen: list[str] = []

    def count(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
        seen.append(user.username)

    user_logged_in.connect(count)
    yield seen
    user_logged_in.disconnect(count)


def test_rbclient_with_a_password_then_a_token(
    live_server: Any, rbtools_python: Path, tmp_path: Path, logins: list[str]
) -> None:
    alice = User.objects.create_user("alice", password="rbtools-pw")
    queuey_services.create_application("alpha", owner=alice)
    site = live_server.url + "/"

    report = run_client(rbtools_python, tmp_path, {
        "url": site, "username": "alice", "password": "rbtools-pw", "application": "alpha",
        "queue": "by-password", "feed": "pwfeed", "make_token": True,
    })

    # Without credentials RBTools gets the API's 401, not a crash.
    assert report["anonymous"] == [401, 103]
    assert set(ROOT_LINKS) <= set(report["root_links"])
    assert report["session"] == {"username": "alice", "login_session": True}
    api = site + "api/"
    alpha = api + "queuey/applications/alpha/"
    # Every list the root leads to; links to documents that are not
    # resources of the dialect (no trailing slash) are not RBTools' to read.
    assert report["before"]["lists"] == {
        api + "retry/requests/": 0, api + "queuey/applications/": 1, alpha + "queues/": 0,
        api + "datarouter/feeds/": 0, api + "api-tokens/": 0,
    }
    # The services' status is for staff: RBTools reads the API's 403 (code 101).
    assert report["before"]["refused"] == {
        api + f"{service}/status/": [403, 101] for service in ("retry", "queuey", "datarouter")
    }
    assert report["retry"]["state"] == "pending"
    assert report["queuey"] == {"queue": "by-password", "partitions": 2, "message": "hello from RBTools"}
    assert report["datarouter"]["description"] == "updated by RBTools"
    assert report["datarouter"]["publisher"] == "alice"
    assert report["token_note"] == "rbtools renamed"
    request = RetryRequest.objects.get()
    feed = Feed.objects.get(name="pwfeed")
    after = report["after"]["lists"]
    assert after[api + "retry/requests/"] == 1
    assert after[api + f"retry/requests/{request.pk}/attempts/"] == 0
    assert after[alpha + "queues/by-password/messages/"] == 1
    assert after[api + "datarouter/feeds/"] == 1
    for child in ("subscriptions", "files", "logs"):
        assert after[api + f"datarouter/feeds/{feed.pk}/{child}/"] == 0
    assert after[api + "api-tokens/"] == 1  # the kept one

    # What the server stored, and that it all went away again.
    assert (request.owner_id, request.state) == ("alice", "cancelled")
    assert (feed.publisher, feed.description, feed.deleted) == ("alice", "updated by RBTools", True)
    assert not Queue.objects.exists() and not Message.objects.exists()
    assert report["after_logout"] == [401, 103]
    # One login for the whole run: every later request rode the cookie.
    assert logins == ["alice"]
    assert api_sessions() == []  # logged out

    token = report["kept_token"]
    assert APIToken.objects.get().note == "for the token run"
    report = run_client(rbtools_python, tmp_path, {
        "url": site, "api_token": token, "application": "alpha", "queue": "by-token", "feed": "tkfeed",
    })
    assert report["session"] == {"username": "alice", "login_session": True}
    assert set(ROOT_LINKS) <= set(report["root_links"])
    assert report["queuey"]["queue"] == "by-token"
    assert Feed.objects.get(name="tkfeed").publisher == "alice"
    assert RetryRequest.objects.filter(owner_id="alice").count() == 2
    assert report["after_logout"] == [401, 103]
    assert logins == ["alice", "alice"]
    assert api_sessions() == []
