"""Paths and operations: every URL of an API's tree and each method it answers.

What a handler answers is read from its return annotation (a model object
is an item, a :class:`~webapi_kit.pagination.Page` a list page, ``None`` a
``204``, an :class:`~webapi_kit.responses.APIResponse` what
:func:`~webapi_kit.openapi.declare.describe` says), its request fields from
:func:`~webapi_kit.fields.request_fields`, and its parameters from the URL
template and the pipeline's own query options.
"""

from __future__ import annotations

import inspect
import types
import typing
from collections.abc import Callable, Iterator
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, Union

from webapi_kit.api import RootResource
from webapi_kit.fields import FieldSpec
from webapi_kit.modelhandlers import ModelHandlers
from webapi_kit.openapi.components import Components
from webapi_kit.openapi.declare import Answer, Operation, get_operation
from webapi_kit.openapi.envelopes import shape_for
from webapi_kit.openapi.responses import error_response, error_statuses
from webapi_kit.openapi.schemas import Schema
from webapi_kit.openapi.requests import parameters, request_body
from webapi_kit.openapi.security import operation_security
from webapi_kit.pagination import Page
from webapi_kit.responses import APIResponse

if TYPE_CHECKING:
    from webapi_kit.api import API
    from webapi_kit.resource import Kind, WebAPIResource

__all__ = ["build_paths"]

_COUNTS: Schema = {
    "type": "object",
    "required": ["count"],
    "properties": {"count": {"type": "integer", "minimum": 0, "description": "How many objects the list has."}},
}
_ROOT: Schema = {
    "type": "object",
    "required": ["links", "uri_templates"],
    "properties": {
        "links": {"$ref": "#/components/schemas/Links"},
        "uri_templates": {
            "type": "object",
            "description": "A URI template for every resource, by name.",
            "additionalProperties": {"type": "string"},
        },
    },
}
_ETAG = {"ETag": {"required": True, "schema": {"type": "string"}, "description": "The answer's version, for If-None-Match / If-Match."}}


def build_paths(api: API, components: Components) -> dict[str, dict[str, Any]]:
    """The ``paths`` object of ``api``; fills ``components`` as it goes."""
    paths: dict[str, dict[str, Any]] = {}
    for resource, kind in _urls(api):
        template = resource.item_template if kind == "item" else resource.list_template
        path_item = paths.setdefault("/" + template.template, {})
        for method, handler in resource._handlers[kind].items():
            path_item[method.lower()] = _operation(resource, kind, method, handler, components)
        parameters = _path_parameters(api, resource, kind)
        if path_item and parameters and "parameters" not in path_item:
            path_item["parameters"] = parameters
    return {path: item for path, item in paths.items() if item}


def _urls(api: API) -> Iterator[tuple[WebAPIResource, Kind]]:
    if api.root is not None:
        yield api.root, "item"
    for resource in api.walk():
        if not resource.singleton:
            yield resource, "list"
        yield resource, "item"


def _path_parameters(api: API, resource: WebAPIResource, kind: Kind) -> list[dict[str, Any]]:
    template = resource.item_template if kind == "item" else resource.list_template
    regexes = api._regexes(resource)
    return [
        {"name": name, "in": "path", "required": True,
         "schema": {"type": "string", "pattern": f"^(?:{regexes.get(name, '[^/]+')})$"}}
        for name in template.variables
    ]


def _operation(
    resource: WebAPIResource, kind: Kind, method: str, handler: Callable[..., Any], components: Components
) -> dict[str, Any]:
    described = get_operation(handler) or Operation()
    outcomes = _outcomes(handler)
    spec: FieldSpec | None = resource._specs.get(handler)
    # The handler's own docstring: one inherited from the base class says nothing of this resource.
    own = getattr(getattr(handler, "__func__", handler), "__doc__", None)
    doc = inspect.cleandoc(own) if isinstance(own, str) else ""
    summary, _, rest = doc.partition("\n")
    op: dict[str, Any] = {
        "operationId": f"{resource.name}_{kind}_{method.lower()}",
        "tags": list(described.tags or _tags(resource)),
        "summary": described.summary or summary.strip() or _summary(resource, kind, method),
    }
    description = described.description or rest.strip()
    if description:
        op["description"] = description
    op["parameters"] = parameters(resource, kind, method, handler, spec, outcomes, described)
    body = request_body(resource, method, spec, described)
    if body is not None:
        op["requestBody"] = body
    op["responses"] = {
        **_successes(resource, kind, method, handler, outcomes, described, components),
        **_errors(resource, method, components),
    }
    security = operation_security(resource, method, components.security_schemes)
    if security is not None:
        op["security"] = security
    return op


