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
from webapi_kit.openapi.declare import Answer, Parameter, RequestBody, describe
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


# The wire shapes, for the OpenAPI document.
_STRINGS = {"type": "array", "items": {"type": "string"}}
QUEUE_SCHEMA = {
    "type": "object",
    "required": ["queue_name", "partitions", "type", "consistency"],
    "properties": {
        "queue_name": {"type": "string"},
        "partitions": {"type": "integer"},
        "type": {"enum": ["user", "public"]},
        "consistency": {"enum": ["weak", "strong", "very_strong"]},
        "principles": _STRINGS,
    },
}
LISTED_QUEUE_SCHEMA = {
    "type": "object",
    "required": ["queue_name"],
    "properties": {
        **QUEUE_SCHEMA["properties"],  # type: ignore[dict-item]
        "created": {"type": "integer", "description": "Seconds since the epoch."},
        "count": {"type": "integer", "description": "Live messages (with include_count)."},
    },
}
MESSAGE_SCHEMA = {
    "type": "object",
    "required": ["message_id", "timestamp", "body", "partition"],
    "properties": {
        "message_id": {"type": "string"},
        "timestamp": {"type": "number", "description": "Seconds since the epoch, to 100 ns."},
        "body": {"type": "string"},
        "partition": {"type": "integer"},
    },
}
QUEUE_FORM = {
    "type": "object",
    "properties": {
        "queue_name": {"type": "string"},
        "partitions": {"type": "integer", "minimum": 1, "maximum": 200},
        "type": {"enum": ["user", "public"]},
        "consistency": {"enum": ["weak", "strong", "very_strong"]},
        "principles": {"type": "string", "description": "Comma-separated app:<name> / bid:<email> principals."},
    },
}
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")
_MESSAGES = {"type": "object", "required": ["messages"], "properties": {"messages": {"type": "array", "items": MESSAGE_SCHEMA}}}
_EMPTY = {"type": "object"}


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

    @describe(
        summary="List the application's queues",
        parameters=[
            Parameter("details", "query", {"type": "string"}, "true: every setting of each queue."),
            Parameter("include_count", "query", {"type": "string"}, "true: count each queue's live messages."),
            Parameter("limit", "query", {"type": "integer", "minimum": 1}),
            Parameter("offset", "query", {"type": "integer", "minimum": 0}),
        ],
        responses=[Answer(200, {"type": "object", "required": ["queues"],
                                "properties": {"queues": {"type": "array", "items": LISTED_QUEUE_SCHEMA}}}, "The queues.")],
    )
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

    @describe(summary="Create a queue", request_body=RequestBody(QUEUE_FORM, (*_FORMS, "application/json"), required=False),
              responses=[Answer(201, QUEUE_SCHEMA, "The new queue.")])
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

    @describe(
        summary="Read messages by time",
        parameters=[
            Parameter("since", "query", {"type": "string"}, "A timestamp or message id to read from."),
            Parameter("limit", "query", {"type": "integer", "minimum": 1}),
            Parameter("order", "query", {"enum": ["ascending", "descending"]}),
            Parameter("partitions", "query", {"type": "string"}, "Comma-separated partition numbers."),
        ],
        responses=[Answer(200, _MESSAGES, "The messages.")],
    )
    def get_messages(self, request: HttpRequest, data: Mapping[str, Any], application: str, queue_name: str) -> APIResponse:
        messages = services.read_messages(caller(request), application, queue_name, request.GET)
        return APIResponse({"messages": [message_fields(m) for m in messages]})

    @describe(
        summary="Post messages",
        request_body=RequestBody(
            {"oneOf": [
                {"type": "object", "required": ["messages"], "properties": {"messages": {"type": "array", "items": {
                    "type": "object", "required": ["body"],
                    "properties": {"body": {"type": "string"}, "ttl": {"type": "integer"}, "partition": {"type": "integer"}},
                }}}},
                {"type": "string"},
            ]},
            ("application/json", "text/plain"),
            description="A JSON batch, or one message's raw body of any other type (X-TTL, X-Partition headers).",
        ),
        responses=[Answer(201, {"type": "object", "required": ["messages"], "properties": {"messages": {
            "type": "array", "items": {"type": "object", "required": ["key", "timestamp", "partition"], "properties": {
                "key": {"type": "string"}, "timestamp": {"type": "number"}, "partition": {"type": "integer"},
            }},
        }}}, "The posted messages' keys.")],
    )
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

    @describe(summary="Update the queue", request_body=RequestBody(QUEUE_FORM, ("application/x-www-form-urlencoded",), required=False),
              responses=[Answer(200, QUEUE_SCHEMA, "The queue.")])
    def update_queue(self, request: HttpRequest, data: Mapping[str, Any], application: str, queue_name: str) -> APIResponse:
        queue = services.update_queue(caller(request), application, queue_name, form_fields(request, data))
        return APIResponse(queue_fields(queue))

    @describe(summary="Delete the queue", responses=[Answer(200, _EMPTY, "Deleted.")])
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

    @describe(summary="Read messages by id", responses=[Answer(200, _MESSAGES, "The messages found.")])
    def get_messages(
        self, request: HttpRequest, data: Mapping[str, Any], application: str, queue_name: str, message_ids: str
    ) -> APIResponse:
        messages = services.get_messages_by_keys(caller(request), application, queue_name, message_ids)
        return APIResponse({"messages": [message_fields(m) for m in messages]})

    @describe(summary="Overwrite messages", request_body=RequestBody({"type": "string"}, ("text/plain",), required=False),
              responses=[Answer(200, _EMPTY, "Written.")])
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

    @describe(summary="Delete messages by id", responses=[Answer(200, _EMPTY, "Deleted.")])
    def delete_messages(
        self, request: HttpRequest, data: Mapping[str, Any], application: str, queue_name: str, message_ids: str
    ) -> APIResponse:
        services.delete_messages(caller(request), application, queue_name, message_ids)
        return APIResponse({})
