"""The native surface: the seed's paths, media types and headers on webapi_kit resources.

Every answer is plain JSON; errors are ``{"error": "<reason>"}``
(:class:`DataRouterEnvelope`). Publishing streams each body straight to
storage (:class:`PublishResource`, through webapi_kit's ``StreamParser``),
so a file of any size up to ``DATAROUTER_MAX_FILE_SIZE`` never sits whole
in memory.
"""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from django.http import HttpRequest, HttpResponse

from webapi_kit.api import API
from webapi_kit.envelopes import Envelope
from webapi_kit.errors import FieldError, WebAPIError
from webapi_kit.formats import Format
from webapi_kit.errors import MalformedRequest
from webapi_kit.openapi.declare import Answer, Parameter, RequestBody, describe
from webapi_kit.openapi.envelopes import EnvelopeShape
from webapi_kit.openapi.schemas import Schema
from webapi_kit.parsers import BodyStream, JSONParser, ParsedBody, StreamParser
from webapi_kit.renderers import JSONRenderer
from webapi_kit.resource import WebAPIResource, request_context
from webapi_kit.responses import APIResponse

from . import conf, logs, media, publishing, services, storage
from .representations import feed_representation, subscription_representation, subscription_url
from .validation import clean_feed, clean_subscription
from .wire_schemas import FEED_INPUT, SUBSCRIPTION_INPUT

__all__ = ["DataRouterEnvelope", "PublishResource", "api", "error_body"]


def error_body(error: WebAPIError) -> dict[str, str]:
    """``{"error": reason}``; a field error's reason names every bad field."""
    if isinstance(error, FieldError):
        reasons = "; ".join(f"{name}: {', '.join(messages)}" for name, messages in error.fields.items())
        return {"error": reasons}
    return {"error": error.msg}


class DataRouterShape(EnvelopeShape):
    """:class:`DataRouterEnvelope` in the OpenAPI document."""

    def error(self) -> Schema:
        return {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}}


class DataRouterEnvelope(Envelope):
    """Success bodies as they are; failures as ``{"error": "<reason>"}``."""

    def error(self, error: WebAPIError) -> Any:
        return error_body(error)

    def openapi_shape(self) -> EnvelopeShape:
        return DataRouterShape()


# The wire shapes, for the OpenAPI document.
_STRING: Schema = {"type": "string"}
FEED_SCHEMA: Schema = {
    "type": "object",
    "required": ["name", "version", "authorization", "suspend", "groupid", "publisher", "deleted", "links"],
    "properties": {
        "name": _STRING, "version": _STRING, "description": _STRING, "business_description": _STRING,
        "authorization": {"type": "object", "properties": {
            "classification": _STRING,
            "endpoint_ids": {"type": "array", "items": {"type": "object", "properties": {"id": _STRING}}},
            "endpoint_addrs": {"type": "array", "items": _STRING},
        }},
        "suspend": {"type": "boolean"}, "groupid": {"type": "integer"}, "publisher": _STRING,
        "deleted": {"type": "boolean"},
        "links": {"type": "object", "additionalProperties": _STRING},
    },
}
SUBSCRIPTION_SCHEMA: Schema = {
    "type": "object",
    "required": ["delivery", "metadataOnly", "suspend", "groupid", "subscriber", "links"],
    "properties": {
        "delivery": {"type": "object", "properties": {"url": _STRING, "user": _STRING, "use100": {"type": "boolean"}}},
        "metadataOnly": {"type": "boolean"}, "follow_redirect": {"type": "boolean"}, "suspend": {"type": "boolean"},
        "groupid": {"type": "integer"}, "subscriber": _STRING,
        "links": {"type": "object", "additionalProperties": _STRING},
    },
}
LOG_SCHEMA: Schema = {"type": "array", "items": {"type": "object", "required": ["type", "date"], "properties": {
    "type": {"enum": ["pub", "del", "exp"]}, "date": _STRING, "publishId": _STRING,
}}}
_ON_BEHALF_OF = Parameter("X-ATT-DR-ON-BEHALF-OF", "header", {"type": "string", "minLength": 1, "maxLength": 8},
                          "The user the request acts for.", required=True)
