"""The queuey service's resources in the /api/ tree (webapi_kit's default dialect).

``/api/queuey/applications/{application_name}/queues/{queue_name}/messages/{partition}:{id}/``,
browsable by links from the root. The caller authenticates with the same
``Authorization: Application <key>`` as on the native surface (no key is
anonymous; an unknown key is ``401``), or as a site user (Basic, token,
session: :mod:`config.identity`), who acts as the application named in the
URL if they own it (:func:`queuey.services.application_for_user`) and sees
the applications they own. Every access rule is the service
layer's, the very functions the native surface calls: queues are their
owner's, messages are read by :func:`queuey.services.can_read` (listed
principals, or anyone on a ``public`` queue, without a key) and written by
the owner.

Refusals in this dialect: anonymous callers get ``401``; an application that
may see the queue (its owner or a reader) gets ``403``; any other
application gets ``404``, as if the queue were not there.

``message_count`` costs a count over every message of a queue, so it is
only computed, and only shown, with ``?include_count=1``.

The resources' names carry a ``queuey_`` prefix because names are unique
across the project's one API tree; their URLs do not.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from http import HTTPStatus
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.http import HttpRequest

from config.identity import USER_AUTHENTICATION, site_user
from queuey import services
from queuey.errors import QueueyError
from queuey.models import QUEUE_NAME_MAX_LENGTH, Application, Message, Queue
from queuey.native.authentication import ApplicationKeyAuthentication
from queuey.timestamps import to_decimal
from webapi_kit.browsable import form_fields
from webapi_kit.errors import DoesNotExist, FieldError, PermissionDenied, WebAPIError
from webapi_kit.fields import DateTime, Int, List, String
from webapi_kit.fields import Decimal as DecimalField
from webapi_kit.openapi.declare import RequestBody, describe
from webapi_kit.pagination import Page, paginate
from webapi_kit.permissions import AllowAny, IsAuthenticated
from webapi_kit.resource import RequestContext, WebAPIResource, request_context
from worker.api import BacklogResource

__all__ = ["resources"]


_CALLER = "_queuey_caller"


def _caller(request: HttpRequest) -> Application | None:
    """The application the caller acts as: its key's, or the addressed one its user owns."""
    auth = getattr(request, "auth", None)
    if isinstance(auth, Application):
        return auth
    user = site_user(request)
    if user is None:
        return None
    if _CALLER not in request.__dict__:  # looked up once per request
        name = request_context(request).kwargs.get("application_name")
        request.__dict__[_CALLER] = services.application_for_user(user, name) if name else None
    caller: Application | None = request.__dict__[_CALLER]
    return caller


class _QueueyResource(WebAPIResource):
    authentication_classes = (ApplicationKeyAuthentication, *USER_AUTHENTICATION)
    # Who may do what is decided by the service layer (a public queue needs
    # no key), not by a blanket permission.
    permission_classes: Sequence[Any] | None = (AllowAny,)

    def handle_exception(self, request: HttpRequest, exc: Exception) -> WebAPIError:
        """The service layer's errors in the default dialect."""
        if not isinstance(exc, QueueyError):
            return super().handle_exception(request, exc)
        msg = "; ".join(exc.errors.values())
        if exc.status == HTTPStatus.NOT_FOUND:
            return DoesNotExist(msg)
        if exc.status == HTTPStatus.UNAUTHORIZED:
            # A user without the application is told what anyone else is.
            known = _caller(request) is not None or site_user(request) is not None
            return self.refusal(request, msg) if known else self.permission_denied(request)
        return FieldError({key: [text] for key, text in exc.errors.items()})

    def refusal(self, request: HttpRequest, msg: str) -> WebAPIError:
        """What an application's key that does not grant the call gets: another's data is not there."""
        return DoesNotExist()


#: The queue settings a create or update takes (the service layer's rules).
QUEUE_INPUT = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "description": "Without '/' or control characters (default: a random name)."},
        "partitions": {"type": "integer", "minimum": 1, "maximum": 200},
        "type": {"enum": ["user", "public"]},
        "consistency": {"enum": ["weak", "strong", "very_strong"]},
        "principles": {"type": "array", "items": {"type": "string"},
                       "description": "app:<name> / bid:<email> principals (or one comma-separated string)."},
    },
}
#: The same settings as a page's form: the service layer reads the text a form sends.
_PRINCIPLES = List("app:<name> / bid:<email> principals allowed to read; empty means the owner.")
_QUEUE_FORM = {**services.QUEUE_OPTIONS, "principles": _PRINCIPLES}
_FORMS = ("application/json", "application/x-www-form-urlencoded", "multipart/form-data")
MESSAGE_INPUT = {
    "type": "object",
    "properties": {
        "body": {"type": "string", "description": "The message's text (or upload a file instead)."},
        "ttl": {"type": "integer", "minimum": 1, "description": "Seconds until it expires."},
        "partition": {"type": "integer", "minimum": 1},
    },
}


