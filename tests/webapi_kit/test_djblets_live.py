"""webapi_kit and a live djblets 6.1 resource over the same models.

Runs where djblets is installed (tox env ``django42``). The djblets
resources (``tests/testapp/djblets_resources.py``) mirror what the captures
imply and are mounted at ``djblets-api/``; every capture's request is sent
to both mounts over the same data, and:

* where the capture is not a deliberate difference, both answer the same
  status, ``Content-Type`` and body once djblets' mount prefix is replaced;
* where it is (``DELIBERATE_DIFFERENCES`` of the compat tests), live djblets
  still answers what the capture recorded, so the capture — and the reason
  listed for departing from it — is about djblets as it runs today.

Each side runs inside a savepoint that is rolled back, so writes (and, on
SQLite, the id sequence) start from the same state on both.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

pytest.importorskip("djblets")

from django.conf import settings as django_settings  # noqa: E402
from django.db import transaction  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import Client  # noqa: E402

from tests.testapp.captures import Capture, load  # noqa: E402
from tests.webapi_kit.test_djblets_compat import (  # noqa: E402
    DELIBERATE_DIFFERENCES,
    SAME_AS_DJBLETS,
    WRITES,
    frozen_clock,  # noqa: F401 - fixture
    library,  # noqa: F401 - fixture
    send,
)

pytestmark = [pytest.mark.django_db(reset_sequences=True), pytest.mark.urls("tests.testapp.djblets_urls")]

PREFIXES = {"webapi_kit": "/api/", "djblets": "/djblets-api/"}


@pytest.fixture(scope="module", autouse=True)
def _djblets_apps(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """djblets imports ``django.contrib.sites`` models at import time (its cache keys)."""
    with override_settings(
        INSTALLED_APPS=[*django_settings.INSTALLED_APPS, "django.contrib.sites"],
    ):
        from django.contrib.sites.models import Site
        from django.db import connection

        with django_db_blocker.unblock():
            if Site._meta.db_table not in connection.introspection.table_names():
                with connection.schema_editor() as editor:
                    editor.create_model(Site)
        yield


class _Rollback(Exception):
    pass


@contextmanager
def rolled_back() -> Iterator[None]:
    try:
        with transaction.atomic():
            yield
            raise _Rollback
    except _Rollback:
        pass


def at(capture: Capture, prefix: str) -> Capture:
    assert capture.path.startswith("/api/")
    capture.path = prefix + capture.path[len("/api/"):]
    return capture


#: Captures that replay djblets' own ETag; live, it hashes other hrefs, so
#: the tag replayed is the one the same request gets from the live side.
REPLAYS_ETAG = {"05-root-if-none-match.txt", "17-author-item-if-none-match.txt"}


def run(client: Client, file: str, side: str, settings: Any, tmp_path: Any) -> HttpResponse:
    """``file``'s request (after the writes before it) on one side, then undo it all."""
    prefix = PREFIXES[side]
    if side == "djblets":
        # djblets lets some exceptions out (34-36); the capture shows the 500 page.
        client = Client(raise_request_exception=False)
    settings.MEDIA_ROOT = str(tmp_path / side)
    with rolled_back():
        if file in WRITES:
            for earlier in WRITES[: WRITES.index(file)]:
                send(client, at(load(earlier), prefix))
        capture = at(load(file), prefix)
        if file in REPLAYS_ETAG:
            fresh = client.get(capture.path, HTTP_ACCEPT=capture.request_headers["Accept"])
            capture.request_headers["If-None-Match"] = fresh.headers["ETag"].strip('"')
        response = send(client, capture)
        response.content  # noqa: B018 - read inside the savepoint
    client.cookies.clear()
    return response


def normalized(response: HttpResponse) -> tuple[int, str | None, bytes]:
    body = response.content.replace(b"/djblets-api/", b"/api/")
    return response.status_code, response.headers.get("Content-Type"), body


def wire(response: HttpResponse) -> tuple[Any, ...]:
    """What differs on the wire: the body and the headers that describe it."""
    headers = ("Content-Length", "Allow", "ETag")
    return (*normalized(response), *(response.headers.get(h) for h in headers))


LIVE = [f for f in SAME_AS_DJBLETS if not f.startswith("6") or f == "60-404-after-delete.txt"]


@pytest.mark.usefixtures("library", "frozen_clock")
@pytest.mark.parametrize("file", LIVE)
def test_same_answer_as_live_djblets(client: Client, file: str, settings: Any, tmp_path: Any) -> None:
    ours = run(client, file, "webapi_kit", settings, tmp_path)
    theirs = run(client, file, "djblets", settings, tmp_path)
    assert normalized(ours) == normalized(theirs)


@pytest.mark.usefixtures("library", "frozen_clock")
@pytest.mark.parametrize("file", sorted(DELIBERATE_DIFFERENCES))
def test_live_djblets_still_differs(client: Client, file: str, settings: Any, tmp_path: Any) -> None:
    capture = load(file)
    theirs = run(client, file, "djblets", settings, tmp_path)
    ours = run(client, file, "webapi_kit", settings, tmp_path)
    status, content_type, body = normalized(theirs)
    assert status == capture.status
    assert (content_type or "") == capture.content_type
    if capture.body and not capture.body.startswith(b"\n<!doctype"):
        assert body == capture.body
    assert wire(ours) != wire(theirs)
