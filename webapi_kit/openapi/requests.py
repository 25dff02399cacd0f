"""What a request carries: query parameters, headers and bodies of an operation.

Parameters come from the pipeline's own query options (``api_format``,
``expand``, ``only-fields``, ``only-links``, paging), a ``GET`` handler's
declared fields, and :class:`~webapi_kit.openapi.declare.Parameter` objects a
resource or handler declares; bodies from the declared request fields, in
every format the resource parses (files only in multipart).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from webapi_kit.fields import FieldSpec, File
from webapi_kit.modelhandlers import ModelHandlers
from webapi_kit.openapi.declare import Operation, Parameter
from webapi_kit.openapi.schemas import Schema, request_schema
from webapi_kit.pagination import MAX_START
from webapi_kit.parsers import FormParser, JSONParser, MultiPartParser
from webapi_kit.resource import WebAPIResource

if TYPE_CHECKING:
    from webapi_kit.resource import Kind

__all__ = ["parameters", "request_body"]

_NAMES = {"type": "string", "description": "Comma-separated names."}


def parameters(
    resource: WebAPIResource, kind: Kind, method: str, handler: Callable[..., Any],
    spec: FieldSpec | None, outcomes: set[str], described: Operation,
) -> list[dict[str, Any]]:
    # As in paths: the data formats only.
    formats = sorted({row.renderer.format for row in resource.formats[kind].formats if not row.renderer.presents})
    params: list[dict[str, Any]] = [
        {"name": "api_format", "in": "query", "description": "The format of the answer, instead of Accept.",
         "schema": {"type": "string", "enum": formats}},
    ]
    if outcomes & {"item", "page"}:
        params += [
            {"name": "expand", "in": "query", "description": "Related objects and child lists to embed.", "schema": _NAMES},
            {"name": "only-fields", "in": "query", "description": "Only these fields of each object.", "schema": _NAMES},
            {"name": "only-links", "in": "query", "description": "Only these links of each object.", "schema": _NAMES},
        ]
    if "page" in outcomes:
        bound = {"type": "integer", "minimum": 0, "maximum": MAX_START}
        params += [
            {"name": "start", "in": "query", "description": "Index of the page's first object.", "schema": bound},
            {"name": "max-results", "in": "query", "description": "Page length (capped by MAX_RESULTS_CAP).", "schema": bound},
        ]
        if getattr(handler, "__func__", handler) is ModelHandlers.get_list:
            params.append({"name": "counts-only", "in": "query", "description": "1: answer only the count.",
                           "schema": {"type": "string", "enum": ["0", "1", "true", "false"]}})
    if method == "GET" and spec is not None:
        for name, field in [*spec.required.items(), *spec.optional.items()]:
            param: dict[str, Any] = {"name": name, "in": "query", "schema": request_schema(field)}
            if field.description:
                param["description"] = field.description
            if name in spec.required:
                param["required"] = True
            params.append(param)
    params += _conditional_headers(resource, method)
    declared = [*_resource_parameters(resource), *described.parameters]
    for extra in declared:
        param = {"name": extra.name, "in": extra.location, "schema": extra.schema}
        if extra.description:
            param["description"] = extra.description
        if extra.required:
            param["required"] = True
        params.append(param)
    return params


def _conditional_headers(resource: WebAPIResource, method: str) -> list[dict[str, Any]]:
    """``If-None-Match`` / ``If-Modified-Since`` on reads; ``If-Match`` / ``If-Unmodified-Since``
    on changes where there is a stored object to compare with."""
    text = {"type": "string"}
    if method == "GET":
        return [
            {"name": "If-None-Match", "in": "header", "schema": text, "description": "ETags the client has: 304 if current."},
            {"name": "If-Modified-Since", "in": "header", "schema": text,
             "description": "An HTTP date: 304 if not changed since (ignored with If-None-Match)."},
        ]
    if method in ("PUT", "DELETE") and _has_objects(resource):
        return [
            {"name": "If-Match", "in": "header", "schema": text, "description": "Change only this version (else 412)."},
            {"name": "If-Unmodified-Since", "in": "header", "schema": text,
             "description": "An HTTP date: change only if not changed since (else 412)."},
        ]
    return []


def _has_objects(resource: WebAPIResource) -> bool:
    """Whether the resource looks objects up (the preconditions compare with one)."""
    cls = type(resource)
    return resource.model is not None or any(
        getattr(cls, hook) is not getattr(WebAPIResource, hook) for hook in ("get_queryset", "get_object")
    )


def _resource_parameters(resource: WebAPIResource) -> list[Parameter]:
    declared = getattr(resource, "openapi_parameters", ())
    return [p for p in declared if isinstance(p, Parameter)]


def request_body(
    resource: WebAPIResource, method: str, spec: FieldSpec | None, described: Operation
) -> dict[str, Any] | None:
    if method == "GET":
        return None
    if described.request_body is not None:
        declared = described.request_body
        body: dict[str, Any] = {"required": declared.required,
                                "content": {ct: {"schema": declared.schema} for ct in declared.content_types}}
        if declared.description:
            body["description"] = declared.description
        return body
    if spec is None and method == "DELETE":
        return None
    content: dict[str, Any] = {}
    for parser in resource.parsers or ():
        with_files = isinstance(parser, MultiPartParser)
        if not isinstance(parser, (JSONParser, FormParser, MultiPartParser)):
            continue
        schema = _fields_object(spec, with_files=with_files)
        if schema is None:
            continue
        for media_type in parser.media_types:
            content.setdefault(media_type, {"schema": schema})
    if not content:
        return None
    required = spec is not None and any(True for _ in spec.required)
    return {"required": required, "content": content}


def _fields_object(spec: FieldSpec | None, *, with_files: bool) -> Schema | None:
    """The body object for the declared fields; ``None`` when they cannot travel this way (files)."""
    if spec is None:
        return {"type": "object", "description": "The handler reads the fields itself."}
    properties: dict[str, Schema] = {}
    required: list[str] = []
    for name, field in [*spec.required.items(), *spec.optional.items()]:
        if isinstance(field, File) and not with_files:
            if name in spec.required:
                return None  # a required file needs multipart
            continue
        properties[name] = request_schema(field)
        if name in spec.required:
            required.append(name)
    schema: Schema = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    if not spec.allow_unknown:
        schema["additionalProperties"] = False
    return schema
