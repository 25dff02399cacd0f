"""What a page shows: built from the data format's answer and the resource.

:func:`page_context` turns the answer the pipeline gave (status, headers,
body) into the template's context: the envelope as it came, breadcrumbs
from the API's root, the links table, the next/previous pages, the headers,
and the forms of the resource's write handlers.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from django.contrib.auth import SESSION_KEY
from django.http import HttpRequest, HttpResponse, QueryDict
from django.middleware.csrf import get_token

from webapi_kit.errors import WebAPIError

from webapi_kit.browsable.forms import FormInput, form_inputs, form_spec, needs_multipart
from webapi_kit.browsable.payload import payload_html

if TYPE_CHECKING:
    from webapi_kit.renderers import Renderer
    from webapi_kit.resource import Kind, WebAPIResource

__all__ = ["Crumb", "PageForm", "api_base_url", "breadcrumbs", "page_context"]

#: Headers of the data format's answer that say nothing about the page's.
_HIDDEN_HEADERS = frozenset({"content-length"})


@dataclass(frozen=True)
class Crumb:
    label: str
    href: str


@dataclass(frozen=True)
class PageForm:
    """A form of the page: create (POST), update (PUT) or delete (DELETE)."""

    title: str
    method: str
    action: str
    inputs: Sequence[FormInput]
    multipart: bool
    #: The form that was submitted and failed: opened, not folded.
    failed: bool = False


def api_base_url(resource: WebAPIResource, request: HttpRequest, kind: Kind, kwargs: Mapping[str, str]) -> str:
    """The absolute URL of the resource's API root."""
    template = resource.item_template if kind == "item" else resource.list_template
    return resource.api.base_url(request, template, kwargs)


def _expand(template: Any, kwargs: Mapping[str, str]) -> str | None:
    try:
        return str(template.expand(dict(kwargs)))
    except KeyError:  # a page answered for a URL no resource matched
        return None


def breadcrumbs(resource: WebAPIResource, kind: Kind, kwargs: Mapping[str, str], base_url: str) -> list[Crumb]:
    """From the API's root down to this page, each step a link."""
    crumbs = [Crumb("root", base_url)] if resource.api.root is not None else []
    chain: list[WebAPIResource] = []
    node: WebAPIResource | None = resource
    while node is not None:
        if node is not resource.api.root:
            chain.append(node)
        node = node.parent
    for node in reversed(chain):
        if node.singleton:
            href = _expand(node.item_template, kwargs)
            if href is not None:
                crumbs.append(Crumb(node.name, base_url + href))
            continue
        if node.has_list:
            href = _expand(node.list_template, kwargs)
            if href is not None:
                crumbs.append(Crumb(node.name_plural, base_url + href))
        if node is not resource or kind == "item":
            href = _expand(node.item_template, kwargs)
            if href is not None:
                crumbs.append(Crumb(f"{node.name} {kwargs.get(node.uri_object_key, '')}".strip(), base_url + href))
    return crumbs


def _decode(response: HttpResponse) -> Any:
    if not response.content:
        return None
    try:
        return json.loads(response.content)
    except ValueError:  # a handler's own non-JSON answer: shown as text
        return response.content.decode("utf-8", "replace")


def _find_links(payload: Any, resource: WebAPIResource) -> dict[str, Any]:
    """The page's ``links``: the envelope's, else its object's."""
    if not isinstance(payload, dict):
        return {}
    links = payload.get("links")
    if isinstance(links, dict):
        return links
    item = payload.get(resource.name, payload)
    links = item.get("links") if isinstance(item, dict) else None
    return links if isinstance(links, dict) else {}


def _find_item(payload: Any, resource: WebAPIResource) -> dict[str, Any]:
    if isinstance(payload, dict):
        item = payload.get(resource.name)
        if isinstance(item, dict):
            return item
        return payload
    return {}


def field_errors(payload: Any) -> dict[str, list[str]]:
    """The API's per-field messages in an error body, whatever the envelope."""
    if not isinstance(payload, dict):
        return {}
    for candidate in (payload, *(v for v in payload.values() if isinstance(v, dict))):
        fields = candidate.get("fields")
        if isinstance(fields, dict):
            return {str(k): [str(m) for m in v] if isinstance(v, list) else [str(v)] for k, v in fields.items()}
    messages = payload.get("error_msg")  # StatusEnvelope
    if isinstance(messages, dict):
        return {str(k): [str(v)] for k, v in messages.items()}
    return {}


def _links_table(links: Mapping[str, Any]) -> list[dict[str, str]]:
    rows = []
    for name, link in links.items():
        if isinstance(link, dict) and isinstance(link.get("href"), str):
            href = link["href"]
            rows.append({
                "name": str(name),
                "method": str(link.get("method", "GET")),
                "href": href,
                "linkable": href.startswith(("http://", "https://")),
            })
    return rows


def _headers(
    response: HttpResponse, resource: WebAPIResource, kind: Kind, data_renderer: Renderer
) -> list[tuple[str, str]]:
    table = "error" if response.status_code >= HTTPStatus.BAD_REQUEST else kind
    if response.status_code == HTTPStatus.CREATED:
        table = "item"
    shown: list[tuple[str, str]] = []
    for name, value in response.items():
        if name.lower() in _HIDDEN_HEADERS:
            continue
        if name.lower() == "content-type":
            value = resource.formats[table].for_renderer(data_renderer).content_type
        elif name.lower() == "item-content-type":
            value = resource.formats["item"].for_renderer(data_renderer).content_type
        shown.append((name, value))
    return shown