_LOCATION = {"Location": ({"type": "string"}, True)}


def _body(kind: str) -> RequestBody:
    schema = FEED_INPUT if kind == "feed" else SUBSCRIPTION_INPUT
    return RequestBody(schema, media.request_types(kind), description=f"The {kind}, as JSON.")


class TypedJSONRenderer(JSONRenderer):
    """JSON labelled with one of the seed's media types."""

    def __init__(self, media_type: str) -> None:
        self.media_type = media_type  # type: ignore[misc]


class DataRouterParser(JSONParser):
    """A JSON object in one of the seed's (or DMAAP's) body types, version 1.0 or 2.0."""

    def __init__(self, kind: str) -> None:
        super().__init__(require_object=True)
        self.media_types = media.request_types(kind)

    def matches(self, media_type: str) -> bool:
        return media_type in self.media_types

    def parse(self, request: HttpRequest, stream: BodyStream, media_type: str, params: Mapping[str, str]) -> ParsedBody:
        media.check_version(dict(params))
        return super().parse(request, stream, media_type, params)


class NativeResource(WebAPIResource):
    """Shared by the native resources: plain JSON errors whatever the answer's type."""

    renderers = (JSONRenderer(),)
    #: error_response below labels every error plain JSON.
    openapi_error_content_types = ("application/json",)

    def error_response(self, request: HttpRequest, error: WebAPIError, fmt: Format) -> HttpResponse:
        response = super().error_response(request, error, fmt)
        response["Content-Type"] = "application/json"
        return response


class FeedResource(NativeResource):
    """``POST /`` creates; ``GET|PUT|DELETE /feed/{feed_id}``."""

    name = "feed"
    uri_object_key = "feed_id"
    list_path = ""
    item_path = "feed/{feed_id}"
    allowed_methods = ("GET", "POST", "PUT", "DELETE")
    list_handlers = {"POST": "create"}
    renderers = (TypedJSONRenderer(media.FEED), JSONRenderer())
    parsers = (DataRouterParser("feed"),)

    @describe(summary="Create a feed", parameters=[_ON_BEHALF_OF], request_body=_body("feed"),
              responses=[Answer(201, FEED_SCHEMA, "The new feed.", [media.FEED], _LOCATION)])
    def create(self, request: HttpRequest, data: Mapping[str, Any], **kwargs: str) -> APIResponse:
        media.require_content_type(request, "feed")
        user = media.on_behalf_of(request)
        feed = services.create_feed(user, clean_feed(data, creating=True))
        body = feed_representation(feed, request_context(request).base_url)
        return APIResponse(body, status=HTTPStatus.CREATED, headers={"Location": body["links"]["self"]},
                           content_type=media.FEED)

    @describe(summary="Show a feed", parameters=[_ON_BEHALF_OF],
              responses=[Answer(200, FEED_SCHEMA, "The feed.", [media.FEED])])
    def get(self, request: HttpRequest, data: Mapping[str, Any], **kwargs: str) -> APIResponse:
        feed = services.visible_feed(kwargs["feed_id"], media.on_behalf_of(request))
        return APIResponse(feed_representation(feed, request_context(request).base_url), content_type=media.FEED)

    @describe(summary="Change a feed", parameters=[_ON_BEHALF_OF], request_body=_body("feed"),
              responses=[Answer(200, FEED_SCHEMA, "The feed.", [media.FEED])])
    def update(self, request: HttpRequest, data: Mapping[str, Any], **kwargs: str) -> APIResponse:
        media.require_content_type(request, "feed")
        user = media.on_behalf_of(request)
        feed = services.update_feed(kwargs["feed_id"], user, clean_feed(data, creating=False))
        return APIResponse(feed_representation(feed, request_context(request).base_url), content_type=media.FEED)

    @describe(summary="Delete a feed", parameters=[_ON_BEHALF_OF])
    def delete(self, request: HttpRequest, data: Mapping[str, Any], **kwargs: str) -> None:
        services.delete_feed(kwargs["feed_id"], media.on_behalf_of(request))


