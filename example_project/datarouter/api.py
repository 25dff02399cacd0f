"""The datarouter service's resources in the /api/ tree (webapi_kit's default dialect).

``/api/datarouter/feeds/`` lists the live feeds and creates them (JSON
bodies as on the native surface); each feed links to its
``subscriptions/``, ``files/`` (the publications; ``POST`` a multipart
upload to publish) and ``logs/``. Every read and every provisioning
change acts for the user named by ``X-ATT-DR-ON-BEHALF-OF``, or for the
logged-in site user of the same name (:mod:`config.identity`,
:func:`datarouter.services.user_for_login`): without either the answer is
401 with ``WWW-Authenticate: Basic`` and ``X-ATT-DR-ON-BEHALF-OF`` (what may
be seen is :mod:`datarouter.services`' one visibility rule). A publish
authenticates with HTTP Basic against the feed's endpoint ids instead.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from django.core.files.storage import default_storage
from django.db.models import QuerySet
from django.http import HttpRequest

from config.forms import json_form_fields, typed_form_fields
from config.identity import USER_AUTHENTICATION, site_user
from webapi_kit.authentication import BasicAuthentication
from webapi_kit.browsable import form_fields
from webapi_kit.errors import FieldError, MalformedRequest, NotLoggedIn, PermissionDenied
from webapi_kit.fields import Bool, Choice, DateTime, Dict, Field, File, Int, List, String, request_fields
from webapi_kit.openapi.declare import Parameter, RequestBody, describe
from webapi_kit.resource import RequestContext, WebAPIResource, request_context
from worker.api import BacklogResource

from . import logs, media, publishing, services
from .models import Feed, LogRecord, Publication, Subscription
from .validation import clean_feed, clean_subscription
from .wire_schemas import FEED_CHANGES, FEED_INPUT, SUBSCRIPTION_INPUT

__all__ = ["resources"]


#: The challenge of a 401: the header that names who is asking.
CHALLENGE = "X-ATT-DR-ON-BEHALF-OF"


#: The header every resource here reads, for the OpenAPI document.
ON_BEHALF_OF = Parameter(CHALLENGE, "header", {"type": "string", "minLength": 1, "maxLength": 8},
                         "The user the request acts for (without it: 401).")


def reader(request: HttpRequest) -> str:
    """The user the caller acts for: the logged-in one's name, else the header's; 401 without either."""
    value = media.header(request, "ON-BEHALF-OF")
    user = site_user(request)
    if user is not None:
        name = services.user_for_login(user.get_username())
        if value is not None and value.strip() and value.strip() != name:
            raise PermissionDenied(f"You are logged in as {name!r}; X-ATT-DR-ON-BEHALF-OF may not name another")
        return name
    if value is None or not value.strip():
        raise NotLoggedIn("Name the user you act for in X-ATT-DR-ON-BEHALF-OF", www_authenticate=CHALLENGE)
    return media.on_behalf_of(request)


#: A feed's top-level members that a form sends as text but the service takes as JSON types.
_TYPED = {"suspend": Bool(), "group_id": Int()}


def _form(request: HttpRequest, data: Mapping[str, Any]) -> dict[str, Any]:
    """A feed's or subscription's fields; in a form, ``authorization`` and ``delivery`` are
    JSON text, ``suspend`` and ``group_id`` the text of a boolean and an integer."""
    ctx = request_context(request)
    return typed_form_fields(ctx, json_form_fields(ctx, data, ("authorization", "delivery")), _TYPED)


def _feed_form(*, creating: bool) -> dict[str, Field]:
    """The fields of a page's feed form (the service checks them: :func:`~datarouter.validation.clean_feed`)."""
    fields: dict[str, Field] = {
        "name": String("At most 20 characters.", max_length=20),
        "version": String("At most 20 characters.", max_length=20),
        "description": String("At most 256 characters.", max_length=256),
        "business_description": String("At most 256 characters.", max_length=256),
        "authorization": Dict(
            '{"classification": ..., "endpoint_ids": [{"id": ..., "password": ...}], "endpoint_addrs": [...]}'
            + ("" if creating else "; leave empty to keep the current one")
        ),
        "group_id": Int("Group id."),
    }
    if creating:
        fields["suspend"] = Bool("Refuse publishing from the start.")
    else:
        # A choice, not a checkbox: an unticked box could not tell "leave as
        # it is" (the empty choice) from "resume" (false).
        fields["suspend"] = Choice("Refuse publishing (true) or resume it (false); empty leaves it as it is.",
                                   choices=("true", "false"))
    return fields


#: What a feed's create form must have, as clean_feed says (the rest of ``_feed_form``'s fields are optional).
_FEED_REQUIRED = ("name", "version", "description", "business_description", "authorization")


class _DatarouterResource(WebAPIResource):
    authentication_classes = USER_AUTHENTICATION


