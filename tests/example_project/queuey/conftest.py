"""Fixtures for the queuey tests: applications with keys, and a client that speaks the seed."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from queuey import services
from queuey.models import Application


@dataclass
class App:
    app: Application
    key: str

    @property
    def name(self) -> str:
        return self.app.name

    @property
    def auth(self) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Application {self.key}"}


@pytest.fixture
def make_app(db: Any) -> Callable[[str], App]:
    def make(name: str) -> App:
        app, key = services.create_application(name)
        return App(app, key)

    return make


@pytest.fixture
def app(make_app: Callable[[str], App]) -> App:
    return make_app("notifications")


@pytest.fixture
def other_app(make_app: Callable[[str], App]) -> App:
    return make_app("intruder")


def body(response: Any) -> Any:
    """The JSON body, with numbers kept exact (timestamps are Decimals)."""
    return json.loads(response.content, parse_float=Decimal)


class Seed:
    """Requests as the seed writes them, under /queuey/."""

    def __init__(self, client: Client) -> None:
        self.client = client

    def get(self, path: str, data: dict[str, Any] | None = None, **extra: Any) -> Any:
        return self.client.get("/queuey" + path, data or {}, **extra)

    def form(self, method: str, path: str, data: dict[str, Any] | None = None, **extra: Any) -> Any:
        from urllib.parse import urlencode

        return self.client.generic(
            method, "/queuey" + path, urlencode(data or {}), content_type="application/x-www-form-urlencoded", **extra
        )

    def raw(self, method: str, path: str, content: bytes | str, content_type: str = "application/text", **extra: Any) -> Any:
        return self.client.generic(method, "/queuey" + path, content, content_type=content_type, **extra)

    def json(self, method: str, path: str, payload: Any, **extra: Any) -> Any:
        return self.client.generic(method, "/queuey" + path, json.dumps(payload), content_type="application/json", **extra)

    def delete(self, path: str, **extra: Any) -> Any:
        return self.client.delete("/queuey" + path, **extra)


@pytest.fixture
def seed(client: Client, db: Any) -> Seed:
    return Seed(client)