class SubscriptionResource(NativeResource):
    """``GET|POST /subscribe/{feed_id}``; ``GET|PUT|DELETE /subs/{sub_id}``."""

    name = "subscription"
    uri_object_key = "sub_id"
    list_path = "subscribe/{feed_id}"
    item_path = "subs/{sub_id}"
    uri_regexes = {"feed_id": r"[0-9]+"}
    allowed_methods = ("GET", "POST", "PUT", "DELETE")
    renderers = (TypedJSONRenderer(media.SUBSCRIPTION), JSONRenderer())
    parsers = (DataRouterParser("subscription"),)

    @describe(summary="List a feed's subscriptions", parameters=[_ON_BEHALF_OF],
              responses=[Answer(200, {"type": "array", "items": _STRING}, "Their URLs.", [media.SUBSCRIPTION_LIST])])
    def get_list(self, request: HttpRequest, data: Mapping[str, Any], **kwargs: str) -> APIResponse:  # type: ignore[override]
        reader = media.on_behalf_of(request)
        base = request_context(request).base_url
        urls = [subscription_url(sub, base) for sub in services.feed_subscriptions(kwargs["feed_id"], reader)]
        return APIResponse(urls, content_type=media.SUBSCRIPTION_LIST)

    @describe(summary="Subscribe to a feed", parameters=[_ON_BEHALF_OF], request_body=_body("subscription"),
              responses=[Answer(201, SUBSCRIPTION_SCHEMA, "The new subscription.", [media.SUBSCRIPTION], _LOCATION)])
    def create(self, request: HttpRequest, data: Mapping[str, Any], **kwargs: str) -> APIResponse:
        media.require_content_type(request, "subscription")
        user = media.on_behalf_of(request)
        sub = services.create_subscription(kwargs["feed_id"], user, clean_subscription(data, creating=True))
        body = subscription_representation(sub, request_context(request).base_url)
        return APIResponse(body, status=HTTPStatus.CREATED, headers={"Location": body["links"]["self"]},
                           content_type=media.SUBSCRIPTION)

    @describe(summary="Show a subscription", parameters=[_ON_BEHALF_OF],
              responses=[Answer(200, SUBSCRIPTION_SCHEMA, "The subscription.", [media.SUBSCRIPTION])])
    def get(self, request: HttpRequest, data: Mapping[str, Any], **kwargs: str) -> APIResponse:
        sub = services.visible_subscription(kwargs["sub_id"], media.on_behalf_of(request))
        return APIResponse(subscription_representation(sub, request_context(request).base_url),
                           content_type=media.SUBSCRIPTION)

    @describe(summary="Change a subscription", parameters=[_ON_BEHALF_OF], request_body=_body("subscription"),
              responses=[Answer(200, SUBSCRIPTION_SCHEMA, "The subscription.", [media.SUBSCRIPTION])])
    def update(self, request: HttpRequest, data: Mapping[str, Any], **kwargs: str) -> APIResponse:
        media.require_content_type(request, "subscription")
        user = media.on_behalf_of(request)
        sub = services.update_subscription(kwargs["sub_id"], user, clean_subscription(data, creating=False))
        return APIResponse(subscription_representation(sub, request_context(request).base_url),
                           content_type=media.SUBSCRIPTION)

    @describe(summary="Delete a subscription", parameters=[_ON_BEHALF_OF])
    def delete(self, request: HttpRequest, data: Mapping[str, Any], **kwargs: str) -> None:
        services.delete_subscription(kwargs["sub_id"], media.on_behalf_of(request))


class _LogResource(NativeResource):
    """A log as ``application/vnd.att-dr.log-list`` (406 when Accept rules it out)."""

    singleton = True
    renderers = (TypedJSONRenderer(media.LOG_LIST),)

    def records(self, request: HttpRequest, key: str) -> list[Any]:
        raise NotImplementedError

    @describe(
        summary="Read the log",
        parameters=[Parameter(name, "query", {"type": "string"}) for name in
                    ("type", "publishId", "statusCode", "expiryReason", "start", "end")],
        responses=[Answer(200, LOG_SCHEMA, "The records, oldest first.", [media.LOG_LIST])],
    )
    def get(self, request: HttpRequest, data: Mapping[str, Any], **kwargs: str) -> APIResponse:
        key = kwargs[self.uri_object_key]
        return APIResponse([logs.serialize_record(r) for r in self.records(request, key)], content_type=media.LOG_LIST)