class MessageResource(_QueueyResource):
    """A message; its URL key is ``<partition>:<message_id>``."""

    name = "queuey_message"
    uri_name = "messages"
    uri_object_key = "message_key"
    uri_object_key_regex = r"[0-9]{1,5}:[0-9a-fA-F]{32}"
    model_object_key = "key"
    model = Message
    model_parent_key = "queue"
    allowed_methods = ("GET", "POST", "DELETE")
    fields = {
        "message_id": String("The message's id: a UUID1 in hex."),
        "partition": Int("The partition the message is in."),
        "timestamp": DecimalField("Seconds since the epoch, exact to 100 ns (seven decimals)."),
        "body": String("The message's body."),
        "content_type": String("The Content-Type the message was posted with."),
        "expires_at": DateTime("When the message expires."),
    }

    def serialize_timestamp_field(self, obj: Message, ctx: RequestContext) -> Decimal:
        return to_decimal(obj.timestamp)

    def serialize_body_field(self, obj: Message, ctx: RequestContext) -> str:
        return bytes(obj.body).decode("utf-8", "replace")

    def get_link_title(self, obj: Any) -> str:
        return str(obj.key)

    def refusal(self, request: HttpRequest, msg: str) -> WebAPIError:
        # Looked up again only on this error path, so the happy path pays one lookup.
        kwargs = request_context(request).kwargs
        try:
            queue = services.get_queue(kwargs["application_name"], kwargs["queue_name"])
        except QueueyError:
            return DoesNotExist()
        return PermissionDenied(msg) if services.can_see(queue, _caller(request)) else DoesNotExist()

    def get_queryset(self, request: HttpRequest, is_list: bool = False, **kwargs: str) -> QuerySet[Any]:
        queue = services.readable_queue(_caller(request), kwargs["application_name"], kwargs["queue_name"])
        return services.visible_messages(queue).order_by("timestamp", "id")

    def get_list(self, request: HttpRequest, data: Mapping[str, Any], **kwargs: str) -> Page:
        # get_queryset already answers for the queue (404 / refusal); the
        # base class would look the parent up again through the owner-only
        # queue resource, refusing readers who are not the owner.
        return paginate(self.get_queryset(request, is_list=True, **kwargs), self.get_page_request(request))

    def get_object(self, request: HttpRequest, lock: bool = False, **kwargs: str) -> Any:
        found = services.get_messages_by_keys(
            _caller(request), kwargs["application_name"], kwargs["queue_name"], kwargs["message_key"]
        )
        if not found:
            raise DoesNotExist()
        return found[0]

    @describe(request_body=RequestBody(MESSAGE_INPUT, _FORMS))
    def create(self, request: HttpRequest, data: Mapping[str, Any], **kwargs: str) -> Message:
        item: dict[str, Any] = {"ttl": data.get("ttl"), "partition": data.get("partition")}
        upload = next((value for value in data.values() if isinstance(value, UploadedFile)), None)
        if isinstance(data.get("body"), str) or upload is None:
            item["body"] = data.get("body")
            item["content_type"] = "text/plain; charset=utf-8"
        else:
            item["body"] = upload.read()
            item["content_type"] = upload.content_type or "application/octet-stream"
        (message,) = services.post_messages(_caller(request), kwargs["application_name"], kwargs["queue_name"], [item], batch=False)
        return message

    def delete(self, request: HttpRequest, data: Mapping[str, Any], **kwargs: str) -> None:
        # Looked up first: on this surface an unknown message is a 404.
        message = self.get_object(request, **kwargs)  # type: ignore[arg-type]  # URL kwargs never include "lock"
        services.delete_messages(_caller(request), kwargs["application_name"], kwargs["queue_name"], message.key)
        return None


