"""``API``: a tree of resources mounted under one URL prefix, with its root.

::

    api = API([author_resource], mimetype_vendor="example.org")
    urlpatterns = [path("api/", include(api.urls))]

The API assembles its resources once (URL templates, format tables, handler
maps), answers ``GET`` on its root with links to every top-level resource
and a URI template for every resource, and answers any other URL under its
prefix with a ``404`` in its own error format. It also carries the policies
its resources inherit: the envelope, the vendor, renderers, parsers,
authentication, permissions and throttles.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.urls import URLPattern, re_path
from django.utils.encoding import iri_to_uri
from django.views.decorators.csrf import csrf_exempt

from webapi_kit.envelopes import Envelope, StatEnvelope
from webapi_kit.errors import DoesNotExist
from webapi_kit.links import Link, UriTemplate
from webapi_kit.parsers import FormParser, JSONParser, MultiPartParser, Parser
from webapi_kit.conf import api_settings
from webapi_kit.renderers import PageRenderer, Renderer
from webapi_kit.resource import WebAPIResource
from webapi_kit.responses import APIResponse
from webapi_kit.session_resource import SessionResource

__all__ = ["API", "RootResource"]

_R = TypeVar("_R", bound=HttpResponseBase)


class RootResource(WebAPIResource):
    """``GET /api/``: links to the top-level resources and every URI template."""

    name = "root"
    singleton = True
    list_path = ""

    def get(self, request: HttpRequest, data: Mapping[str, Any], **kwargs: str) -> APIResponse:
        base = self.api.base_url(request, self.list_template, kwargs)
        links: dict[str, Link] = {"self": {"method": "GET", "href": base}}
        for resource in self.api.resources:
            if not resource.singleton and not resource.has_list:
                continue
            key = resource.name if resource.singleton else resource.name_plural
            links[key] = {"method": "GET", "href": base + resource.list_template.expand({})}
        for rel, path in self.api.root_links.items():
            links[rel] = {"method": "GET", "href": base + path}
        return APIResponse({"links": links, "uri_templates": self.api.uri_templates(base)})


class API:
    """A tree of resources sharing a URL prefix and policies.

    ``root=False`` leaves out the root resource, for APIs whose wire format
    has no such thing (an example service's native surface).
    ``strict_accept=False`` answers in the default format when ``Accept``
    rules out everything offered, instead of ``406`` — for surfaces that
    must stay compatible with servers that ignored ``Accept``.
    ``renderers`` defaults to the ``RENDERER_CLASSES`` setting: JSON, XML
    and the browsable HTML pages; ``browsable=False`` leaves out the pages
    (every :class:`~webapi_kit.renderers.PageRenderer`) whichever renderers
    are given.
    ``login_sessions=True`` starts an API login session when HTTP Basic or
    an API token lets a user in (:mod:`webapi_kit.login_sessions`), and
    adds the ``session`` resource (``DELETE`` logs out) to the root.
    """

    def __init__(
        self,
        resources: Sequence[WebAPIResource],
        *,
        envelope: Envelope | None = None,
        mimetype_vendor: str | None = None,
        renderers: Sequence[Renderer] | None = None,
        parsers: Sequence[Parser] | None = None,
        authentication_classes: Sequence[Any] | None = None,
        permission_classes: Sequence[Any] | None = None,
        throttle_classes: Sequence[Any] | None = None,
        root: bool = True,
        strict_accept: bool = True,
        browsable: bool = True,
        login_sessions: bool = False,
    ) -> None:
        self.login_sessions = login_sessions
        if login_sessions:
            _check_sessions_installed()
            if not any(r.name == "session" for r in resources):
                resources = [*resources, SessionResource()]
        self.resources = tuple(resources)
        self.envelope = envelope or StatEnvelope()
        self.mimetype_vendor = mimetype_vendor
        if renderers is None:
            renderers = [cls() if isinstance(cls, type) else cls for cls in api_settings.RENDERER_CLASSES]
        self.renderers = tuple(r for r in renderers if browsable or not r.presents)
        self.parsers = tuple(parsers or (MultiPartParser(), FormParser(), JSONParser()))
        self.authentication_classes = authentication_classes
        self.permission_classes = permission_classes
        self.throttle_classes = throttle_classes
        self.strict_accept = strict_accept
        self.root: RootResource | None = RootResource() if root else None
        #: More links for the root's ``links``: rel → path relative to the
        #: API's root, for what a site serves beside the resources under the
        #: same prefix (its OpenAPI document, say).
        self.root_links: dict[str, str] = {}

        if self.root is not None:
            self.root._assemble(self, None, UriTemplate(""))
        for resource in self.resources:
            resource._assemble(self, None, UriTemplate(resource.uri_name + "/"))
        self.registry: dict[str, WebAPIResource] = {}
        for resource in self.walk():
            if resource.name in self.registry:
                raise ValueError(f"Two resources are named {resource.name!r}")
            self.registry[resource.name] = resource
        for resource in self.walk():
            resource._resolve(self.registry)
        # Any resource's formats answer errors for URLs no resource matches.
        self._fallback = self.root or (self.resources[0] if self.resources else None)

    def walk(self) -> Iterator[WebAPIResource]:
        """Every resource of the tree, depth first, parents before children."""
        stack = list(reversed(self.resources))
        while stack:
            resource = stack.pop()
            yield resource
            stack.extend(reversed(resource.children))

    # ------------------------------------------------------------------
    # URLs.

    @property
    def urls(self) -> list[URLPattern]:
        """The URL patterns, for ``include()`` under any prefix."""
        return self.get_url_patterns()

    def get_url_patterns(self) -> list[URLPattern]:
        patterns: list[URLPattern] = []
        if self.root is not None:
            patterns.append(re_path(r"^$", _view(self.root.item_view, self.root), name="webapi-root"))
        for resource in self.walk():
            regexes = self._regexes(resource)
            if resource.singleton:
                patterns.append(re_path(resource.item_template.pattern(regexes), _view(resource.item_view, resource)))
                continue
            if resource.has_list:
                # A list URL without handlers is left to the 404 below.
                patterns.append(re_path(resource.list_template.pattern(regexes), _view(resource.list_view, resource)))
            patterns.append(re_path(resource.item_template.pattern(regexes), _view(resource.item_view, resource)))
        for renderer in self.renderers:
            if isinstance(renderer, PageRenderer):
                patterns.extend(renderer.get_url_patterns(self))
        patterns.append(re_path(r"", _view(self.not_found_view, self._fallback)))
        return patterns

    @staticmethod
    def _regexes(resource: WebAPIResource) -> dict[str, str]:
        regexes: dict[str, str] = {}
        node: WebAPIResource | None = resource
        while node is not None:
            regexes.setdefault(node.uri_object_key, node.uri_object_key_regex)
            for name, regex in node.uri_regexes.items():
                regexes.setdefault(name, regex)
            node = node.parent
        return regexes

    def base_url(self, request: HttpRequest, template: UriTemplate, kwargs: Mapping[str, str]) -> str:
        """The absolute URL of this API's root, found from the request's path.

        The path ends with ``template`` expanded; what comes before is the
        prefix the API is mounted at, wherever the site included it.
        """
        path = request.path
        prefix = None
        # ``request.path`` is decoded, so the plain expansion matches first.
        for relative in (template.template.format_map(kwargs), template.expand(dict(kwargs))):
            if path.endswith(relative):
                prefix = path[: len(path) - len(relative)]
                break
        if prefix is None:  # an unusual quoting; fall back to counting segments
            depth = template.template.count("/")
            prefix = path.rstrip("/").rsplit("/", depth)[0] + "/" if depth else path
        key = _base_url_key(request, prefix)
        url = _BASE_URLS.get(key) if key is not None else None
        if url is None:
            uri_path = _uri_path(prefix)
            if uri_path is None:
                url = request.build_absolute_uri(prefix)
            else:
                # What build_absolute_uri() answers, without parsing and
                # quoting again the prefix the API is mounted at.
                url = f"{request.scheme}://{request.get_host()}{uri_path}"
            # Kept only if no setting changed while it was being worked out.
            if key is not None and key == _base_url_key(request, prefix):
                if len(_BASE_URLS) >= _BASE_URLS_KEPT:  # Host headers are the client's to choose
                    _BASE_URLS.clear()
                _BASE_URLS[key] = url
        return url

    def uri_templates(self, base_url: str) -> dict[str, str]:
        templates: dict[str, str] = {}
        if self.root is not None:
            templates["root"] = base_url
        for resource in self.walk():
            if not resource.singleton and resource.has_list:
                templates[resource.name_plural] = base_url + resource.list_template.template
            templates[resource.name] = base_url + resource.item_template.template
        return templates

    def own_view(self, view: Callable[..., _R]) -> Callable[..., _R]:
        """``view``, mounted beside the API's resources, as one of the API's own URLs.

        A request Django refuses before any view runs (see
        :mod:`webapi_kit.handlers`) then answers in the API's error format there too.
        """
        return _view(view, self._fallback)

    def not_found_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Any URL under the prefix that no resource answers: a 404 in the API's format."""
        if self._fallback is None:
            return HttpResponse(status=404)
        return self._fallback.negotiated_error_response(request, DoesNotExist(), page=True)


def _view(view: Callable[..., _R], resource: WebAPIResource | None) -> Callable[..., _R]:
    """``view`` marked with the resource whose formats answer errors at its URLs.

    :mod:`webapi_kit.handlers` looks for the mark. Django's CSRF middleware
    is left out: session authentication checks the token itself, in the
    API's error format.
    """
    wrapped = csrf_exempt(view)
    wrapped.webapi_resource = resource  # type: ignore[attr-defined]
    return wrapped


def _check_sessions_installed() -> None:
    """Login sessions are stored by Django's session engine: refuse to build without its table."""
    engine = settings.SESSION_ENGINE
    if engine.startswith("django.contrib.sessions.backends.") and engine.rsplit(".", 1)[1] in ("db", "cached_db"):
        if not apps.is_installed("django.contrib.sessions"):
            raise ImproperlyConfigured(
                "API(login_sessions=True) stores sessions with SESSION_ENGINE "
                f"{engine!r}: add 'django.contrib.sessions' to INSTALLED_APPS"
            )


# Base URLs already answered, by everything they depend on. Checking the
# host against ALLOWED_HOSTS is a tenth of an item's time in the pipeline;
# a host that passed passes again while the same settings hold.
_BASE_URLS: dict[tuple[Any, ...], str] = {}
_BASE_URLS_KEPT = 256

#: What Django's ``get_host()`` and ``scheme`` read of a WSGI request.
_HOST_META = ("HTTP_HOST", "HTTP_X_FORWARDED_HOST", "HTTP_X_FORWARDED_PORT", "SERVER_NAME", "SERVER_PORT",
              "wsgi.url_scheme")


def _base_url_key(request: HttpRequest, prefix: str) -> tuple[Any, ...] | None:
    """The prefix, the request's host and scheme as sent, and the settings that judge them.

    ``None`` where that may not be all: a request of another class than
    Django's WSGI request (an ASGI request, or a subclass of the site's)
    may find its host or scheme its own way.
    """
    if type(request) is not WSGIRequest:
        return None
    proxy = settings.SECURE_PROXY_SSL_HEADER
    if proxy and not (type(proxy) is tuple and len(proxy) == 2):
        return None  # misconfigured: Django's own path says how
    meta = request.META
    return (
        prefix, *map(meta.get, _HOST_META), proxy, meta.get(proxy[0]) if proxy else None,
        # A copy: the list may be changed in place.
        tuple(settings.ALLOWED_HOSTS), settings.DEBUG, settings.USE_X_FORWARDED_HOST, settings.USE_X_FORWARDED_PORT,
    )


@functools.lru_cache(maxsize=256)
def _uri_path(path: str) -> str | None:
    """``path`` as ``build_absolute_uri()`` writes it after the host.

    ``None`` where that takes more than quoting (a path with ``.`` or
    ``..`` segments, or one starting ``//``): ask it then.
    """
    if not path.startswith("/") or path.startswith("//") or "/./" in path or "/../" in path:
        return None
    return iri_to_uri(path)
