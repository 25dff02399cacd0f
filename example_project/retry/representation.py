"""The native surface's JSON shapes for a stored request and its attempts.

Kept deliberately plain (no links or envelopes): the seed's wire format has
none, and these answers sit beside its ``POST /requests/``.
"""

from __future__ import annotations

from typing import Any

from retry.models import Attempt, RetryRequest
from retry.services import headers_as_object

__all__ = ["attempt_json", "request_json"]


def request_json(request: RetryRequest, attempts: list[Attempt] | None = None) -> dict[str, Any]:
    """One request, with its attempts when given."""
    data: dict[str, Any] = {
        "id": request.pk,
        "state": request.state,
        "accepted_at": request.accepted_at,
        "intervals": request.intervals,
        "next_attempt_at": request.next_due_at,
        "finished_at": request.finished_at,
        "request": {
            "url": request.url,
            "method": request.method,
            "headers": headers_as_object(request.headers),
            # Bodies arrive as JSON strings, so they are always UTF-8 text.
            "body": bytes(request.body).decode("utf-8"),
        },
    }
    if attempts is not None:
        data["attempts"] = [attempt_json(attempt) for attempt in attempts]
    return data


def attempt_json(attempt: Attempt) -> dict[str, Any]:
    return {
        "index": attempt.index,
        "scheduled_at": attempt.scheduled_at,
        "started_at": attempt.started_at,
        "finished_at": attempt.finished_at,
        "duration": attempt.duration,
        "status_code": attempt.status_code,
        "error": attempt.error,
    }
