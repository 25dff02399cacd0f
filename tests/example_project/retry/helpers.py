"""Shared helpers of the retry service's tests."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

SUBMIT_URL = "/retry/requests/"

#: The seed's example request body, as written.
SEED_BODY = """{
    "intervals": [60, 300, 900],
    "request": {
      "url": "http://www.example.org",
      "method": "GET",
      "headers": {
        "X-Foo": ["Bar", "Baz"],
        "X-Quux": ["Corge", "Grault"]
      }
    }
}"""


def submit(client: Client, body: Any, owner: str | None = "1234", **headers: str) -> Any:
    """POST a submission like the seed's example: no Content-Type, Accept JSON."""
    raw = body if isinstance(body, (str, bytes)) else json.dumps(body)
    extra = {"HTTP_ACCEPT": "application/json", **headers}
    if owner is not None:
        extra["HTTP_X_OWNER_ID"] = owner
    # content_type="" sends no Content-Type, exactly as the seed's example.
    return client.generic("POST", SUBMIT_URL, raw, content_type="", **extra)


def errors(response: Any) -> list[dict[str, str]]:
    data = json.loads(response.content)
    assert set(data) == {"errors"}, data
    return data["errors"]  # type: ignore[no-any-return]


def payload(url: str, intervals: list[int] | None = None, **request: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"request": {"url": url, "method": "GET", **request}}
    if intervals is not None:
        body["intervals"] = intervals
    return body
