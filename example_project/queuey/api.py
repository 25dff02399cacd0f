"""The queuey service's resources in the /api/ tree (webapi_kit's default dialect).

``/api/applications/{application_name}/queues/{queue_name}/messages/{partition}:{id}/``,
browsable by links from the root. The caller authenticates with the same
``Authorization: Application <key>`` as on the native surface and sees only
its own application: anything else is a ``404``. Every rule is the service
layer's, shared with the native surface.

The resources' names carry a ``queuey_`` prefix because names are unique
across the project's one API tree; their URLs do not.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from http import HTTPStatus
from typing import Any, TypeVar

from django.core.files.uploadedfile import UploadedFile
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from queuey import services
from queuey.errors import QueueyError
from queuey.models import Application, Message, Queue
from queuey.native.authentication import ApplicationKeyAuthentication
from queuey.timestamps import to_decimal
from webapi_kit.errors import DoesNotExist, FieldError, PermissionDenied, WebAPIError
from webapi_kit.fields import DateTime, Int, List, String
from webapi_kit.fields import Decimal as DecimalField
from webapi_kit.permissions import IsAuthenticated
from webapi_kit.resource import RequestContext, WebAPIResource

__all__ = ["resources"]

H = TypeVar("H", bound=Callable[..., Any])


def _caller(request: HttpRequest) -> Application | None:
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, Application) else None


class _QueueyResource(WebAPIResource):
    authentication_classes = (ApplicationKeyAuthentication,)
    permission_classes = (IsAuthenticated,)

    def handle_exception(self, request: HttpRequest, exc: Exception) -> WebAPIError:
        """The service layer's errors in the default dialect."""
        if not isinstance(exc, QueueyError):
            return super().handle_exception(request, exc)
        msg = "; ".join(exc.errors.values())
        if exc.status == HTTPStatus.NOT_FOUND:
            return DoesNotExist(msg)
        if exc.status == HTTPStatus.UNAUTHORIZED:
            return self.permission_denied(request) if _caller(request) is None else PermissionDenied(msg)
        return FieldError({key: [text] for key, text in exc.errors.items()})


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

    def _queue(self, request: HttpRequest, kwargs: Mapping[str, str]) -> Queue:
        queue = queue_resource_of(self).get_object(request, **kwargs)
        assert isinstance(queue, Queue)
        return queue

    def get_queryset(self, request: HttpRequest, is_list: bool = False, **kwargs: str) -> QuerySet[Any]:
        queue = self._queue(request, kwargs)
        if not services.can_read(queue, _caller(request)):
            raise PermissionDenied("This application may not read this queue")
        return services.visible_messages(queue).order_by("timestamp", "id")

    def get_object(self, request: HttpRequest, lock: bool = False, **kwargs: str) -> Any:
        partition, _, message_id = kwargs["message_key"].partition(":")
        found = self.get_queryset(request, **kwargs).filter(partition=int(partition), message_id=message_id.lower()).first()
        if found is None:
            raise DoesNotExist()
        return found

    def create(self, request: HttpRequest, data: Mapping[str, Any], **kwargs: str) -> Message:
        queue = self._queue(request, kwargs)
        item: dict[str, Any] = {"ttl": data.get("ttl"), "partition": data.get("partition")}
        upload = next((value for value in data.values() if isinstance(value, UploadedFile)), None)
        if isinstance(data.get("body"), str) or upload is None:
            item["body"] = data.get("body")
            item["content_type"] = "text/plain; charset=utf-8"
        else:
            item["body"] = upload.read()
            item["content_type"] = upload.content_type or "application/octet-stream"
        (message,) = services.post_messages(_caller(request), queue.application.name, queue.name, [item], batch=False)
        return message

    def delete(self, request: HttpRequest, data: Mapping[str, Any], **kwargs: str) -> None:
        message = self.get_object(request, **kwargs)
        services.delete_messages(_caller(request), kwargs["application_name"], kwargs["queue_name"], message.key)
        return None


class QueueResource(_QueueyResource):
    """A queue of the caller's application."""

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
        "message_count": Int("How many live messages it holds."),
    }

    def __init__(self) -> None:
        super().__init__()
        self.item_child_resources = [MessageResource()]

    def serialize_principles_field(self, obj: Queue, ctx: RequestContext) -> list[str]:
        return obj.principle_list

    def serialize_message_count_field(self, obj: Queue, ctx: RequestContext) -> int:
        count = getattr(obj, "message_count", None)
        return count if count is not None else services.visible_messages(obj).count()

    def get_link_title(self, obj: Any) -> str:
        return str(obj.name)

    def get_queryset(self, request: HttpRequest, is_list: bool = False, **kwargs: str) -> QuerySet[Any]:
        caller = _caller(request)
        live = Q(messages__expires_at__gt=timezone.now())
        return (
            Queue.objects.filter(application=caller, application__name=kwargs["application_name"])
            .select_related("application")
            .annotate(message_count=Count("messages", filter=live))
            .order_by("name")
        )

    def _application(self, request: HttpRequest, kwargs: Mapping[str, str]) -> Application:
        caller = _caller(request)
        if caller is None or caller.name != kwargs["application_name"]:
            raise DoesNotExist()
        return caller

    def create(self, request: HttpRequest, data: Mapping[str, Any], **kwargs: str) -> Queue:
        app = self._application(request, kwargs)
        return services.create_queue(app, app.name, _queue_input(data))

    def update(self, request: HttpRequest, data: Mapping[str, Any], **kwargs: str) -> Queue:
        queue = self.get_object(request, **kwargs)
        return services.update_queue(_caller(request), queue.application.name, queue.name, _queue_input(data))

    def delete(self, request: HttpRequest, data: Mapping[str, Any], **kwargs: str) -> None:
        queue = self.get_object(request, **kwargs)
        services.delete_queue(_caller(request), queue.application.name, queue.name)
        return None


def _queue_input(data: Mapping[str, Any]) -> dict[str, Any]:
    """The service takes form values; a JSON body may give ``name`` and a list of principles."""
    values = dict(data)
    if "name" in values and "queue_name" not in values:
        values["queue_name"] = values.pop("name")
    if isinstance(values.get("principles"), list):
        values["principles"] = ",".join(str(p) for p in values["principles"])
    return values


def queue_resource_of(message_resource: WebAPIResource) -> WebAPIResource:
    assert message_resource.parent is not None
    return message_resource.parent


class ApplicationResource(_QueueyResource):
    """The caller's own application (the only one it can see)."""

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
        caller = _caller(request)
        return Application.objects.filter(pk=caller.pk if caller else None).order_by("name")


def resources() -> list[WebAPIResource]:
    """The top-level resources this service hangs off the project's API root."""
    return [ApplicationResource()]