class QueueResource(_QueueyResource):
    """A queue of the caller's application; only its owner sees it, as natively."""

    name = "queuey_queue"
    uri_name = "queues"
    uri_object_key = "queue_name"
    uri_object_key_regex = r"[^/]+"
    model_object_key = "name"
    model = Queue
    model_parent_key = "application"
    allowed_methods = ("GET", "POST", "PUT", "DELETE")
    fields = {
        "name": String("The queue's name."),
        "partitions": Int("How many partitions it has (1-200; may only grow)."),
        "type": String("user (messages need a key) or public (anyone may read)."),
        "consistency": String("weak, strong or very_strong."),
        "principles": List("app:<name> / bid:<email> principals allowed to read; empty means the owner."),
        "created": DateTime("When it was created."),
        "message_count": Int("How many live messages it holds; only with ?include_count=1 (a full count)."),
    }

    def __init__(self) -> None:
        super().__init__()
        self.item_child_resources = [MessageResource()]

    def serialize_principles_field(self, obj: Queue, ctx: RequestContext) -> list[str]:
        return obj.principle_list

    def serialize_message_count_field(self, obj: Queue, ctx: RequestContext) -> int | None:
        if not services.wants_count(ctx.request.GET):
            return None
        count = getattr(obj, "message_count", None)
        return count if count is not None else services.count_messages(obj)

    def serialize_object(self, obj: Any, ctx: RequestContext, href: str | None = None) -> dict[str, Any]:
        item = super().serialize_object(obj, ctx, href)
        # Shown only when counted (``?include_count=1``): a null would read as "unknown queue size".
        if item.get("message_count", 0) is None:
            del item["message_count"]
        return item

    def get_link_title(self, obj: Any) -> str:
        return str(obj.name)

    def get_queryset(self, request: HttpRequest, is_list: bool = False, **kwargs: str) -> QuerySet[Any]:
        # A list page counts messages only when asked: one grouped count, never per GET.
        include_count = is_list and services.wants_count(request.GET)
        return services.owned_queues(_caller(request), kwargs["application_name"], include_count=include_count)

    def get_object(self, request: HttpRequest, lock: bool = False, **kwargs: str) -> Any:
        services.wants_count(request.GET)  # a bad value is a 400 before any work
        return services.owned_queue(_caller(request), kwargs["application_name"], kwargs["queue_name"])

    @describe(request_body=RequestBody(QUEUE_INPUT, _FORMS, required=False))
    @form_fields(optional={
        "name": String("Without '/' or control characters (default: a random name).", max_length=QUEUE_NAME_MAX_LENGTH),
        **_QUEUE_FORM,
    })
    def create(self, request: HttpRequest, data: Mapping[str, Any], **kwargs: str) -> Queue:
        try:
            return services.create_queue(_caller(request), kwargs["application_name"], _queue_input(data))
        except QueueyError as exc:
            # The service (and the native surface) call it queue_name; this
            # tree's body calls it name, and so does a page's form input.
            if "queue_name" in exc.errors and "queue_name" not in data:
                exc.errors = {("name" if key == "queue_name" else key): msg for key, msg in exc.errors.items()}
            raise

    @describe(request_body=RequestBody(QUEUE_INPUT, _FORMS, required=False))
    @form_fields(optional=_QUEUE_FORM)
    def update(self, request: HttpRequest, data: Mapping[str, Any], **kwargs: str) -> Queue:
        return services.update_queue(_caller(request), kwargs["application_name"], kwargs["queue_name"], _queue_input(data))

    def delete(self, request: HttpRequest, data: Mapping[str, Any], **kwargs: str) -> None:
        services.delete_queue(_caller(request), kwargs["application_name"], kwargs["queue_name"])
        return None


def _queue_input(data: Mapping[str, Any]) -> dict[str, Any]:
    """The service takes form values; a JSON body may give ``name`` and a list of principles."""
    values = dict(data)
    if "name" in values and "queue_name" not in values:
        values["queue_name"] = values.pop("name")
    if isinstance(values.get("principles"), list):
        values["principles"] = ",".join(str(p) for p in values["principles"])
    return values


class ApplicationResource(_QueueyResource):
    """The caller's own application (the only one it can see)."""

    # Every call here needs the owner: without a key there is nothing to show.
    permission_classes = (IsAuthenticated,)

    name = "queuey_application"
    uri_name = "queuey/applications"
    uri_object_key = "application_name"
    uri_object_key_regex = r"[A-Za-z0-9_.\-]+"
    model_object_key = "name"
    model = Application
    fields = {
        "name": String("The application's name, as in /queuey/v1/{application}."),
        "created": DateTime("When it was registered."),
    }

    def __init__(self) -> None:
        super().__init__()
        self.item_child_resources = [QueueResource()]

    def get_link_title(self, obj: Any) -> str:
        return str(obj.name)

    def get_queryset(self, request: HttpRequest, is_list: bool = False, **kwargs: str) -> QuerySet[Any]:
        user = site_user(request)
        if user is not None and not isinstance(getattr(request, "auth", None), Application):
            return services.applications_of_user(user).order_by("name")
        caller = _caller(request)
        return Application.objects.filter(pk=caller.pk if caller else None).order_by("name")


class QueueyStatusResource(BacklogResource):
    """The purge backlog (staff only): expired messages not yet deleted (reads already hide
    them), and how long ago the oldest expired."""

    name = "queuey_status"
    uri_name = "queuey/status"
    loop = "queuey"


def resources() -> list[WebAPIResource]:
    """The top-level resources this service hangs off the project's API root."""
    return [ApplicationResource(), QueueyStatusResource()]
