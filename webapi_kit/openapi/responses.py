"""Error answers: every status the pipeline (or a handler) may answer, in the API's error body.

Each error response carries the envelope's error schema, an example made
by the API's own envelope from a real error of that status (so the example
cannot drift from the wire), the stable codes and types it may hold, and
the headers that travel with it (``WWW-Authenticate``, ``Retry-After``).
"""

from __future__ import annotations

from collections.abc import Sequence
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from webapi_kit import errors as e
from webapi_kit.openapi.schemas import Schema

if TYPE_CHECKING:
    from webapi_kit.resource import WebAPIResource

__all__ = ["ERRORS_BY_STATUS", "error_response", "error_statuses"]

#: Representative errors of each status: the pipeline's own, with their codes.
ERRORS_BY_STATUS: dict[HTTPStatus | str, tuple[e.WebAPIError, ...]] = {
    HTTPStatus.BAD_REQUEST: (e.FieldError({"name": ["This field is required"]}), e.MalformedRequest()),
    HTTPStatus.UNAUTHORIZED: (e.NotLoggedIn(), e.LoginFailed()),
    HTTPStatus.FORBIDDEN: (e.PermissionDenied(),),
    HTTPStatus.NOT_FOUND: (e.DoesNotExist(),),
    HTTPStatus.METHOD_NOT_ALLOWED: (e.MethodNotAllowed(("GET", "HEAD", "OPTIONS")),),
    HTTPStatus.NOT_ACCEPTABLE: (e.NotAcceptable(),),
    HTTPStatus.CONFLICT: (e.Conflict(),),
    HTTPStatus.LENGTH_REQUIRED: (e.LengthRequired(),),
    HTTPStatus.PRECONDITION_FAILED: (e.PreconditionFailed(),),
    HTTPStatus.REQUEST_ENTITY_TOO_LARGE: (e.RequestTooLarge(),),
    HTTPStatus.UNSUPPORTED_MEDIA_TYPE: (e.UnsupportedMediaType(),),
    HTTPStatus.TOO_MANY_REQUESTS: (e.RateLimitExceeded(retry_after=60),),
    HTTPStatus.SERVICE_UNAVAILABLE: (e.ServiceUnavailable(),),
    "default": (e.InternalError(), e.NotSupported()),
}

_WHEN: dict[HTTPStatus | str, str] = {
    HTTPStatus.BAD_REQUEST: "A field, parameter or body is not valid; a field error lists each bad field",
    HTTPStatus.UNAUTHORIZED: "No credentials, or wrong ones; WWW-Authenticate says how to log in",
    HTTPStatus.FORBIDDEN: "The caller may not do this",
    HTTPStatus.NOT_FOUND: "No such object (or one the caller may not see)",
    HTTPStatus.METHOD_NOT_ALLOWED: "The method (or a POST's _method override) is not allowed here; Allow lists those that are",
    HTTPStatus.NOT_ACCEPTABLE: "Accept rules out every type offered",
    HTTPStatus.CONFLICT: "An object with these values already exists, or its state forbids the change",
    HTTPStatus.LENGTH_REQUIRED: "The body has no length the server can read to",
    HTTPStatus.PRECONDITION_FAILED: "If-Match or If-Unmodified-Since: the object has changed",
    HTTPStatus.REQUEST_ENTITY_TOO_LARGE: "The body is larger than the limit",
    HTTPStatus.UNSUPPORTED_MEDIA_TYPE: "The body's Content-Type is not one the resource parses",
    HTTPStatus.TOO_MANY_REQUESTS: "A rate limit is reached; Retry-After says when to try again",
    HTTPStatus.SERVICE_UNAVAILABLE: "The database is not answering; try again later",
    "default": "Any other failure (500 internal-error, 501 not-implemented...)",
}

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def error_statuses(resource: WebAPIResource, method: str) -> list[HTTPStatus | str]:
    """The error statuses an operation may answer.

    Handlers raise API errors freely (a 404 on a list whose parent is
    gone, a 401 from a header a service reads itself), so the common
    client errors are listed for every operation; the rest only where the
    pipeline can produce them.
    """
    statuses: list[HTTPStatus | str] = [
        HTTPStatus.BAD_REQUEST, HTTPStatus.UNAUTHORIZED, HTTPStatus.FORBIDDEN, HTTPStatus.NOT_FOUND,
    ]
    if method == "POST":
        statuses.append(HTTPStatus.METHOD_NOT_ALLOWED)  # _method=PUT|DELETE in the body, where that is not allowed
    if resource.api.strict_accept:
        statuses.append(HTTPStatus.NOT_ACCEPTABLE)
    if method != "GET":
        statuses.append(HTTPStatus.CONFLICT)
    if method in _BODY_METHODS:
        statuses += [HTTPStatus.LENGTH_REQUIRED, HTTPStatus.REQUEST_ENTITY_TOO_LARGE, HTTPStatus.UNSUPPORTED_MEDIA_TYPE]
    if method in ("PUT", "DELETE"):
        statuses.append(HTTPStatus.PRECONDITION_FAILED)
    statuses += [HTTPStatus.TOO_MANY_REQUESTS, HTTPStatus.SERVICE_UNAVAILABLE, "default"]
    return statuses


def _headers(status: HTTPStatus | str) -> dict[str, Any]:
    if status == HTTPStatus.UNAUTHORIZED:
        return {"WWW-Authenticate": {"required": True, "schema": {"type": "string"},
                                     "description": "The challenge: how to authenticate."}}
    if status == HTTPStatus.METHOD_NOT_ALLOWED:
        return {"Allow": {"required": True, "schema": {"type": "string"}, "description": "The methods allowed here."}}
    if status in (HTTPStatus.TOO_MANY_REQUESTS, HTTPStatus.SERVICE_UNAVAILABLE):
        headers = {"Retry-After": {"schema": {"type": "string"}, "description": "Seconds to wait before trying again."}}
        if status == HTTPStatus.TOO_MANY_REQUESTS:
            headers["X-RateLimit-Limit"] = {"schema": {"type": "string"}, "description": "The limit that was reached."}
        return headers
    return {}


def error_response(
    resource: WebAPIResource, status: HTTPStatus | str, schema_ref: Schema, content_types: Sequence[str]
) -> dict[str, Any]:
    """The response object of one error status, in ``resource``'s envelope."""
    samples = ERRORS_BY_STATUS[status]
    codes = "; ".join(f"``{error.type}`` ({error.code})" for error in samples)
    description = f"{_WHEN[status]}. Errors: {codes}."
    examples: dict[str, Any] = {}
    for error in samples:
        try:
            examples[error.type] = {"summary": error.default_msg, "value": resource.get_envelope().error(error)}
        except Exception:  # noqa: BLE001 - an envelope of one's own may refuse a sample; then no example
            continue
    media: dict[str, Any] = {"schema": schema_ref}
    if examples:
        media["examples"] = examples
    answer: dict[str, Any] = {"description": description, "content": {ct: media for ct in content_types}}
    headers = _headers(status)
    if headers:
        answer["headers"] = headers
    return answer
