"""The admin's static files are served with DEBUG off, by every middleware chain the process builds."""

from __future__ import annotations

from django.conf import settings
from django.test import Client


def test_admin_css_with_debug_off_from_each_client() -> None:
    assert not settings.DEBUG
    # Each test client builds its own middleware chain; the second one uses the shared index.
    for client in (Client(), Client()):
        response = client.get("/static/admin/css/base.css")
        assert response.status_code == 200
        assert response["Content-Type"].split(";")[0] == "text/css"
        assert b"body" in b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert Client().get("/static/admin/css/no-such-file.css").status_code == 404
