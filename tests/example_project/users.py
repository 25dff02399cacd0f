"""Helpers for tests of the services' /api/ trees as site users."""

from __future__ import annotations

import base64
from typing import Any

from django.contrib.auth import get_user_model

PASSWORD = "correct horse battery"


def challenges(response: Any) -> list[str]:
    """The ``WWW-Authenticate`` headers as a server sends them (one per scheme)."""
    return [value for key, value in response.items() if key.lower() == "www-authenticate"]


def make_user(username: str, **extra: Any) -> Any:
    return get_user_model().objects.create_user(username, password=PASSWORD, **extra)


def basic(username: str, password: str = PASSWORD) -> dict[str, str]:
    """``HTTP_AUTHORIZATION`` for the test client."""
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {token}"}