class SubscriptionResource(_DatarouterResource):
    name = "datarouter_subscription"
    uri_name = "subscriptions"
    uri_object_key = "subscription_id"
    model = Subscription
    openapi_parameters = (ON_BEHALF_OF,)
    model_parent_key = "feed"
    allowed_methods = ("GET", "POST", "PUT", "DELETE")
    fields = {
        "id": Int("The subscription's id."),
        "delivery_url": String("Files go to this URL plus /{fileId}."),
        "delivery_user": String("User name presented to the subscriber (the password is never shown)."),
        "use100": Bool("Whether deliveries send Expect: 100-continue."),
        "metadata_only": Bool("Whether deliveries carry only the metadata."),
        "follow_redirect": Bool("Whether redirects to .../{fileId} are followed."),
        "suspended": Bool("Whether deliveries are held."),
        "group_id": Int("Group id."),
        "subscriber": String("The user who subscribed."),
    }

    def get_queryset(self, request: HttpRequest, is_list: bool = False, **kwargs: str) -> QuerySet[Any]:
        return services.visible_subscriptions(reader(request)).filter(feed_id=kwargs["feed_id"]).order_by("pk")

    @describe(request_body=RequestBody(SUBSCRIPTION_INPUT))
    def create(self, request: HttpRequest, data: Mapping[str, Any], **kwargs: str) -> Subscription:
        user = reader(request)
        return services.create_subscription(kwargs["feed_id"], user, clean_subscription(_form(request, data), creating=True))

    @describe(request_body=RequestBody(SUBSCRIPTION_INPUT))
    def update(self, request: HttpRequest, data: Mapping[str, Any], **kwargs: str) -> Subscription:
        sub = self.get_object(request, **kwargs)
        return services.update_subscription(sub.pk, reader(request), clean_subscription(_form(request, data), creating=False))

    def delete(self, request: HttpRequest, data: Mapping[str, Any], **kwargs: str) -> None:
        sub = self.get_object(request, **kwargs)
        services.delete_subscription(sub.pk, reader(request))


class FileResource(_DatarouterResource):
    """The feed's publications; ``POST`` a multipart ``file`` (and ``file_id``, ``meta``) to publish."""

    name = "datarouter_file"
    uri_name = "files"
    uri_object_key = "publish_id"
    model = Publication
    openapi_parameters = (ON_BEHALF_OF,)
    model_parent_key = "feed"
    allowed_methods = ("GET", "POST")
    # Here HTTP Basic carries the feed's endpoint credentials, as a native
    # publish does (checked by publishing.authorize); users come by session or token.
    authentication_classes = tuple(cls for cls in USER_AUTHENTICATION if cls is not BasicAuthentication)
    fields = {
        "id": Int("The publish id."),
        "file_id": String("The file's name."),
        "method": String("PUT for a file, DELETE for a deletion."),
        "content_type": String("The publisher's Content-Type."),
        "content_length": Int("Size in bytes."),
        "meta": String("The X-ATT-DR-META metadata."),
        "endpoint_id": String("The endpoint id that published."),
        "source_ip": String("Where the publish came from."),
        "created_at": DateTime("When it was published."),
    }

    def authenticate(self, request: HttpRequest) -> None:
        # Publishers authenticate with the feed's endpoint ids (HTTP Basic,
        # checked by create), not as site users; readers are site users.
        if request.method == "POST":
            request.auth = None  # type: ignore[attr-defined]
            return
        super().authenticate(request)

    def get_queryset(self, request: HttpRequest, is_list: bool = False, **kwargs: str) -> QuerySet[Any]:
        return services.visible_publications(reader(request)).filter(feed_id=kwargs["feed_id"]).order_by("pk")

    @request_fields(
        required={"file_id": String("The file's name.", blank=False), "file": File("The file's content.")},
        optional={"meta": String("Metadata: a flat JSON object.")},
    )
    def create(self, request: HttpRequest, data: Mapping[str, Any], **kwargs: str) -> Publication:
        file_id: str = data["file_id"]
        if "/" in file_id:
            raise FieldError({"file_id": ["May not contain /"]})
        meta = (data.get("meta") or "").strip(" \t")
        problem = publishing.meta_problem(meta) if meta else None
        if problem is not None:
            raise FieldError({"meta": [problem]})
        upload = data["file"]
        try:
            content_type = publishing.content_type(upload.content_type or "application/octet-stream")
        except MalformedRequest as exc:
            raise FieldError({"file": [exc.msg]}) from None
        feed = publishing.feed_for_publish(kwargs["feed_id"])
        source_ip = request.META.get("REMOTE_ADDR", "")
        endpoint_id = publishing.authorize(feed, request.META.get("HTTP_AUTHORIZATION"), source_ip)
        publish = publishing.Publish(
            feed=feed, file_id=file_id, method="PUT", endpoint_id=endpoint_id, source_ip=source_ip,
            content_type=content_type,
            meta=meta, request_uri=request.build_absolute_uri(),
        )
        # The upload is already a temporary file for large bodies; storage copies it in chunks.
        name = default_storage.save(f"datarouter/{uuid.uuid4().hex}", upload)
        try:
            return publishing.record(publish, name, upload.size or 0)
        except BaseException:
            default_storage.delete(name)
            raise


