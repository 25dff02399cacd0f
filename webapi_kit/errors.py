"""The errors an API raises, each carrying its status, code, type and headers.

Handlers raise these; the resource turns them into a response through the
API's envelope, so the same exception is a ``{"stat": "fail", ...}`` body in
the default dialect and whatever another wire format needs elsewhere.

The tree, at a glance::

    WebAPIError
    ├── DoesNotExist              100  404  resource-does-not-exist
    ├── PermissionDenied          101  403  resource-permission-denied
    ├── NotLoggedIn               103  401  auth-not-logged-in        WWW-Authenticate
    ├── LoginFailed               104  401  auth-login-failed         WWW-Authenticate
    ├── FieldError                105  400  request-field-error       (fields)
    ├── Conflict                  111  409  resource-conflict
    ├── RateLimitExceeded         114  429  request-rate-limit-exceeded  Retry-After
    ├── MethodNotAllowed          120  405  method-not-allowed        Allow
    ├── NotAcceptable             121  406  not-acceptable
    ├── UnsupportedMediaType      122  415  unsupported-media-type
    ├── RequestTooLarge           123  413  request-too-large
    ├── NotSupported              124  501  not-implemented
    ├── PreconditionFailed        125  412  precondition-failed
    ├── MalformedRequest          126  400  malformed-request
    ├── InternalError             127  500  internal-error
    ├── LengthRequired            128  411  length-required
    └── ServiceUnavailable          1  503  service-unavailable       Retry-After

Codes 100-114 are djblets' catalogue, kept so that existing clients keep
working; 120-128 are webapi_kit's own and will not change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from http import HTTPStatus
from typing import Any

__all__ = [
    "Conflict",
    "DoesNotExist",
    "FieldError",
    "InternalError",
    "LengthRequired",
    "LoginFailed",
    "MalformedRequest",
    "MethodNotAllowed",
    "NotAcceptable",
    "NotLoggedIn",
    "NotSupported",
    "PermissionDenied",
    "PreconditionFailed",
    "RateLimitExceeded",
    "RequestTooLarge",
    "ServiceUnavailable",
    "UnsupportedMediaType",
    "WebAPIError",
]


class WebAPIError(Exception):
    """Base of every error an API answers with.

    Subclasses set ``status``, ``code``, ``type`` and ``default_msg`` at class
    level; an instance may override the message and add headers. ``extra``
    holds data an envelope may show beside the standard keys.
    """

    status: HTTPStatus = HTTPStatus.INTERNAL_SERVER_ERROR
    code: int = 127
    type: str = "internal-error"
    default_msg: str = "An internal error occurred"

    def __init__(
        self,
        msg: str | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        self.msg = msg if msg is not None else self.default_msg
        self.headers: dict[str, str] = dict(headers or {})
        self.extra: dict[str, Any] = dict(extra or {})
        super().__init__(self.msg)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.msg!r})"


class DoesNotExist(WebAPIError):
    status = HTTPStatus.NOT_FOUND
    code = 100
    type = "resource-does-not-exist"
    default_msg = "Object does not exist"


class PermissionDenied(WebAPIError):
    status = HTTPStatus.FORBIDDEN
    code = 101
    type = "resource-permission-denied"
    default_msg = "You don't have permission for this"


class _Unauthorized(WebAPIError):
    """A 401, which must always name how to authenticate."""

    status = HTTPStatus.UNAUTHORIZED

    def __init__(
        self,
        msg: str | None = None,
        *,
        www_authenticate: str | Sequence[str] = 'Basic realm="Web API"',
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        # One challenge per scheme, each sent as its own header.
        challenges = (www_authenticate,) if isinstance(www_authenticate, str) else tuple(www_authenticate)
        self.challenges: tuple[str, ...] = challenges
        first = {"WWW-Authenticate": challenges[0]} if challenges else {}
        super().__init__(msg, headers={**first, **(headers or {})}, extra=extra)


class NotLoggedIn(_Unauthorized):
    code = 103
    type = "auth-not-logged-in"
    default_msg = "You are not logged in"


class LoginFailed(_Unauthorized):
    code = 104
    type = "auth-login-failed"
    default_msg = "The username or password was not correct"


class FieldError(WebAPIError):
    """Validation failed; ``fields`` maps each bad field to its messages."""

    status = HTTPStatus.BAD_REQUEST
    code = 105
    type = "request-field-error"
    default_msg = "One or more fields had errors"

    def __init__(
        self,
        fields: Mapping[str, Iterable[str]],
        msg: str | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(msg, headers=headers, extra=extra)
        self.fields: dict[str, list[str]] = {name: list(messages) for name, messages in fields.items()}


class Conflict(WebAPIError):
    status = HTTPStatus.CONFLICT
    code = 111
    type = "resource-conflict"
    default_msg = "An object with these values already exists"


def _retry_after_headers(retry_after: int | None, headers: Mapping[str, str] | None) -> dict[str, str]:
    merged = dict(headers or {})
    if retry_after is not None:
        merged["Retry-After"] = str(max(0, int(retry_after)))
    return merged


class RateLimitExceeded(WebAPIError):
    status = HTTPStatus.TOO_MANY_REQUESTS
    code = 114
    type = "request-rate-limit-exceeded"
    default_msg = "API rate limit has been exceeded."

    def __init__(
        self,
        msg: str | None = None,
        *,
        retry_after: int | None = None,
        limit: int | None = None,
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        merged = _retry_after_headers(retry_after, headers)
        if limit is not None:
            merged["X-RateLimit-Limit"] = str(limit)
        super().__init__(msg, headers=merged, extra=extra)
        self.retry_after = retry_after
        self.limit = limit


class MethodNotAllowed(WebAPIError):
    status = HTTPStatus.METHOD_NOT_ALLOWED
    code = 120
    type = "method-not-allowed"
    default_msg = "This method is not allowed on this resource"

    def __init__(self, allowed: Iterable[str], msg: str | None = None) -> None:
        self.allowed = tuple(allowed)
        super().__init__(msg, headers={"Allow": ", ".join(self.allowed)})


class NotAcceptable(WebAPIError):
    status = HTTPStatus.NOT_ACCEPTABLE
    code = 121
    type = "not-acceptable"
    default_msg = "None of the media types in the Accept header can be produced"


class UnsupportedMediaType(WebAPIError):
    status = HTTPStatus.UNSUPPORTED_MEDIA_TYPE
    code = 122
    type = "unsupported-media-type"
    default_msg = "The request body's media type is not supported"


class RequestTooLarge(WebAPIError):
    status = HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    code = 123
    type = "request-too-large"
    default_msg = "The request body is too large"


class NotSupported(WebAPIError):
    status = HTTPStatus.NOT_IMPLEMENTED
    code = 124
    type = "not-implemented"
    default_msg = "This call is not supported on this resource"


class PreconditionFailed(WebAPIError):
    status = HTTPStatus.PRECONDITION_FAILED
    code = 125
    type = "precondition-failed"
    default_msg = "The object has changed since the given version"


class MalformedRequest(WebAPIError):
    status = HTTPStatus.BAD_REQUEST
    code = 126
    type = "malformed-request"
    default_msg = "The request body could not be parsed"


class LengthRequired(WebAPIError):
    """A body without ``Content-Length`` that the server cannot read to its end."""

    status = HTTPStatus.LENGTH_REQUIRED
    code = 128
    type = "length-required"
    default_msg = "The request body needs a Content-Length"


class InternalError(WebAPIError):
    """The generic 500; its message never carries a traceback unless DEBUG."""


class ServiceUnavailable(WebAPIError):
    status = HTTPStatus.SERVICE_UNAVAILABLE
    code = 1
    type = "service-unavailable"
    default_msg = "The service is not available right now; try again later"

    def __init__(
        self,
        msg: str | None = None,
        *,
        retry_after: int | None = 30,
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(msg, headers=_retry_after_headers(retry_after, headers), extra=extra)
