"""The retry service's resources in the /api/ tree (webapi_kit's default dialect).

``/api/retry/requests/`` lists the caller's requests (paged, ``?state=``),
accepts new ones (``POST``, the seed's body), and each item links to its
``attempts/``; ``DELETE`` on an item cancels it. The caller is the owner
named by the ``X-Owner-ID`` header, as on the native surface; without it the
answer is 401 with ``WWW-Authenticate: X-Owner-ID``. A logged-in site user
(Basic, token, session: :mod:`config.identity`) acts as the owner of the
same name (:func:`retry.services.owner_for_user`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest

from config.forms import json_form_fields
from config.identity import USER_AUTHENTICATION, agreeing_header, site_user
from retry import services
from retry.models import Attempt, RetryRequest, State
from retry.redaction import redacted_headers
from retry.services import AlreadyFinished, SubmissionRejected
from retry.validation import OWNER_HEADER, validate_owner
from webapi_kit.authentication import Authentication, Credentials
from webapi_kit.errors import (
    Conflict,
    DoesNotExist,
    FieldError,
    LoginFailed,
    NotLoggedIn,
    RateLimitExceeded,
    WebAPIError,
)
from webapi_kit.browsable import form_fields
from webapi_kit.fields import Choice, DateTime, Dict, Field, Int, JSONField, List, String, request_fields
from webapi_kit.pagination import Page, paginate
from webapi_kit.permissions import IsAuthenticated
from webapi_kit.resource import RequestContext, WebAPIResource, request_context
from worker.api import BacklogResource

__all__ = ["OwnerHeaderAuthentication", "RetryAttemptResource", "RetryRequestResource", "RetryStatusResource", "resources"]


class OwnerHeaderAuthentication(Authentication):
    """The caller is the owner named by ``X-Owner-ID`` (``request.auth``)."""

    def challenge(self) -> str:
        return OWNER_HEADER

    def openapi_security_scheme(self) -> tuple[str, dict[str, Any]]:
        return "ownerId", {"type": "apiKey", "in": "header", "name": OWNER_HEADER,
                           "description": "The owner the requests belong to (a label, not a secret)."}

    def authenticate(self, request: HttpRequest) -> Credentials | None:
        raw = request.headers.get(OWNER_HEADER)
        if raw is None or not raw.strip():
            return None
        owner, problems = validate_owner(raw)
        if owner is None:
            raise LoginFailed(problems[0].message, www_authenticate=self.challenge())
        return Credentials(auth=owner)


def owner_of(request: HttpRequest) -> str:
    """The owner the caller acts as: the logged-in user's, else the header's."""
    user = site_user(request)
    if user is not None:
        owner = services.owner_for_user(user.get_username())
        agreeing_header(request, OWNER_HEADER, owner)
        return owner
    header_owner: str = request.auth  # type: ignore[attr-defined]
    return header_owner


class _OwnedResource(WebAPIResource):
    # Users first: the header is read only when no user logged in.
    authentication_classes = [*USER_AUTHENTICATION, OwnerHeaderAuthentication]
    permission_classes = [IsAuthenticated]
    throttle_classes: list[Any] = []

    def permission_denied(self, request: HttpRequest, msg: str | None = None) -> WebAPIError:
        # The only way to be refused here is to name no owner. The answer
        # lists every way in, Basic first (see webapi_kit.challenges).
        return NotLoggedIn(f"Header '{OWNER_HEADER}' is missing", www_authenticate=OWNER_HEADER)


class RetryAttemptResource(_OwnedResource):
    """One attempt made for a request: when, and its status code or error."""

    name = "retry_attempt"
    uri_name = "attempts"
    model = Attempt
    model_parent_key = "request"
    fields = {
        "id": Int("The attempt's ID."),
        "index": Int("Which interval this attempt belongs to (0 is the first)."),
        "scheduled_at": DateTime("When the attempt fell due."),
        "started_at": DateTime("When it was sent."),
        "finished_at": DateTime("When it ended (null while in flight)."),
        "duration": Field("Seconds from start to end."),
        "status_code": Int("The target's status code, or null if it did not answer."),
        "error": String("Why there is no status code: timeout, connection failure, interruption."),
    }

    def get_queryset(self, request: HttpRequest, is_list: bool = False, **kwargs: str) -> QuerySet[Any]:
        return super().get_queryset(request, is_list, **kwargs).filter(request__owner_id=owner_of(request))


class RetryRequestResource(_OwnedResource):
    """A request handed over for retrying, and where it stands."""

    name = "retry_request"
    uri_name = "retry/requests"
    model = RetryRequest
    fields = {
        "id": Int("The request's ID."),
        "state": Choice("pending, succeeded, gave_up or cancelled.", choices=State.values),
        "method": String("The HTTP method it is sent with."),
        "url": String("The URL it is sent to."),
        "headers": Dict(
            "Header names mapped to lists of values, as submitted; values of headers that may carry "
            "credentials (Authorization, Cookie, names containing token, secret, key, auth or password) "
            "read \"[redacted]\"."
        ),
        "body_size": Int("The length of the body sent, in bytes (the body itself is never shown)."),
        "intervals": List("Seconds after acceptance at which each attempt falls due."),
        "accepted_at": DateTime("When the request was accepted."),
        "next_attempt_at": DateTime("When the next attempt falls due (null once finished)."),
        "finished_at": DateTime("When it succeeded, gave up or was cancelled."),
    }
    allowed_methods = ("GET", "POST", "DELETE")
    item_child_resources = [RetryAttemptResource()]

    def get_queryset(self, request: HttpRequest, is_list: bool = False, **kwargs: str) -> QuerySet[Any]:
        return services.list_requests(owner_of(request))

    # Owner ids are labels, not credentials: reads never show what the
    # request carries to its target (see retry.redaction).
    def serialize_headers_field(self, obj: RetryRequest, ctx: RequestContext) -> dict[str, list[str]]:
        return redacted_headers(obj.headers)

    def serialize_body_size_field(self, obj: RetryRequest, ctx: RequestContext) -> int:
        return len(obj.body)

    def serialize_next_attempt_at_field(self, obj: RetryRequest, ctx: RequestContext) -> Any:
        return obj.next_due_at

    @request_fields(optional={"state": Choice("Only requests in this state.", choices=State.values)})
    def get_list(self, request: HttpRequest, data: Mapping[str, Any], **kwargs: str) -> Page:
        queryset = services.list_requests(owner_of(request), data.get("state"))
        return paginate(queryset, self.get_page_request(request))

    # The service layer checks the body with the native surface's messages;
    # a form sends the seed's two members as JSON text (see submission()).
    @form_fields(
        required={"request": Dict('{"url": ..., "method": ..., "headers": {name: [values]}, "body": text}')},
        optional={"intervals": JSONField("Seconds after acceptance of each attempt, e.g. [5, 60, 600].")},
    )
    def create(self, request: HttpRequest, data: Mapping[str, Any], **kwargs: str) -> RetryRequest:
        payload = submission(request_context(request), data)
        try:
            return services.accept_request(owner_of(request), payload)
        except SubmissionRejected as exc:
            if exc.retry_after is not None:
                raise RateLimitExceeded(str(exc), retry_after=exc.retry_after) from None
            fields: dict[str, list[str]] = {}
            for problem in exc.problems:
                fields.setdefault(problem.field or "body", []).append(problem.message)
            raise FieldError(fields) from None

    def delete(self, request: HttpRequest, data: Mapping[str, Any], **kwargs: str) -> RetryRequest:
        try:
            return services.cancel_request(owner_of(request), kwargs[self.uri_object_key])
        except RetryRequest.DoesNotExist:
            raise DoesNotExist() from None
        except AlreadyFinished as exc:
            raise Conflict(str(exc)) from None


def submission(ctx: RequestContext, data: Mapping[str, Any]) -> dict[str, Any]:
    """The seed's body, from a JSON object or from a form (``request`` and ``intervals`` as JSON text)."""
    return json_form_fields(ctx, data, ("intervals", "request"))


class RetryStatusResource(BacklogResource):
    """The retry backlog (staff only): pending requests due and not taken, those a worker
    is sending, and how late the oldest is."""

    name = "retry_status"
    uri_name = "retry/status"
    loop = "retry"


def resources() -> list[WebAPIResource]:
    """The top-level resources this service hangs off the project's API root."""
    return [RetryRequestResource(), RetryStatusResource()]