def _permitted(resource: WebAPIResource, request: HttpRequest, method: str) -> bool:
    """Whether the resource's permissions let this caller try ``method`` here."""
    try:
        resource.check_permissions(request, method)
    except WebAPIError:
        return False
    return True


@dataclass(frozen=True)
class _Forms:
    forms: list[PageForm]
    #: Methods taken here whose handlers declare no fields: no form to build.
    undeclared: list[str]
    #: Methods the caller may not use (a form would only answer 401 or 403).
    refused: list[str]


def _forms(
    resource: WebAPIResource,
    request: HttpRequest,
    kind: Kind,
    payload: Any,
    failed: tuple[str, QueryDict, dict[str, list[str]]] | None,
) -> _Forms:
    """The page's forms: one per write handler the caller may use."""
    forms: list[PageForm] = []
    undeclared: list[str] = []
    refused: list[str] = []
    current = _find_item(payload, resource) if failed is None else {}
    wanted = (("POST", "Create"),) if kind == "list" else (("PUT", "Update"), ("DELETE", "Delete"))
    for method, title in wanted:
        if not resource.handles(kind, method):
            continue
        if not _permitted(resource, request, method):
            refused.append(method)
            continue
        spec = form_spec(resource, kind, method)
        if spec is None and method != "DELETE":
            # No declared fields: nothing to build a form from (the handler
            # reads its body itself, often JSON, which forms cannot send).
            undeclared.append(method)
            continue
        is_failed = failed is not None and failed[0] == method
        if spec is None:
            inputs: list[FormInput] = []
        elif is_failed and failed is not None:
            inputs = form_inputs(spec, {k: failed[1][k] for k in failed[1]}, failed[2])
        else:
            inputs = form_inputs(spec, current if method == "PUT" else {})
        forms.append(PageForm(
            title=f"{title} {resource.name}",
            method=method,
            action=request.path,
            inputs=inputs,
            multipart=spec is not None and needs_multipart(spec),
            failed=is_failed,
        ))
    return _Forms(forms, undeclared, refused)


def page_context(
    *,
    request: HttpRequest,
    response: HttpResponse,
    resource: WebAPIResource,
    kind: Kind,
    kwargs: Mapping[str, str],
    data_renderer: Renderer,
    submitted: tuple[str, QueryDict] | None,
    login_url: str | None,
    logout_url: str | None,
) -> dict[str, Any]:
    """The context of ``page.html`` for one answer."""
    base_url = api_base_url(resource, request, kind, kwargs)
    payload = _decode(response)
    status = response.status_code
    failed = None
    if submitted is not None and status >= HTTPStatus.BAD_REQUEST:
        failed = (submitted[0], submitted[1], field_errors(payload))
    links = _find_links(payload, resource)
    user = getattr(request, "user", None)
    session = getattr(request, "session", None)
    is_error = status >= HTTPStatus.BAD_REQUEST
    title = resource.name if kind == "item" or resource.singleton else resource.name_plural
    forms = _Forms([], [], []) if status == HTTPStatus.NOT_FOUND else _forms(resource, request, kind, payload, failed)
    return {
        "title": title,
        "kind": kind,
        "method": request.method,
        "path": request.get_full_path(),
        "status": status,
        "reason": response.reason_phrase,
        "is_error": is_error,
        "error_message": _error_message(payload) if is_error else "",
        "headers": _headers(response, resource, kind, data_renderer),
        "allow": "" if status == HTTPStatus.NOT_FOUND else resource.allowed_at(kind),
        "breadcrumbs": breadcrumbs(resource, kind, kwargs, base_url),
        "payload": payload_html(payload, base_url) if not isinstance(payload, str) else payload,
        "root_url": base_url,
        "links": _links_table(links),
        "previous_page": _href(links.get("prev")),
        "next_page": _href(links.get("next")),
        "forms": forms.forms,
        "formless_methods": forms.undeclared,
        "refused_methods": forms.refused,
        "formats": [(r.format, f"?api_format={r.format}") for r in resource.renderers or () if not r.presents],
        "user": user if user is not None and user.is_authenticated else None,
        "session_login": session is not None and SESSION_KEY in session,
        "login_url": login_url,
        "logout_url": logout_url,
        "csrf_token": get_token(request),
    }


def _href(link: Any) -> str | None:
    if isinstance(link, dict) and isinstance(link.get("href"), str) and link["href"].startswith(("http://", "https://")):
        return str(link["href"])
    return None


def _error_message(payload: Any) -> str:
    """The error's message, from the envelopes webapi_kit ships."""
    if not isinstance(payload, dict):
        return ""
    for candidate in (payload.get("err"), payload.get("error"), payload):
        if isinstance(candidate, dict):
            for key in ("msg", "message"):
                if isinstance(candidate.get(key), str):
                    return str(candidate[key])
    errors = payload.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        return "; ".join(str(e.get("message", "")) for e in errors)
    return ""