class FeedLogResource(_LogResource):
    name = "feedlog"
    uri_object_key = "feed_id"
    list_path = "feedlog/{feed_id}"
    uri_regexes = {"feed_id": r"[0-9]+"}

    def records(self, request: HttpRequest, key: str) -> list[Any]:
        feed = services.get_feed(key)
        return logs.query_records(feed_id=feed.pk, params=logs.single_values(request.GET))


class SubLogResource(_LogResource):
    name = "sublog"
    uri_object_key = "sub_id"
    list_path = "sublog/{sub_id}"
    uri_regexes = {"sub_id": r"[0-9]+"}

    def records(self, request: HttpRequest, key: str) -> list[Any]:
        sub = services.get_subscription(key)
        return logs.query_records(sub_id=sub.pk, params=logs.single_values(request.GET))


class PublishResource(NativeResource):
    """``PUT|DELETE /publish/{feed_id}/{file_id}``: a file, or its deletion, into a feed.

    The publisher's credentials and address are checked before a byte of the
    body is read; the body then streams to storage as it arrives.
    """

    name = "publish"
    uri_object_key = "file_id"
    uri_object_key_regex = r"[^/]+"
    item_path = "publish/{feed_id}/{file_id}"
    allowed_methods = ("PUT", "DELETE")
    item_handlers = {"PUT": "publish", "DELETE": "publish"}
    parsers = (StreamParser(),)

    def get_max_body_size(self, request: HttpRequest) -> int:
        return int(conf.number("DATAROUTER_MAX_FILE_SIZE"))

    @describe(
        summary="Publish a file (PUT) or its deletion (DELETE)",
        parameters=[Parameter("X-ATT-DR-META", "header", {"type": "string"}, "Metadata: a flat JSON object.")],
        request_body=RequestBody({"type": "string", "contentMediaType": "application/octet-stream"},
                                 ("application/octet-stream",), required=False, description="The file (PUT)."),
        responses=[Answer(204, None, "Published.", headers={"X-ATT-DR-PUBLISH-ID": ({"type": "string"}, True)})],
    )
    def publish(self, request: HttpRequest, data: Mapping[str, Any], feed_id: str, file_id: str) -> APIResponse:
        method = (request.method or "").upper()
        feed = publishing.feed_for_publish(feed_id)
        source_ip = request.META.get("REMOTE_ADDR", "")
        endpoint_id = publishing.authorize(feed, request.META.get("HTTP_AUTHORIZATION"), source_ip)
        publish = publishing.Publish(
            feed=feed,
            file_id=file_id,
            method=method,
            endpoint_id=endpoint_id,
            source_ip=source_ip,
            content_type=publishing.content_type(request.META.get("CONTENT_TYPE", "")) if method == "PUT" else "",
            meta=publishing.check_meta(media.header(request, "META")),
            request_uri=request.build_absolute_uri(),
        )
        storage_name, length = "", 0
        if method == "PUT":
            if "CONTENT_LENGTH" not in request.META and "HTTP_TRANSFER_ENCODING" not in request.META:
                raise MalformedRequest("A publish must say its length (Content-Length) or be chunked")
            stream = request_context(request).body.stream
            storage_name, length = storage.save_stream(stream)
        try:
            publication = publishing.record(publish, storage_name, length)
        except BaseException:
            storage.delete(storage_name)
            raise
        return APIResponse(None, status=HTTPStatus.NO_CONTENT, headers={"X-ATT-DR-PUBLISH-ID": str(publication.publish_id)})


api = API(
    [FeedResource(), SubscriptionResource(), FeedLogResource(), SubLogResource(), PublishResource()],
    envelope=DataRouterEnvelope(),
    authentication_classes=(),
    permission_classes=(),
    throttle_classes=(),
    root=False,
    # The seed's wire format: JSON and XML only, no browsable pages.
    browsable=False,
)
