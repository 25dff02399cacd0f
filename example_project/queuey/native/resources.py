"""The seed's three URLs as webapi_kit resources: thin translations to the services.

* ``v1/{application}`` — list queues (``GET``), create one (``POST``, a form);
* ``v1/{application}/{queue_name}`` — read messages (``GET``), post messages
  (``POST``: a JSON batch or one raw body), update the queue (``PUT``, a
  form), delete it (``DELETE``);
* ``v1/{application}/{queue_name}/{message_ids}`` — search (``GET``),
  overwrite (``PUT``, a raw body) and delete (``DELETE``) messages by id.

Each is a singleton resource at an explicit path, since one URL carries
both queue and message operations, which take different bodies.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from http import HTTPStatus
from typing import Any, TypeVar

from django.http import HttpRequest

from queuey import services
from queuey.errors import QueueyError
from queuey.models import Application, Message, Queue
from queuey.native.parsers import form_fields, raw_body
from queuey.timestamps import to_decimal
from webapi_kit.errors import FieldError, WebAPIError
from webapi_kit.parsers import FormParser, JSONParser, MultiPartParser, RawParser
from webapi_kit.resource import WebAPIResource
from webapi_kit.responses import APIResponse

__all__ = ["ApplicationQueuesResource", "MessagesByIdResource", "QueueResource"]

H = TypeVar("H", bound=Callable[..., Any])

_REGEXES = {"application": r"[^/]+", "queue_name": r"[^/]+", "message_ids": r"[^/]+"}


class _SeedError(WebAPIError):
    """A service error shown under its own key (``InvalidQueueName``...)."""

    def __init__(self, error: QueueyError) -> None:
        ((key, msg),) = error.errors.items()
        headers = {"WWW-Authenticate": 'Application realm="queuey"'} if error.status == HTTPStatus.UNAUTHORIZED else {}
        super().__init__(msg, headers=headers, extra={"error_key": key})
        self.status = error.status


def seed_error(error: QueueyError) -> WebAPIError:
    """The service layer's error as the seed's error body."""
    if error.status == HTTPStatus.BAD_REQUEST or len(error.errors) != 1:
        return FieldError({key: [msg] for key, msg in error.errors.items()})
    return _SeedError(error)


def caller(request: HttpRequest) -> Application | None:
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, Application) else None


def queue_fields(queue: Queue) -> dict[str, Any]:
    """A queue as create and update answer it."""
    fields: dict[str, Any] = {
        "queue_name": queue.name,
        "partitions": queue.partitions,
        "type": queue.type,
        "consistency": queue.consistency,
    }
    if queue.principle_list:
        fields["principles"] = queue.principle_list
    return fields


def message_fields(message: Message) -> dict[str, Any]:
    return {
        "message_id": message.message_id,
        "timestamp": to_decimal(message.timestamp),
        "body": bytes(message.body).decode("utf-8", "replace"),
        "partition": message.partition,
    }


class _SeedResource(WebAPIResource):
    singleton = True
    uri_regexes = _REGEXES

    def handle_exception(self, request: HttpRequest, exc: Exception) -> WebAPIError:
        if isinstance(exc, QueueyError):
            return seed_error(exc)
        return super().handle_exception(request, exc)


class ApplicationQueuesResource(_SeedResource):
    """``/v1/{application}``: the application's queues."""

    name = "application_queues"
    list_path = "v1/{application}"
    allowed_methods = ("GET", "POST")
    item_handlers = {"GET": "list_queues", "POST": "create_queue"}
    parsers = (FormParser(), MultiPartParser(), JSONParser())

    def list_queues(self, request: HttpRequest, data: Mapping[str, Any], application: str) -> APIResponse:
        params = request.GET
        listings = services.list_queues(caller(request), application, params)
        details = params.get("details", "").strip().lower() in ("true", "1", "yes", "on")
        queues: list[dict[str, Any]] = []
        for listing in listings:
            queue = listing.queue
            if not details:
                queues.append({"queue_name": queue.name})
                continue
            item: dict[str, Any] = {
                "queue_name": queue.name,
                "partitions": queue.partitions,
                "created": int(queue.created.timestamp()),
                "type": queue.type,
                "consistency": queue.consistency,
                "principles": queue.principle_list,
            }
            if listing.count is not None:
                item["count"] = listing.count
            queues.append(item)
        return APIResponse({"queues": queues})

    def create_queue(self, request: HttpRequest, data: Mapping[str, Any], application: str) -> APIResponse:
        queue = services.create_queue(caller(request), application, data)
        return APIResponse(queue_fields(queue), status=HTTPStatus.CREATED)


