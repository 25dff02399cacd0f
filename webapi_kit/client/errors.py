"""Every error the client raises, one small tree.

::

    ClientError
    ├── TransportError            no answer: unreachable, timed out, or broke off mid-answer (never retried)
    ├── InvalidResponse           an answer that is not the dialect: unreadable body, wrong media type
    ├── LinkNotFound              the resource has no link (or URI template) of that name; also an AttributeError
    └── APIError                  the server answered with an error: .status, .code, .msg, .type, .fields
        ├── FieldError            400 with per-field errors (code 105)
        ├── NotLoggedIn           401: no credentials, or wrong ones (codes 103, 104)
        ├── PermissionDenied      403
        ├── DoesNotExist          404
        ├── Conflict              409
        ├── PreconditionFailed    412: the object changed since it was read (If-Match)
        ├── RateLimitExceeded     429 after the configured waits: .retry_after
        └── ServerError           5xx

A status not in the list raises :class:`APIError` itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from typing import Any

__all__ = [
    "APIError",
    "ClientError",
    "Conflict",
    "DoesNotExist",
    "FieldError",
    "InvalidResponse",
    "LinkNotFound",
    "NotLoggedIn",
    "PermissionDenied",
    "PreconditionFailed",
    "RateLimitExceeded",
    "ServerError",
    "TransportError",
    "error_for",
]


class ClientError(Exception):
    """Base of everything :mod:`webapi_kit.client` raises."""


class TransportError(ClientError):
    """No answer: connection refused or reset, DNS failure, timeout.

    ``__cause__`` is the underlying :mod:`httpx` exception. Such failures are
    never retried silently: whether a request may be repeated is the caller's
    decision.
    """

    def __init__(self, msg: str, *, method: str, url: str) -> None:
        super().__init__(msg)
        self.method = method
        self.url = url


class InvalidResponse(ClientError):
    """The server answered, but not in a form the client can read."""

    def __init__(self, msg: str, *, status: int, url: str, content_type: str | None = None) -> None:
        super().__init__(msg)
        self.status = status
        self.url = url
        self.content_type = content_type


class LinkNotFound(ClientError, AttributeError):
    """A link or URI template the resource does not carry."""

    def __init__(self, name: str, available: list[str]) -> None:
        shown = ", ".join(sorted(available)) or "none"
        super().__init__(f"No link or template named {name!r} (available: {shown})")
        self.name = name
        self.available = available


class APIError(ClientError):
    """An error answer of the API: its status and the dialect's ``err`` fields.

    ``code``, ``type`` and ``msg`` come from ``{"stat": "fail", "err": {...}}``
    (``None``/the reason phrase when the body is not the dialect's envelope);
    ``fields`` maps each rejected field to its messages; ``headers`` and
    ``payload`` are the whole answer, for anything else a server adds.
    """

    def __init__(
        self,
        status: int,
        *,
        code: int | None = None,
        msg: str | None = None,
        type: str | None = None,
        fields: Mapping[str, list[str]] | None = None,
        headers: Mapping[str, str] | None = None,
        payload: Mapping[str, Any] | None = None,
        method: str = "",
        url: str = "",
    ) -> None:
        self.status = status
        self.code = code
        self.msg = msg if msg is not None else _reason(status)
        self.type = type
        self.fields: dict[str, list[str]] = dict(fields or {})
        #: The answer's headers, names in lower case.
        self.headers: dict[str, str] = {name.lower(): value for name, value in (headers or {}).items()}
        self.payload: dict[str, Any] = dict(payload or {})
        self.method = method
        self.url = url
        detail = f" (code {code})" if code is not None else ""
        where = f" on {method} {url}" if url else ""
        field_text = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in self.fields.items())
        super().__init__(f"{status} {self.msg}{detail}{where}" + (f" — {field_text}" if field_text else ""))


class FieldError(APIError):
    """Fields were refused (400, code 105); see :attr:`fields`."""


class NotLoggedIn(APIError):
    """401: credentials are missing (code 103) or wrong (code 104)."""

    @property
    def challenge(self) -> str | None:
        """The server's ``WWW-Authenticate``: how it wants callers to identify."""
        return self.headers.get("www-authenticate")


class PermissionDenied(APIError):
    """403."""


class DoesNotExist(APIError):
    """404."""


class Conflict(APIError):
    """409."""


class PreconditionFailed(APIError):
    """412: someone changed the object after this client read it."""


class RateLimitExceeded(APIError):
    """429, after the client waited as long as it was allowed to."""

    @property
    def retry_after(self) -> float | None:
        return parse_retry_after(self.headers.get("retry-after"))


class ServerError(APIError):
    """5xx."""


_BY_STATUS: dict[int, type[APIError]] = {
    HTTPStatus.UNAUTHORIZED: NotLoggedIn,
    HTTPStatus.FORBIDDEN: PermissionDenied,
    HTTPStatus.NOT_FOUND: DoesNotExist,
    HTTPStatus.CONFLICT: Conflict,
    HTTPStatus.PRECONDITION_FAILED: PreconditionFailed,
    HTTPStatus.TOO_MANY_REQUESTS: RateLimitExceeded,
}


def error_for(status: int, *, code: int | None = None, fields: Mapping[str, Any] | None = None) -> type[APIError]:
    """The exception class for an error answer."""
    if status == HTTPStatus.BAD_REQUEST and (code == 105 or fields):
        return FieldError
    if status >= 500:
        return ServerError
    return _BY_STATUS.get(status, APIError)


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
