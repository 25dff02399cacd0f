"""Applications: the management command, hashed keys, the Django admin."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import Client

from queuey.models import Application
from tests.example_project.queuey.conftest import Seed, body
from webapi_kit.authentication import hash_key


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("queuey_app", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_create_prints_the_key_last_and_the_key_works(seed: Seed) -> None:
    key = _run("create", "notifications").strip().splitlines()[-1]
    app = Application.objects.get(name="notifications")
    # Stored hashed, never in clear.
    assert app.key_hash == hash_key(key) and key not in app.key_hash
    auth = {"HTTP_AUTHORIZATION": f"Application {key}"}
    assert seed.form("POST", "/v1/notifications", {"queue_name": "q"}, **auth).status_code == 201
    assert body(seed.get("/v1/notifications", **auth))["queues"] == [{"queue_name": "q"}]


def test_keys_are_not_stored_in_plain_text(seed: Seed) -> None:
    from django.db import connection

    key = _run("create", "notifications").strip().splitlines()[-1]
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM queuey_application")
        rows = cursor.fetchall()
    assert rows and all(key not in str(value) for row in rows for value in row)


def test_rotate_key_replaces_the_old_one(seed: Seed) -> None:
    old = _run("create", "notifications").strip().splitlines()[-1]
    new = _run("rotate-key", "notifications").strip().splitlines()[-1]
    assert new != old
    assert seed.get("/v1/notifications", HTTP_AUTHORIZATION=f"Application {old}").status_code == 401
    assert seed.get("/v1/notifications", HTTP_AUTHORIZATION=f"Application {new}").status_code == 200
    assert "notifications" in _run("list")


@pytest.mark.parametrize("args", [("create", "bad name"), ("rotate-key", "nobody")])
def test_command_errors(db: Any, args: tuple[str, ...]) -> None:
    with pytest.raises(CommandError):
        _run(*args)


def test_duplicate_name_refused(db: Any) -> None:
    _run("create", "notifications")
    with pytest.raises(CommandError):
        _run("create", "notifications")


def test_admin_shows_applications_without_the_hash(client: Client, db: Any) -> None:
    User.objects.create_superuser("admin", "admin@example.com", "pw")
    client.login(username="admin", password="pw")
    response = client.post("/admin/queuey/application/add/", {
        "name": "viaadmin",
        "queues-TOTAL_FORMS": "0", "queues-INITIAL_FORMS": "0", "queues-MIN_NUM_FORMS": "0", "queues-MAX_NUM_FORMS": "1000",
    }, follow=True)
    assert response.status_code == 200
    app = Application.objects.get(name="viaadmin")
    shown = [str(m) for m in response.context["messages"]]
    key = next(m for m in shown if "viaadmin" in m).split(" is ")[1].split(" ")[0]
    assert hash_key(key) == app.key_hash
    change = client.get(f"/admin/queuey/application/{app.pk}/change/")
    assert change.status_code == 200
    assert app.key_hash not in change.content.decode() and "key_hash" not in change.content.decode()
    listing = client.get("/admin/queuey/application/")
    assert "viaadmin" in listing.content.decode()
