"""Permissions end to end: resource-level and object-level hooks, 401 vs 403."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, RequestFactory

from tests.testapp.models import Note
from webapi_kit.permissions import AllowAny, IsAuthenticated, IsAuthenticatedOrReadOnly, IsStaff, is_authenticated

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.testapp.bulk_urls")]

DENIED = {"stat": "fail", "err": {"code": 101, "msg": "You don't have permission for this", "type": "resource-permission-denied"}}
NOT_LOGGED_IN = {"stat": "fail", "err": {"code": 103, "msg": "You are not logged in", "type": "auth-not-logged-in"}}


@pytest.fixture
def alice(django_user_model: Any) -> Any:
    return django_user_model.objects.create_user("alice", password="pw")


@pytest.fixture
def bob(django_user_model: Any) -> Any:
    return django_user_model.objects.create_user("bob", password="pw")


def as_user(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_resource_permission_anonymous_is_401(client: Client) -> None:
    response = client.get("/bulk/secret/")
    assert response.status_code == 401
    assert [v for k, v in response.items() if k == "WWW-Authenticate"] == ['Basic realm="Web API"', 'Token realm="Web API"']
    assert response.json() == NOT_LOGGED_IN


def test_resource_permission_known_but_not_allowed_is_403(alice: Any) -> None:
    response = as_user(alice).get("/bulk/secret/")
    assert response.status_code == 403
    assert "WWW-Authenticate" not in response
    assert response.json() == DENIED


def test_resource_permission_allowed(alice: Any) -> None:
    alice.is_staff = True
    alice.save()
    response = as_user(alice).get("/bulk/secret/")
    assert response.status_code == 200
    assert response.json()["secret"] == {"answer": 42}


def test_object_permission_on_get_and_delete(alice: Any, bob: Any) -> None:
    note = Note.objects.create(owner=alice, text="mine")
    url = f"/bulk/notes/{note.pk}/"
    for response in (as_user(bob).get(url), as_user(bob).delete(url)):
        assert response.status_code == 403
        assert response.json() == DENIED
    assert Note.objects.filter(pk=note.pk).exists()
    owner = as_user(alice)
    assert owner.get(url).json()["note"]["text"] == "mine"
    assert owner.delete(url).status_code == 204
    assert not Note.objects.filter(pk=note.pk).exists()


def test_object_permission_anonymous_is_401_before_the_object_is_loaded(client: Client, alice: Any) -> None:
    note = Note.objects.create(owner=alice, text="mine")
    assert client.get(f"/bulk/notes/{note.pk}/").status_code == 401
    # Missing objects do not leak their absence to anonymous callers either.
    assert client.get("/bulk/notes/999/").status_code == 401


def test_missing_object_for_a_logged_in_user_is_404(bob: Any) -> None:
    assert as_user(bob).get("/bulk/notes/999/").status_code == 404


def test_read_only_for_anonymous_on_the_test_app(client: Client) -> None:
    assert client.get("/api/authors/").status_code == 200
    assert client.post("/api/authors/", {"name": "x"}).status_code == 401


@pytest.mark.parametrize(
    ("permission", "method", "user", "allowed"),
    [
        (AllowAny(), "DELETE", None, True),
        (IsAuthenticated(), "GET", None, False),
        (IsAuthenticated(), "GET", "user", True),
        (IsAuthenticatedOrReadOnly(), "GET", None, True),
        (IsAuthenticatedOrReadOnly(), "HEAD", None, True),
        (IsAuthenticatedOrReadOnly(), "POST", None, False),
        (IsAuthenticatedOrReadOnly(), "POST", "user", True),
        (IsStaff(), "GET", "user", False),
        (IsStaff(), "GET", "staff", True),
    ],
)
def test_permission_table(permission: Any, method: str, user: str | None, allowed: bool, django_user_model: Any) -> None:
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().generic(method, "/")
    if user is None:
        request.user = AnonymousUser()
    else:
        request.user = django_user_model(username=user, is_staff=user == "staff")
    assert permission.has_permission(request, None, method) is allowed
    assert permission.has_object_permission(request, None, method, object()) is True


def test_a_key_without_a_user_counts_as_authenticated() -> None:
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    assert not is_authenticated(request)
    request.auth = "some key's owner"  # type: ignore[attr-defined]
    assert is_authenticated(request)
