"""``WebAPIResource``: declare a resource, get a browsable hypermedia API.

A resource is a class with declarative attributes (``name``, ``model``,
``fields``, ``allowed_methods``, child resources...) and handler methods —
``get``, ``get_list``, ``create``, ``update``, ``delete`` — that return data
and raise :mod:`webapi_kit.errors`. Everything between HTTP and the handler
is one named pipeline in :meth:`WebAPIResource.dispatch`:

1. negotiate the format (``Accept`` / ``?api_format=``),
2. authenticate, throttle,
3. parse the body (any method) and apply ``_method``,
4. find the handler (``405`` with ``Allow`` if none), check permissions,
5. clean the declared request fields,
6. check ``If-Match`` / ``If-Unmodified-Since`` for changes,
7. call the handler, serialize, wrap in the envelope, render,
8. add ``ETag`` / ``Last-Modified`` and answer ``304`` where the client is current.

Errors at any step become an error body in the negotiated format.
Everything that depends only on the class (format tables, handler maps, link
templates, field getters) is computed once when the API is assembled.
"""

from __future__ import annotations

import logging
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Literal, cast
from urllib.parse import urlsplit

from django.core.exceptions import ObjectDoesNotExist, SuspiciousOperation
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

from webapi_kit import conditional, login_sessions
from webapi_kit.authentication import Authentication, LoginSessionAuthentication
from webapi_kit.challenges import merge_challenges
from webapi_kit.conf import api_settings
from webapi_kit.context import RequestContext, bind_request_context, name_set, query_params, request_context
from webapi_kit.errors import (
    DoesNotExist,
    MethodNotAllowed,
    NotAcceptable,
    NotLoggedIn,
    PermissionDenied,
    PreconditionFailed,
    WebAPIError,
)
from webapi_kit.error_handling import ErrorHandling, error_format, vary_on_accept
from webapi_kit.fields import FieldSpec, clean_fields, get_field_spec
from webapi_kit.formats import Format, FormatTable
from webapi_kit.links import UriTemplate
from webapi_kit.modelhandlers import ModelHandlers, page_columns
from webapi_kit.parsers import ParsedBody, method_override, parse_body
from webapi_kit.permissions import Permission, is_authenticated
from webapi_kit.relations import Related
from webapi_kit.renderers import PageRenderer
from webapi_kit.rows import ItemShape
from webapi_kit.throttling import Throttle

if TYPE_CHECKING:
    from webapi_kit.api import API

__all__ = ["Kind", "RequestContext", "WebAPIResource", "request_context"]  # RequestContext and request_context re-exported from context

logger = logging.getLogger("webapi_kit")

Kind = Literal["item", "list"]

_BODY_METHODS = frozenset({"POST", "PUT", "DELETE", "PATCH"})
#: Writes that take preconditions, and the headers that make them conditional.
_CONDITIONAL_METHODS = frozenset({"PUT", "DELETE", "PATCH"})
_PRECONDITIONS = frozenset({"HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE", "HTTP_IF_NONE_MATCH"})
_EMPTY_BODY = ParsedBody(data={}, files={})
#: Query parameters the framework itself reads on every GET.
_RESERVED_QUERY = frozenset(
    {"start", "max-results", "expand", "only-fields", "only-links", "api_format", "counts-only"}
)
#: Keys the framework reads from bodies; never reported as unknown fields.
#: (``csrfmiddlewaretoken`` is the form field of the session CSRF check.)
_RESERVED_BODY = frozenset({"_method", "api_format", "expand", "only-fields", "only-links", "csrfmiddlewaretoken"})


