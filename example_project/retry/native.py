"""The seed's wire format: ``POST /requests/``, ``GET /health``, and reads and cancels.

Errors are ``{"errors": [{"type", "message"}, ...]}``. Bodies are read as
JSON whatever their Content-Type (the seed's example request sends none),
and a body that is not JSON reaches the handler as a
:class:`~retry.validation.MalformedBody`, so that it is reported after any
header problem rather than instead of it.
"""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from django.http import HttpRequest

from retry import services
from retry.models import RetryRequest, State
from retry.representation import request_json
from retry.services import AlreadyFinished, SubmissionRejected
from retry.validation import OWNER_HEADER, MalformedBody, validate_owner
from webapi_kit.envelopes import ErrorListEnvelope
from webapi_kit.errors import (
    Conflict,
    DoesNotExist,
    FieldError,
    MalformedRequest,
    RateLimitExceeded,
    WebAPIError,
)
from webapi_kit.pagination import paginate, parse_page_request
from webapi_kit.parsers import RawParser, decode_json
from webapi_kit.renderers import JSONRenderer
from webapi_kit.resource import WebAPIResource, request_context
from webapi_kit.responses import APIResponse

__all__ = ["HealthResource", "NativeEnvelope", "RequestsResource", "submitted_payload"]

JSON = "application/json"
#: The error type of every bad query parameter (the body's is ``invalid_body``).
INVALID_QUERY = "invalid_query"


class NativeEnvelope(ErrorListEnvelope):
    """The seed's error list, with its own names for the framework's errors."""

    _TYPES: tuple[tuple[type[WebAPIError], str], ...] = (
        (MalformedRequest, "invalid_body"),
        (DoesNotExist, "not_found"),
    )

    def error(self, error: WebAPIError) -> Any:
        if "errors" not in error.extra and "error_type" not in error.extra:
            for cls, error_type in self._TYPES:
                if isinstance(error, cls):
                    return {"errors": [{"type": error_type, "message": error.msg}]}
        return super().error(error)


def submitted_payload(request: HttpRequest) -> Any:
    """The body decoded as JSON whatever its Content-Type, as the seed's service read it.

    A body that is not JSON becomes a :class:`MalformedBody`, reported after
    any header problem, in the seed's order.
    """
    raw = request_context(request).body.raw
    if raw is None:
        return MalformedBody("the body is empty")
    try:
        return decode_json(raw.read())
    except ValueError as exc:
        return MalformedBody(str(exc))


def rejection(exc: SubmissionRejected) -> WebAPIError:
    """A refused submission as the seed's error answer."""
    errors = [problem.as_dict() for problem in exc.problems]
    if exc.status == HTTPStatus.TOO_MANY_REQUESTS:
        return RateLimitExceeded(str(exc), retry_after=exc.retry_after, extra={"errors": errors})
    return MalformedRequest(str(exc), extra={"errors": errors})


def require_owner(request: HttpRequest) -> str:
    owner, problems = validate_owner(request.headers.get(OWNER_HEADER))
    if owner is None:
        raise rejection(SubmissionRejected(problems, HTTPStatus.BAD_REQUEST))
    return owner


class RequestsResource(WebAPIResource):
    """``/requests/``: submit (seed), list; ``/requests/{id}/``: show, cancel."""

    name = "request"
    uri_object_key = "request_id"
    allowed_methods = ("GET", "POST", "DELETE")
    # Every body is taken raw and decoded by the handler, so that a body that
    # is not JSON is reported after the header problems, as the seed did.
    parsers = (RawParser(),)

    def create(self, request: HttpRequest, data: Mapping[str, Any], **kwargs: str) -> APIResponse:
        try:
            accepted = services.accept_request(request.headers.get(OWNER_HEADER), submitted_payload(request))
        except SubmissionRejected as exc:
            raise rejection(exc) from None
        location = request_context(request).base_url + self.item_template.expand(
            {self.uri_object_key: str(accepted.pk)}
        )
        # The seed's answer is exactly {}; the Location header is an addition.
        return APIResponse({}, headers={"Location": location}, content_type=JSON)

    def get_list(self, request: HttpRequest, data: Mapping[str, Any], **kwargs: str) -> APIResponse:
        owner = require_owner(request)
        problems: dict[str, list[str]] = {}
        state = request.GET.get("state")
        if state is not None and state not in State.values:
            problems["state"] = [f"'state' must be one of: {', '.join(State.values)}"]
        try:
            page_request = parse_page_request(request.GET)
        except FieldError as exc:
            # webapi_kit's messages do not name the parameter; the seed's
            # error list has no field key, so the message must.
            for name, messages in exc.fields.items():
                problems[name] = [f"'{name}': {message}" for message in messages]
        if problems:
            raise FieldError(problems, extra={"error_type": INVALID_QUERY})
        queryset = services.list_requests(owner, state).prefetch_related("attempts")
        page = paginate(queryset, page_request)
        list_url = request_context(request).base_url + self.list_template.expand({})
        payload: dict[str, Any] = {
            "requests": [request_json(item, list(item.attempts.all())) for item in page.items],
            "total_results": page.total_results,
        }
        for rel, link in page.links(list_url, request.GET).items():
            payload[rel] = link["href"]
        return APIResponse(payload, content_type=JSON)

    def get(self, request: HttpRequest, data: Mapping[str, Any], request_id: str, **kwargs: str) -> APIResponse:
        owner = require_owner(request)
        retry_request = self._find(owner, request_id)
        return APIResponse(request_json(retry_request, list(retry_request.attempts.all())), content_type=JSON)

    def delete(self, request: HttpRequest, data: Mapping[str, Any], request_id: str, **kwargs: str) -> APIResponse:
        owner = require_owner(request)
        try:
            cancelled = services.cancel_request(owner, request_id)
        except RetryRequest.DoesNotExist:
            raise DoesNotExist(f"Request {request_id} does not exist") from None
        except AlreadyFinished as exc:
            raise Conflict(str(exc), extra={"error_type": "already_finished"}) from None
        return APIResponse(request_json(cancelled, list(cancelled.attempts.all())), content_type=JSON)

    @staticmethod
    def _find(owner: str, request_id: str) -> RetryRequest:
        try:
            return services.get_request(owner, request_id)
        except RetryRequest.DoesNotExist:
            raise DoesNotExist(f"Request {request_id} does not exist") from None


class HealthResource(WebAPIResource):
    """``GET /health``: ``200 {}`` while the service answers."""

    name = "health"
    singleton = True
    list_path = "health"

    def get(self, request: HttpRequest, data: Mapping[str, Any], **kwargs: str) -> APIResponse:
        return APIResponse({}, content_type=JSON)


RENDERERS = (JSONRenderer(),)