class LogResource(_DatarouterResource):
    """The feed's log records, oldest first; ``?type=``, ``publishId``, ``statusCode``, ``expiryReason``."""

    name = "datarouter_log"
    uri_name = "logs"
    uri_object_key = "log_id"
    model = LogRecord
    openapi_parameters = (ON_BEHALF_OF,)
    fields = {
        "id": Int("The record's id."),
        "type": String("pub, del or exp."),
        "date": DateTime("When the record was made."),
        "publish_id": String("The publish id."),
        "subscription_id": Int("The subscription (del, exp)."),
        "request_uri": String("The request's URI."),
        "method": String("PUT or DELETE."),
        "content_type": String("The file's media type."),
        "content_length": Int("The bytes sent."),
        "source_ip": String("The publisher's address (pub)."),
        "endpoint_id": String("The publisher's endpoint id (pub)."),
        "delivery_id": String("The delivery user (del)."),
        "status_code": Int("The HTTP status, -1 when none was obtained."),
        "expiry_reason": String("notRetryable or retriesExhausted (exp)."),
        "attempts": Int("Attempts made (exp)."),
    }

    def get_queryset(self, request: HttpRequest, is_list: bool = False, **kwargs: str) -> QuerySet[Any]:
        feed = services.visible_feed(kwargs["feed_id"], reader(request))
        params = {k: v for k, v in request.GET.items() if k in ("type", "publishId", "statusCode", "expiryReason")}
        records = logs.filter_records(LogRecord.objects.filter(feed_id=feed.pk), params, time_window=False)
        return records.order_by("date", "pk")


class FeedResource(_DatarouterResource):
    name = "datarouter_feed"
    uri_name = "datarouter/feeds"
    uri_object_key = "feed_id"
    model = Feed
    openapi_parameters = (ON_BEHALF_OF,)
    allowed_methods = ("GET", "POST", "PUT", "DELETE")
    last_modified_field = "updated_at"
    item_child_resources = [SubscriptionResource(), FileResource(), LogResource()]
    fields = {
        "id": Int("The feed's id."),
        "name": String("Name (at most 20 characters)."),
        "version": String("Version (at most 20 characters)."),
        "description": String("Description."),
        "business_description": String("Business description."),
        "classification": String("Classification."),
        "endpoint_ids": List("Ids allowed to publish (passwords are never shown).", item=String()),
        "endpoint_addrs": List("Addresses and CIDRs allowed to publish; empty means any.", item=String()),
        "suspended": Bool("Whether publishing is refused."),
        "group_id": Int("Group id."),
        "publisher": String("The user who created the feed."),
    }

    def serialize_endpoint_ids_field(self, obj: Feed, ctx: RequestContext) -> list[str]:
        return [entry["id"] for entry in obj.endpoint_ids]

    def get_queryset(self, request: HttpRequest, is_list: bool = False, **kwargs: str) -> QuerySet[Any]:
        return services.visible_feeds(reader(request)).order_by("pk")

    @describe(request_body=RequestBody(FEED_INPUT))
    @form_fields(
        required={name: f for name, f in _feed_form(creating=True).items() if name in _FEED_REQUIRED},
        optional={name: f for name, f in _feed_form(creating=True).items() if name not in _FEED_REQUIRED},
    )
    def create(self, request: HttpRequest, data: Mapping[str, Any], **kwargs: str) -> Feed:
        return services.create_feed(reader(request), clean_feed(_form(request, data), creating=True))

    @describe(request_body=RequestBody(FEED_CHANGES))
    @form_fields(optional=_feed_form(creating=False))
    def update(self, request: HttpRequest, data: Mapping[str, Any], **kwargs: str) -> Feed:
        return services.change_feed(kwargs["feed_id"], reader(request), _form(request, data))

    def delete(self, request: HttpRequest, data: Mapping[str, Any], **kwargs: str) -> None:
        services.delete_feed(kwargs["feed_id"], reader(request))


class DatarouterStatusResource(BacklogResource):
    """The delivery backlog (staff only): deliveries due and not taken (to subscriptions not
    suspended), those a worker holds, and how late the oldest is."""

    name = "datarouter_status"
    uri_name = "datarouter/status"
    loop = "datarouter"


def resources() -> list[WebAPIResource]:
    """The top-level resources this service hangs off the project's API root."""
    return [FeedResource(), DatarouterStatusResource()]