def _tags(resource: WebAPIResource) -> list[str]:
    declared = getattr(resource, "openapi_tags", None)
    if isinstance(declared, (list, tuple)) and declared:
        return [str(tag) for tag in declared]
    top = resource
    while top.parent is not None:
        top = top.parent
    return [top.name_plural]


def _summary(resource: WebAPIResource, kind: Kind, method: str) -> str:
    words = resource.name.replace("_", " ")
    if kind == "list":
        return {"GET": f"List {resource.name_plural.replace('_', ' ')}", "POST": f"Create a {words}"}.get(method, f"{method} {words} list")
    return {"GET": f"Get the {words}", "PUT": f"Update the {words}", "DELETE": f"Delete the {words}"}.get(method, f"{method} {words}")


# ----------------------------------------------------------------------
# What a handler answers.

def _outcomes(handler: Callable[..., Any]) -> set[str]:
    """``item``, ``page``, ``payload`` and/or ``empty``, from the return annotation."""
    func = getattr(handler, "__func__", handler)
    try:
        returned: Any = typing.get_type_hints(func).get("return", Any)
    except Exception:  # noqa: BLE001 - names only imported for type checking: read the text
        text = str(getattr(func, "__annotations__", {}).get("return", "Any"))
        return {_outcome_of_name(part.strip()) for part in text.split("|")}
    origin = typing.get_origin(returned)
    parts = typing.get_args(returned) if origin in (Union, types.UnionType) else (returned,)
    return {_outcome_of_type(part) for part in parts}


def _outcome_of_type(part: Any) -> str:
    if part is type(None) or part is None:
        return "empty"
    if part is Page:
        return "page"
    if part is APIResponse:
        return "payload"
    return "item"


def _outcome_of_name(name: str) -> str:
    return {"None": "empty", "Page": "page", "APIResponse": "payload"}.get(name, "item")


def _successes(
    resource: WebAPIResource, kind: Kind, method: str, handler: Callable[..., Any],
    outcomes: set[str], described: Operation, components: Components,
) -> dict[str, Any]:
    shape = shape_for(resource.get_envelope())
    answers: dict[str, Any] = {}
    types_of = _content_types(resource, kind)
    if "item" in outcomes:
        item = shape.item(resource, components.item(resource))
        if kind == "list" and method == "POST":
            answers["201"] = {
                "description": f"Created: the new {resource.name.replace('_', ' ')}; Location is its URL.",
                "headers": {"Location": {"required": True, "schema": {"type": "string"}, "description": "The new object's URL."}},
                "content": {ct: {"schema": item} for ct in _content_types(resource, "item")},
            }
            links = _links_from_created(resource, shape.item_pointer(resource))
            if links:
                answers["201"]["links"] = links
        else:
            headers = dict(_ETAG)
            if resource.last_modified_field:
                headers["Last-Modified"] = {"schema": {"type": "string"}, "description": "When the object last changed."}
            answers["200"] = {"description": "The object.", "headers": headers, "content": {ct: {"schema": item} for ct in types_of}}
    if "page" in outcomes:
        page = shape.page(resource, components.item(resource), _page_links())
        schemas = [page]
        func = getattr(handler, "__func__", handler)
        if "payload" in outcomes and func is ModelHandlers.get_list:
            schemas.append(shape.payload(_COUNTS))
            outcomes = outcomes - {"payload"}
        schema = schemas[0] if len(schemas) == 1 else {"anyOf": schemas}
        answers["200"] = {
            "description": "One page of the list" + (" (or, with ?counts-only=1, its count)." if len(schemas) > 1 else "."),
            # A count is no page: it has no items to name the type of.
            "headers": {**_ETAG, "Item-Content-Type": {"required": len(schemas) == 1, "schema": {"type": "string"},
                                                        "description": "The media type of the items."}},
            "content": {ct: {"schema": schema} for ct in types_of},
        }
    if "payload" in outcomes:
        answers.update(_payloads(resource, kind, described, shape.payload, types_of))
    if "empty" in outcomes:
        answers["204"] = {"description": "Done; no body."}
    if method == "GET" and any(status == "200" for status in answers):
        answers["200"].setdefault("headers", {}).update(_ETAG)
        answers["304"] = {"description": "Not modified: the If-None-Match / If-Modified-Since version is current.",
                          "headers": {"ETag": _ETAG["ETag"]}}
    return answers


