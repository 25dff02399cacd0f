"""The native surface's JSON shapes for a stored request and its attempts.

Kept deliberately plain (no links or envelopes): the seed's wire format has
none, and these answers sit beside its ``POST /requests/``.
"""

from __future__ import annotations

from typing import Any

from retry.models import Attempt, RetryRequest
from retry.redaction import redacted_headers

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
        # Secrets stay hidden: owner ids are labels, not credentials, so a
        # read shows header names with sensitive values redacted and only the
        # body's size (see retry.redaction).
        "request": {
            "url": request.url,
            "method": request.method,
            "headers": redacted_headers(request.headers),
            "body_size": len(request.body),
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