class WebAPIResource(ErrorHandling, ModelHandlers):
    """Base class of every resource.

    Declare, on a subclass:

    ``name`` / ``name_plural``
        The payload keys for one object and for a list (``name_plural``
        defaults to ``name + "s"``, or to ``name`` for a singleton).
    ``uri_name``
        The URL segment (defaults to ``name_plural``, ``_`` spelled ``-``).
    ``uri_object_key`` / ``uri_object_key_regex`` / ``model_object_key``
        The URL variable naming one object (default ``<name>_id``), what it
        matches (default digits), and the attribute it is read from.
    ``singleton``
        One object at the list's URL, no list.
    ``model`` / ``model_parent_key``
        The Django model, and the foreign key that points at the parent
        resource's object (children are looked up under their parent).
    ``fields``
        The payload fields in order: :mod:`webapi_kit.fields` objects (used
        for docs), or :class:`~webapi_kit.relations.Related` for links to
        other resources. A method ``serialize_<field>_field(obj, context)``
        computes a field's value.
    ``allowed_methods``
        The HTTP methods exposed (``GET`` by default); a method is answered
        at a URL only if it is allowed and a handler for it exists there.
    ``item_child_resources`` / ``list_child_resources``
        Resources nested under one object / under the list.
    ``last_modified_field``
        The model attribute sent as ``Last-Modified``.
    ``mimetype_vendor``, ``envelope``, ``renderers``, ``parsers``, ``*_classes``
        Policies (authentication, permission and throttle classes too);
        ``None`` inherits the API's (or the settings').

    Handlers, all optional: ``get(request, data, **kwargs)`` and
    ``update``/``delete`` at the item URL, ``get_list`` and ``create`` at the
    list URL. They receive the cleaned request fields as ``data`` and the URL
    variables as keyword arguments, and return a model object (an item), a
    :class:`~webapi_kit.pagination.Page` (a list), ``None`` (``204``) or an
    :class:`~webapi_kit.responses.APIResponse`.
    """

    def __init__(self) -> None:
        cls = type(self)
        if not self.name:
            raise TypeError(f"{cls.__name__} must set `name`")
        # As in djblets, a singleton's URL and list key default to its name.
        self.name_plural = self.name_plural or (self.name if self.singleton else self.name + "s")
        self.uri_name = self.uri_name or self.name_plural.replace("_", "-")
        self.uri_object_key = self.uri_object_key or f"{self.name}_id"
        self.parent = None
        self._assembled = False

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"

    # ------------------------------------------------------------------
    # Assembly: everything computed once per resource.

    def _assemble(self, api: API, parent: WebAPIResource | None, list_template: UriTemplate) -> None:
        if self._assembled:
            raise ValueError(f"{self!r} is mounted twice; create one instance per position in the tree")
        self._assembled = True
        self.api = api
        self.parent = parent
        self._assemble_policies(api)
        self._assemble_urls(list_template)
        self._assemble_handlers()
        self._assemble_serialization()
        child_parent_template = self.list_template if self.singleton else self.item_template
        for child in self.item_child_resources:
            child._assemble(api, self, child_parent_template.join(child.uri_name + "/"))
        for child in self.list_child_resources:
            child._assemble(api, self, self.list_template.join(child.uri_name + "/"))

    def _assemble_policies(self, api: API) -> None:
        """Envelope, formats, parsers and the auth/permission/throttle objects."""
        self.envelope = self.envelope or api.envelope
        vendor = self.mimetype_vendor or api.mimetype_vendor
        renderers = tuple(self.renderers or api.renderers)
        self.renderers = renderers
        self.parsers = tuple(self.parsers or api.parsers)
        authenticators: tuple[Authentication, ...] = _instances(
            self.authentication_classes, api.authentication_classes, api_settings.AUTHENTICATION_CLASSES
        )
        # Login sessions where a login can start one: its cookie is read
        # last, so credentials sent with the request win over it.
        self._login_sessions = api.login_sessions and any(a.starts_session for a in authenticators)
        if self._login_sessions and not any(isinstance(a, LoginSessionAuthentication) for a in authenticators):
            authenticators = (*authenticators, LoginSessionAuthentication())
        self._authenticators = authenticators
        self._challenges = merge_challenges([c for a in authenticators if (c := a.challenge())])
        self._permissions: tuple[Permission, ...] = _instances(
            self.permission_classes, api.permission_classes, api_settings.PERMISSION_CLASSES
        )
        self._throttles: tuple[Throttle, ...] = _instances(
            self.throttle_classes, api.throttle_classes, api_settings.THROTTLE_CLASSES
        )
        self.formats: dict[str, FormatTable] = {
            "item": FormatTable.for_names(renderers, vendor, self.item_mimetype_name or self.name),
            "list": FormatTable.for_names(renderers, vendor, self.list_mimetype_name or self.name_plural),
            "error": FormatTable.for_names(renderers, vendor, "error"),
        }

    def _assemble_urls(self, list_template: UriTemplate) -> None:
        self.list_template = UriTemplate(self.list_path) if self.list_path is not None else list_template
        key = "{%s}/" % self.uri_object_key
        if self.item_path is not None:
            self.item_template = UriTemplate(self.item_path)
        elif self.singleton:
            self.item_template = self.list_template
        else:
            self.item_template = self.list_template.join(key)
        # The common case builds an item's URL by appending its key to the list's.
        self._item_is_list_plus_key = self.item_template.template == self.list_template.template + key
        self._parent_lookup = self._compute_parent_lookup()

    def _assemble_handlers(self) -> None:
        """Which handler answers which method where, and the ``Allow`` values."""
        cls = type(self)
        self._handlers: dict[Kind, dict[str, Callable[..., Any]]] = {"item": {}, "list": {}}
        self._specs: dict[Callable[..., Any], FieldSpec | None] = {}
        allowed = {method.upper() for method in self.allowed_methods}
        # The default handlers work over ``model``; without a model (and no
        # queryset of its own) a resource answers only what it implements.
        without_model = self.model is None and all(
            getattr(cls, hook) is getattr(WebAPIResource, hook) for hook in ("get_queryset", "get_object")
        )
        kinds: tuple[tuple[Kind, Mapping[str, str]], ...] = (("item", self.item_handlers), ("list", self.list_handlers))
        for kind, mapping in kinds:
            if self.singleton and kind == "list":
                continue
            for method, attr in mapping.items():
                handler = getattr(self, attr, None)
                if without_model and getattr(cls, attr, None) is getattr(WebAPIResource, attr, None):
                    handler = None
                if method in allowed and handler is not None:
                    self._handlers[kind][method] = handler
                    self._specs[handler] = get_field_spec(handler)
        self._allow = {}
        for kind, _ in kinds:
            methods = list(self._handlers[kind])
            if "GET" in methods:
                methods.insert(methods.index("GET") + 1, "HEAD")
            self._allow[kind] = ", ".join([*methods, "OPTIONS"]) if methods else ""

    def _assemble_serialization(self) -> None:
        """Field getters and link recipes, so serializing an item does no lookups."""
        self._item_link_methods = tuple(
            (rel, method) for rel, method in (("update", "PUT"), ("delete", "DELETE")) if method in self._handlers["item"]
        )
        self._related: dict[str, Related] = {n: f for n, f in self.fields.items() if isinstance(f, Related)}
        self._field_getters: tuple[tuple[str, Callable[[Any, RequestContext], Any] | None], ...] = tuple(
            (field_name, getattr(self, f"serialize_{field_name}_field", None)) for field_name in self.fields
        )
        self._child_links = tuple(
            (child.name if child.singleton else child.name_plural, child.uri_name + "/")
            for child in self.item_child_resources
        )
        # "pk" is a property: the primary key's own attribute reads faster.
        key = self.model_object_key
        if key == "pk" and self.model is not None:
            key = self.model._meta.pk.attname
        self._read_key = operator.attrgetter(key)
        # Plain attributes only (no serialize_*_field, no Related): one
        # attrgetter reads them all; anything else takes the general path.
        self._item_shape: ItemShape | None = None
        names = tuple(self.fields)
        plain = not self._related and all(getter is None for _, getter in self._field_getters)
        links = (
            ("self", "GET", ""),
            *((rel, method, "") for rel, method in self._item_link_methods),
            *((rel, "GET", suffix) for rel, suffix in self._child_links),
        )
        if names and plain:
            getter = operator.attrgetter(*names)
            read = getter if len(names) > 1 else (lambda obj: (getter(obj),))
            try:
                self._item_shape = ItemShape(fields=names, links=links, read=read)
            except ValueError:
                # A child named like a link, or a field named "links", replaces
                # what it is named like: the general path does that, rows do not.
                pass
        # Pages as rows only while every item is what serialize_object makes.
        cls = type(self)
        own = {hook for hook in _SERIALIZATION_HOOKS if getattr(cls, hook) is not getattr(WebAPIResource, hook)}
        self._page_shape = None if "serialize_object" in own else self._item_shape
        # Items' URLs from their keys, unless the resource says otherwise;
        # at the top of an API the list's URL is fixed and one item's is
        # its key away.
        self._hrefs_from_keys = self._item_is_list_plus_key and not own & {"get_href", "get_url_kwargs"}
        self._href_is_list_url_plus_key = self._hrefs_from_keys and not self.list_template.variables
        # Pages read as rows of their columns only where no code of the
        # resource's own sees the page: see _call_handler.
        self._page_columns = None
        if (
            not own
            and self._item_shape is not None
            and self._item_is_list_plus_key
            and self.model is not None
            and self.list_handlers.get("GET") == "get_list"
        ):
            self._page_columns = page_columns(self.model, (key, *names))

    def _resolve(self, registry: dict[str, WebAPIResource]) -> None:
        for related in self._related.values():
            related.resolve(registry)

    @property
    def children(self) -> tuple[WebAPIResource, ...]:
        return (*self.item_child_resources, *self.list_child_resources)

    @property
    def has_list(self) -> bool:
        """Whether the list URL answers anything (a handler, or children under it)."""
        return bool(self._handlers["list"]) or bool(self.list_child_resources)

    def allowed_at(self, kind: Kind) -> str:
        """The ``Allow`` header value for one kind of URL."""
        return self._allow[kind]

    def handles(self, kind: Kind, method: str) -> bool:
        """Whether a handler answers ``method`` at this kind of URL."""
        return method.upper() in self._handlers[kind]

    def request_field_spec(self, kind: Kind, method: str) -> FieldSpec | None:
        """The fields the handler of ``method`` declared (``None``: none, or no handler)."""
        handler = self._handlers[kind].get(method.upper())
        return None if handler is None else self._specs[handler]

    # ------------------------------------------------------------------
    # Views.

    def item_view(self, request: HttpRequest, **kwargs: str) -> HttpResponse:
        return self.dispatch(request, "item", kwargs)

    def list_view(self, request: HttpRequest, **kwargs: str) -> HttpResponse:
        return self.dispatch(request, "list", kwargs)

    def dispatch(self, request: HttpRequest, kind: Kind, kwargs: dict[str, str]) -> HttpResponse:
        """Answer one request; the pipeline described in the module docstring."""
        table = self.formats[kind]
        accept = request.META.get("HTTP_ACCEPT")
        try:
            fmt = table.select(accept, query_params(request).get("api_format"))
        except NotAcceptable as error:
            if self.api.strict_accept:
                return self.error_response(request, error, table.default)
            fmt = table.default
        except WebAPIError as error:  # a bad ?api_format=
            return self.error_response(request, error, error_format(table, accept))
        if fmt.renderer.presents:
            return self._present(request, kind, kwargs, fmt)
        try:
            response = self._handle(request, kind, kwargs, fmt)
        except Exception as exc:  # noqa: BLE001 - every failure must answer in the API's format
            response = self.error_response(request, self.handle_exception(request, exc), fmt)
        vary_on_accept(response)
        if self._login_sessions:
            self._finish_login_session(request, kind, kwargs, response)
        return response

    def _finish_login_session(
        self, request: HttpRequest, kind: Kind, kwargs: dict[str, str], response: HttpResponse
    ) -> None:
        """Set (or delete) the login session's cookie, scoped to the API's path."""
        if login_sessions.in_use(request):
            # Who is answered depends on the cookie: caches must key on it.
            patch_vary_headers(response, ("Cookie",))
        if not login_sessions.cookie_pending(request):
            return
        template = self.item_template if kind == "item" else self.list_template
        try:
            path = urlsplit(self.api.base_url(request, template, kwargs)).path
        except SuspiciousOperation:  # a Host not answered for: no cookie for it either
            return
        login_sessions.finish_response(request, response, path)

    def _present(self, request: HttpRequest, kind: Kind, kwargs: dict[str, str], fmt: Format) -> HttpResponse:
        """A page format: the pipeline's answer, handed to the page renderer."""

        def respond(body: ParsedBody | None) -> HttpResponse:
            try:
                response = self._handle(request, kind, kwargs, fmt, body)
            except Exception as exc:  # noqa: BLE001 - as in dispatch
                response = self.error_response(request, self.handle_exception(request, exc), fmt)
            return response

        response = cast(PageRenderer, fmt.renderer).present(self, request, kind, kwargs, respond)
        vary_on_accept(response)
        return response

    def _handle(
        self, request: HttpRequest, kind: Kind, kwargs: dict[str, str], fmt: Format, parsed: ParsedBody | None = None
    ) -> HttpResponse:
        method = (request.method or "GET").upper()
        if method == "OPTIONS":
            return self._options_response(kind)
        is_head = method == "HEAD"
        if is_head:
            method = "GET"

        self.authenticate(request)
        self.check_throttles(request)

        body = _EMPTY_BODY
        if parsed is not None:  # read already, by a page renderer
            body = parsed
        elif method in _BODY_METHODS and method in self._handlers[kind] or method == "POST":
            body = parse_body(request, self.parsers or (), max_size=self.get_max_body_size(request))
        try:
            return self._call_handler(request, kind, kwargs, fmt, method, body, is_head)
        finally:
            body.close()

    def _call_handler(
        self, request: HttpRequest, kind: Kind, kwargs: dict[str, str], fmt: Format,
        method: str, body: ParsedBody, is_head: bool,
    ) -> HttpResponse:
        if method == "POST":
            method = method_override(request, body) or method

        handler = self._handlers[kind].get(method)
        if handler is None:
            raise MethodNotAllowed(self._allow[kind].split(", ") if self._allow[kind] else ())
        self.check_permissions(request, method)

        spec = self._specs[handler]
        if method == "GET":
            data = self.clean_query(request, spec)
        else:
            data = self.clean_body(body, spec)

        ctx = self.make_context(request, kind, kwargs, fmt, body)
        bind_request_context(request, ctx)
        if method in _CONDITIONAL_METHODS and any(header in request.META for header in _PRECONDITIONS):
            with transaction.atomic():
                self.check_preconditions(ctx, kind)
                result = handler(request, data, **kwargs)
        elif self._page_columns is not None and kind == "list" and method == "GET" and ctx.is_plain():
            # The default get_list, and only the pipeline sees its page: rows will do.
            result = self.read_list(request, kwargs, self._page_columns)
        else:
            result = handler(request, data, **kwargs)

        response = self.build_response(ctx, kind, method, result)
        if is_head:
            response.content = b""
        return response

    # ------------------------------------------------------------------
    # Pipeline steps, each overridable on its own.

    def authenticate(self, request: HttpRequest) -> None:
        """Run the authenticators; the first that knows the caller wins."""
        request.auth = None  # type: ignore[attr-defined]
        for authenticator in self._authenticators:
            credentials = authenticator.authenticate(request)
            if credentials is not None:
                if credentials.user is not None:
                    request.user = credentials.user
                    if self._login_sessions and authenticator.starts_session:
                        login_sessions.start_login_session(request, credentials.user)
                request.auth = credentials.auth  # type: ignore[attr-defined]
                return

    def get_max_body_size(self, request: HttpRequest) -> int | None:
        """The largest body this request may carry (``None``: ``MAX_BODY_SIZE``)."""
        return self.max_body_size

    def check_throttles(self, request: HttpRequest) -> None:
        for throttle in self._throttles:
            throttle.check(request, self)

    def permission_denied(self, request: HttpRequest, msg: str | None = None) -> WebAPIError:
        """The error for a refusal: 401 for anonymous callers, 403 otherwise."""
        if not is_authenticated(request):
            if self._challenges:
                return NotLoggedIn(www_authenticate=self._challenges)
            return NotLoggedIn()
        return PermissionDenied(msg)

    def check_permissions(self, request: HttpRequest, method: str) -> None:
        for permission in self._permissions:
            if not permission.has_permission(request, self, method):
                raise self.permission_denied(request)

    def check_object_permissions(self, request: HttpRequest, method: str, obj: Any) -> None:
        """Handlers call this once they hold the object they act on."""
        for permission in self._permissions:
            if not permission.has_object_permission(request, self, method, obj):
                raise self.permission_denied(request)

    def clean_query(self, request: HttpRequest, spec: FieldSpec | None) -> dict[str, Any]:
        """Cleaned query parameters for a GET handler that declares fields.

        Undeclared parameters are ignored on GET (clients add cache busters).
        """
        if spec is None:
            return {}
        return clean_fields(
            request.GET, {}, required=spec.required, optional=spec.optional,
            allow_unknown=True, ignore=_RESERVED_QUERY,
        )

    def clean_body(self, body: ParsedBody, spec: FieldSpec | None) -> dict[str, Any]:
        """Cleaned body fields; unknown ones are errors where fields are declared."""
        if spec is None:
            return {k: v for k, v in body.data.items() if k not in _RESERVED_BODY} | dict(body.files)
        # A QueryDict keeps every value of a repeated form field (List fields).
        return clean_fields(
            body.form if body.form is not None else body.data, body.files, required=spec.required, optional=spec.optional,
            allow_unknown=spec.allow_unknown, ignore=_RESERVED_BODY, structured=body.json is not None,
        )

    def make_context(
        self, request: HttpRequest, kind: Kind, kwargs: dict[str, str], fmt: Format, body: ParsedBody = _EMPTY_BODY
    ) -> RequestContext:
        query = query_params(request)
        data = body.data
        template = self.item_template if kind == "item" else self.list_template
        base_url = self.api.base_url(request, template, kwargs)
        if not query and not data:  # the common case: nothing to look up
            return RequestContext(request=request, format=fmt, base_url=base_url, kwargs=kwargs, body=body)

        def option(name: str) -> str | None:
            value = query.get(name)
            if value is None:
                raw = data.get(name)
                value = raw if isinstance(raw, str) else None
            return value

        return RequestContext(
            request=request,
            format=fmt,
            base_url=base_url,
            kwargs=kwargs,
            expand=name_set(option("expand")) or frozenset(),
            only_fields=name_set(option("only-fields")),
            only_links=name_set(option("only-links")),
            body=body,
        )

    def check_preconditions(self, ctx: RequestContext, kind: Kind) -> None:
        """A write's ``If-Match`` (else ``If-Unmodified-Since``) and ``If-None-Match`` (RFC 9110 13.2.2).

        Judged against what a ``GET`` at the same URL answers now (412 when
        one fails). Where nothing is there, ``If-None-Match: *`` passes, so
        a ``PUT`` can create only what does not exist yet.
        """
        meta = ctx.request.META
        if_match = meta.get("HTTP_IF_MATCH")
        if_unmodified_since = meta.get("HTTP_IF_UNMODIFIED_SINCE")
        # The write itself needs what is there: a missing object is its 404.
        current = self.current_version(ctx, kind, missing_ok=if_match is None and if_unmodified_since is None)
        etags = current.etags if current is not None else frozenset()
        if if_match is not None:
            if not conditional.if_match_passes(if_match, etags):
                raise PreconditionFailed()
        elif current is not None and not conditional.if_unmodified_since_passes(
            if_unmodified_since, current.last_modified
        ):
            raise PreconditionFailed()
        if not conditional.if_none_match_allows_write(meta.get("HTTP_IF_NONE_MATCH"), etags):
            raise PreconditionFailed()

    def current_version(self, ctx: RequestContext, kind: Kind, *, missing_ok: bool) -> conditional.Version | None:
        """The ETags (one per format) and ``Last-Modified`` of what a ``GET`` here answers now.

        ``None`` where that is nothing: no ``GET`` at this URL, or (when
        ``missing_ok``) a ``GET`` that answers 404. An object the default
        ``get`` reads is locked until the write ends; any other ``GET``
        handler is asked, which lets resources without a model (and
        handlers answering :class:`~webapi_kit.responses.APIResponse`) take
        conditional requests too.
        """
        handler = self._handlers[kind].get("GET")
        if handler is None:
            return None
        request = ctx.request
        plain = ctx.nested(frozenset())
        try:
            if getattr(handler, "__func__", None) is ModelHandlers.get:
                obj = self.get_object(request, lock=True, **ctx.kwargs)
                etags = set()
                for row in self.formats["item"].formats:
                    item = self.serialize_object(obj, replace(plain, format=row))
                    etags.add(conditional.etag_for(row.renderer.render(self.get_envelope().item(self, item))))
                return conditional.Version(frozenset(etags), self.get_last_modified(obj))
            result = handler(request, self.clean_query(request, self._specs[handler]), **ctx.kwargs)
        except (DoesNotExist, ObjectDoesNotExist):
            if missing_ok:
                return None
            raise
        etags = set()
        last_modified = None
        for row in self.formats[kind].formats:
            response = self.build_response(replace(plain, format=row), kind, "GET", result)
            if "ETag" in response:
                etags.add(response["ETag"])
            last_modified = conditional.parse_http_date(response.get("Last-Modified"))
        return conditional.Version(frozenset(etags), last_modified)

#: What a resource may override that sees a list's objects or makes its items.
_SERIALIZATION_HOOKS = (
    "serialize_object", "serialize_list", "get_href", "get_url_kwargs",
    "get_list", "read_list", "build_response", "page_response",
)


def _instances(*candidates: Sequence[Any] | None) -> tuple[Any, ...]:
    """The first configured policy list, with classes instantiated."""
    for candidate in candidates:
        if candidate is not None:
            return tuple(item() if isinstance(item, type) else item for item in candidate)
    return ()
