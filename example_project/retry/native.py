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
from webapi_kit.openapi.declare import Answer, Parameter, RequestBody, describe
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


# The wire shapes, for the OpenAPI document (retry.representation builds them).
_TIME = {"type": "string", "format": "date-time"}
_OPTIONAL_TIME = {"type": ["string", "null"], "format": "date-time"}
ATTEMPT_SCHEMA = {
    "type": "object",
    "required": ["index", "scheduled_at", "started_at", "finished_at", "duration", "status_code", "error"],
    "properties": {
        "index": {"type": "integer"},
        "scheduled_at": _TIME,
        "started_at": _TIME,
        "finished_at": _OPTIONAL_TIME,
        "duration": {"type": ["number", "null"]},
        "status_code": {"type": ["integer", "null"]},
        "error": {"type": ["string", "null"]},
    },
}
REQUEST_SCHEMA = {
    "type": "object",
    "required": ["id", "state", "accepted_at", "intervals", "next_attempt_at", "finished_at", "request"],
    "properties": {
        "id": {"type": "integer"},
        "state": {"enum": list(State.values)},
        "accepted_at": _TIME,
        "intervals": {"type": "array", "items": {"type": "integer"}},
        "next_attempt_at": _OPTIONAL_TIME,
        "finished_at": _OPTIONAL_TIME,
        "request": {
            "type": "object",
            "required": ["url", "method", "headers", "body_size"],
            "properties": {
                "url": {"type": "string"},
                "method": {"type": "string"},
                "headers": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}},
                            "description": "Values of headers that may carry credentials read \"[redacted]\"."},
                "body_size": {"type": "integer", "minimum": 0},
            },
        },
        "attempts": {"type": "array", "items": ATTEMPT_SCHEMA},
    },
}
SUBMISSION_SCHEMA = {
    "type": "object",
    "required": ["request"],
    "properties": {
        "intervals": {"type": "array", "items": {"type": "integer", "minimum": 0}, "maxItems": 100,
                      "description": "Seconds after acceptance at which each attempt falls due."},
        "request": {
            "type": "object",
            "required": ["url", "method"],
            "properties": {
                "url": {"type": "string", "description": "An http or https URL."},
                "method": {"type": "string"},
                "headers": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
                "body": {"type": "string"},
            },
        },
    },
}
_EMPTY = {"type": "object", "maxProperties": 0}
_OWNER = Parameter(OWNER_HEADER, "header", {"type": "string", "minLength": 1, "maxLength": 255},
                   "The owner the requests belong to.", required=True)
_PAGE = [
    Parameter("start", "query", {"type": "integer", "minimum": 0}, "Index of the page's first request."),
    Parameter("max-results", "query", {"type": "integer", "minimum": 0}, "Page length."),
]


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

    @describe(
        summary="Submit a request for retrying",
        parameters=[_OWNER],
        request_body=RequestBody(SUBMISSION_SCHEMA, description="Read as JSON whatever its Content-Type."),
        responses=[Answer(200, _EMPTY, "Accepted; Location is the request's URL.",
                          headers={"Location": ({"type": "string"}, True)})],
    )
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

    @describe(
        summary="List the owner's requests",
        parameters=[_OWNER, Parameter("state", "query", {"enum": list(State.values)}), *_PAGE],
        responses=[Answer(200, {
            "type": "object",
            "required": ["requests", "total_results"],
            "properties": {
                "requests": {"type": "array", "items": REQUEST_SCHEMA},
                "total_results": {"type": "integer", "minimum": 0},
                "next": {"type": "string"},
                "prev": {"type": "string"},
            },
        }, "One page of the owner's requests, newest first.")],
    )
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

    @describe(summary="Show a request and its attempts", parameters=[_OWNER],
              responses=[Answer(200, REQUEST_SCHEMA, "The request.")])
    def get(self, request: HttpRequest, data: Mapping[str, Any], request_id: str, **kwargs: str) -> APIResponse:
        owner = require_owner(request)
        retry_request = self._find(owner, request_id)
        return APIResponse(request_json(retry_request, list(retry_request.attempts.all())), content_type=JSON)

    @describe(summary="Cancel a pending request", parameters=[_OWNER],
              responses=[Answer(200, REQUEST_SCHEMA, "The cancelled request.")])
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

    @describe(summary="Health check", responses=[Answer(200, _EMPTY, "The service answers.")])
    def get(self, request: HttpRequest, data: Mapping[str, Any], **kwargs: str) -> APIResponse:
        return APIResponse({}, content_type=JSON)


RENDERERS = (JSONRenderer(),)
