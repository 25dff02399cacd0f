"""What a resource declares, and what assembling an API derives from it.

:class:`ResourceDeclarations` is the common base of
:class:`~webapi_kit.resource.WebAPIResource` and of the mixins it is made
of (:mod:`~webapi_kit.serialization`, :mod:`~webapi_kit.modelhandlers`,
:mod:`~webapi_kit.responses`, :mod:`~webapi_kit.error_handling`), so
that each part sees every attribute with its type. Declare these on a
:class:`~webapi_kit.resource.WebAPIResource` subclass; its docstring says
what each one means.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from django.db.models import Model, QuerySet
from django.http import HttpRequest

from webapi_kit.envelopes import Envelope
from webapi_kit.formats import FormatTable
from webapi_kit.links import UriTemplate
from webapi_kit.parsers import Parser
from webapi_kit.relations import Related
from webapi_kit.renderers import Renderer
from webapi_kit.rows import ItemShape

if TYPE_CHECKING:
    from webapi_kit.api import API
    from webapi_kit.context import RequestContext
    from webapi_kit.resource import Kind, WebAPIResource

__all__ = ["ResourceDeclarations"]


class ResourceDeclarations:
    """The declarative attributes of a resource and their defaults."""

    name: ClassVar[str] = ""
    # Defaults filled in per instance by __init__, hence not ClassVars.
    name_plural: str = ""
    uri_name: str = ""
    uri_object_key: str = ""
    uri_object_key_regex: ClassVar[str] = r"[0-9]+"
    model_object_key: ClassVar[str] = "pk"
    singleton: ClassVar[bool] = False
    model: ClassVar[type[Model] | None] = None
    model_parent_key: ClassVar[str | None] = None
    fields: ClassVar[Mapping[str, Any]] = {}
    allowed_methods: ClassVar[Sequence[str]] = ("GET",)
    item_child_resources: Sequence[WebAPIResource] = ()
    list_child_resources: Sequence[WebAPIResource] = ()
    last_modified_field: ClassVar[str | None] = None
    #: Largest request body accepted (``None``: the ``MAX_BODY_SIZE`` setting).
    max_body_size: ClassVar[int | None] = None
    mimetype_vendor: ClassVar[str | None] = None
    #: The media type names of items, lists and errors (vendor types are
    #: ``application/vnd.<vendor>.<name>+json``).
    item_mimetype_name: ClassVar[str | None] = None
    list_mimetype_name: ClassVar[str | None] = None

    envelope: Envelope | None = None
    renderers: Sequence[Renderer] | None = None
    parsers: Sequence[Parser] | None = None
    authentication_classes: Sequence[Any] | None = None
    permission_classes: Sequence[Any] | None = None
    throttle_classes: Sequence[Any] | None = None

    #: Which handler answers which method at each kind of URL.
    item_handlers: ClassVar[Mapping[str, str]] = {"GET": "get", "PUT": "update", "DELETE": "delete"}
    list_handlers: ClassVar[Mapping[str, str]] = {"GET": "get_list", "POST": "create"}

    #: Explicit URL templates relative to the API root, for APIs whose paths
    #: do not follow the nesting (``"feed/{feed_id}"``); ``None`` derives them.
    list_path: ClassVar[str | None] = None
    item_path: ClassVar[str | None] = None
    #: Regexes for URL variables other than ``uri_object_key``.
    uri_regexes: ClassVar[Mapping[str, str]] = {}

    # Set when the API is assembled.
    api: API
    parent: WebAPIResource | None


    # Derived once, when the API is assembled (see WebAPIResource._assemble).
    formats: dict[str, FormatTable]
    list_template: UriTemplate
    item_template: UriTemplate
    _item_is_list_plus_key: bool
    _hrefs_from_keys: bool
    _href_is_list_url_plus_key: bool
    _parent_lookup: list[tuple[str, str]]
    _handlers: dict[Kind, dict[str, Callable[..., Any]]]
    #: Each kind's ``Allow`` header ("" where nothing is allowed).
    _allow: dict[Kind, str]
    #: The ``WWW-Authenticate`` challenges of the resource's authenticators, Basic first.
    _challenges: tuple[str, ...]
    _related: dict[str, Related]
    _field_getters: tuple[tuple[str, Callable[[Any, RequestContext], Any] | None], ...]
    _item_link_methods: tuple[tuple[str, str], ...]
    _child_links: tuple[tuple[str, str], ...]
    _read_key: Callable[[Any], Any]
    _item_shape: ItemShape | None
    _page_shape: ItemShape | None
    _page_columns: tuple[str, ...] | None

    # Implemented by the parts of WebAPIResource; declared here so that each
    # part can call the others.
    def get_queryset(self, request: HttpRequest, is_list: bool = False, **kwargs: str) -> QuerySet[Any]:
        raise NotImplementedError

    def check_object_permissions(self, request: HttpRequest, method: str, obj: Any) -> None:
        raise NotImplementedError