def _payloads(
    resource: WebAPIResource, kind: Kind, described: Operation,
    wrap: Callable[[Schema], Schema], types_of: list[str],
) -> dict[str, Any]:
    if isinstance(resource, RootResource):
        return {"200": {"description": "Links to every top-level resource, and a URI template for every resource.",
                        "content": {ct: {"schema": wrap(_ROOT)} for ct in types_of}}}
    if not described.responses:
        # Nothing said: any success, in the envelope's payload shape.
        return {"2XX": {"description": "Success (the handler's own payload).",
                        "content": {ct: {"schema": wrap({})} for ct in types_of}}}
    return {str(answer.status): _answer(answer, wrap, types_of) for answer in described.responses}


def _answer(answer: Answer, wrap: Callable[[Schema], Schema], types_of: list[str]) -> dict[str, Any]:
    result: dict[str, Any] = {"description": answer.description or HTTPStatus(answer.status).phrase}
    if answer.schema is not None:
        schema = wrap(answer.schema) if answer.enveloped else answer.schema
        result["content"] = {ct: {"schema": schema} for ct in (answer.content_types or types_of)}
    if answer.headers:
        result["headers"] = {
            name: {"required": required, "schema": schema} for name, (schema, required) in answer.headers.items()
        }
    return result


def _links_from_created(resource: WebAPIResource, pointer: str | None) -> dict[str, Any]:
    """OpenAPI links from a ``201`` to what can be done with the new object and under it.

    The new object's key is read from the answer's body (its key field must
    be one of the payload's fields); its parents' keys are the request's.
    """
    key = resource.model_object_key
    if key == "pk" and "id" in resource.fields:
        key = "id"
    if pointer is None or key not in resource.fields or resource.singleton:
        return {}
    known = {name: f"$request.path.{name}" for name in resource.list_template.variables}
    known[resource.uri_object_key] = f"$response.body#{pointer}/{key}"
    targets: list[tuple[WebAPIResource, Kind]] = [(resource, "item")]
    targets += [(child, "item" if child.singleton else "list") for child in resource.item_child_resources]
    links: dict[str, Any] = {}
    for target, kind in targets:
        template = target.item_template if kind == "item" else target.list_template
        if not set(template.variables) <= set(known):
            continue  # a URL of its own shape: nothing here says how to fill it
        for method in target._handlers[kind]:
            links[f"{method.lower()}_{target.name}_{kind}"] = {
                "operationId": f"{target.name}_{kind}_{method.lower()}",
                "parameters": {name: known[name] for name in template.variables},
            }
    return links


def _page_links() -> Schema:
    link = {"$ref": "#/components/schemas/Link"}
    return {
        "type": "object",
        "required": ["self"],
        "description": "self, create (where one may POST), next and prev pages, and lists under this one.",
        "properties": {"self": link, "create": link, "next": link, "prev": link},
        "additionalProperties": link,
    }


def _content_types(resource: WebAPIResource, kind: str) -> list[str]:
    """The data formats' media types (pages for people, such as the browsable HTML, are not described)."""
    return list(dict.fromkeys(row.content_type for row in resource.formats[kind].formats if not row.renderer.presents))


def _errors(resource: WebAPIResource, method: str, components: Components) -> dict[str, Any]:
    schema = components.error(resource)
    # A resource whose error_response relabels its errors says so.
    declared = getattr(resource, "openapi_error_content_types", None)
    types_of = list(declared) if isinstance(declared, (list, tuple)) else _content_types(resource, "error")
    envelope = type(resource.get_envelope()).__name__
    answers: dict[str, Any] = {}
    for status in error_statuses(resource, method):
        code = str(int(status)) if isinstance(status, HTTPStatus) else status
        answers[code] = components.response(f"{envelope}_{code}", error_response(resource, status, schema, types_of))
    return answers