class QueueResource(_SeedResource):
    """``/v1/{application}/{queue_name}``: the queue and its messages by time."""

    name = "queue"
    list_path = "v1/{application}/{queue_name}"
    allowed_methods = ("GET", "POST", "PUT", "DELETE")
    item_handlers = {"GET": "get_messages", "POST": "post_messages", "PUT": "update_queue", "DELETE": "delete_queue"}
    # JSON is a batch of messages; anything else is one raw message (POST)
    # or the form-encoded queue settings (PUT).
    parsers = (JSONParser(), RawParser())

    def get_messages(self, request: HttpRequest, data: Mapping[str, Any], application: str, queue_name: str) -> APIResponse:
        messages = services.read_messages(caller(request), application, queue_name, request.GET)
        return APIResponse({"messages": [message_fields(m) for m in messages]})

    def post_messages(self, request: HttpRequest, data: Mapping[str, Any], application: str, queue_name: str) -> APIResponse:
        content = raw_body(request)
        if content is not None:
            items: list[Mapping[str, Any]] = [
                {
                    "body": content,
                    "ttl": request.headers.get("X-TTL"),
                    "partition": request.headers.get("X-Partition"),
                    "content_type": request.META.get("CONTENT_TYPE", ""),
                }
            ]
            batch = False
        else:
            messages = data.get("messages")
            if not isinstance(messages, list):
                raise FieldError({"InvalidParameter": ['The JSON body must be {"messages": [...]}']})
            items = [_text_message(item) for item in messages]
            batch = True
        posted = services.post_messages(caller(request), application, queue_name, items, batch=batch)
        payload = [{"key": p.message_id, "timestamp": to_decimal(p.timestamp), "partition": p.partition} for p in posted]
        return APIResponse({"messages": payload}, status=HTTPStatus.CREATED)

    def update_queue(self, request: HttpRequest, data: Mapping[str, Any], application: str, queue_name: str) -> APIResponse:
        queue = services.update_queue(caller(request), application, queue_name, form_fields(request, data))
        return APIResponse(queue_fields(queue))

    def delete_queue(self, request: HttpRequest, data: Mapping[str, Any], application: str, queue_name: str) -> APIResponse:
        services.delete_queue(caller(request), application, queue_name)
        return APIResponse({})


def _text_message(item: Any) -> Any:
    # A batch item's body is JSON text; record it as such.
    if isinstance(item, dict) and "content_type" not in item:
        return {**item, "content_type": "text/plain; charset=utf-8"}
    return item


class MessagesByIdResource(_SeedResource):
    """``/v1/{application}/{queue_name}/{message_ids}``: messages by ``[partition:]id``."""

    name = "messages_by_id"
    list_path = "v1/{application}/{queue_name}/{message_ids}"
    allowed_methods = ("GET", "PUT", "DELETE")
    item_handlers = {"GET": "get_messages", "PUT": "put_messages", "DELETE": "delete_messages"}
    parsers = (RawParser(),)

    def get_messages(
        self, request: HttpRequest, data: Mapping[str, Any], application: str, queue_name: str, message_ids: str
    ) -> APIResponse:
        messages = services.get_messages_by_keys(caller(request), application, queue_name, message_ids)
        return APIResponse({"messages": [message_fields(m) for m in messages]})

    def put_messages(
        self, request: HttpRequest, data: Mapping[str, Any], application: str, queue_name: str, message_ids: str
    ) -> APIResponse:
        services.put_messages(
            caller(request),
            application,
            queue_name,
            message_ids,
            body=raw_body(request) or b"",
            ttl=request.headers.get("X-TTL"),
            content_type=request.META.get("CONTENT_TYPE", ""),
        )
        return APIResponse({})

    def delete_messages(
        self, request: HttpRequest, data: Mapping[str, Any], application: str, queue_name: str, message_ids: str
    ) -> APIResponse:
        services.delete_messages(caller(request), application, queue_name, message_ids)
        return APIResponse({})
