"""The OpenAPI 3.1 document of an :class:`~webapi_kit.api.API`, built once and kept.

:func:`openapi` answers the document as a dict; :func:`openapi_json` as the
bytes the view serves. Both are built on first use per API and mount point
(the ``servers`` URL is where the API is mounted) and kept for the life of
the process: the declarations they come from do not change while it runs.
"""

from __future__ import annotations

import json
import threading
import weakref
from typing import Any

from webapi_kit.api import API
from webapi_kit.openapi.components import Components
from webapi_kit.openapi.paths import build_paths

__all__ = ["openapi", "openapi_json"]

_Key = tuple[str, str, str, str]
_CACHE: weakref.WeakKeyDictionary[API, dict[_Key, tuple[dict[str, Any], bytes]]] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def openapi(api: API, *, prefix: str = "/", title: str = "Web API", version: str = "1.0", description: str = "") -> dict[str, Any]:
    """The OpenAPI 3.1 document of ``api`` mounted at ``prefix`` (a path such as ``/api/``)."""
    return _built(api, (prefix, title, version, description))[0]


def openapi_json(api: API, *, prefix: str = "/", title: str = "Web API", version: str = "1.0", description: str = "") -> bytes:
    """:func:`openapi` as JSON bytes."""
    return _built(api, (prefix, title, version, description))[1]


def _built(api: API, key: _Key) -> tuple[dict[str, Any], bytes]:
    with _LOCK:
        per_api = _CACHE.setdefault(api, {})
        found = per_api.get(key)
        if found is None:
            document = _build(api, *key)
            found = (document, json.dumps(document, ensure_ascii=False, sort_keys=False).encode("utf-8"))
            per_api[key] = found
        return found


def _build(api: API, prefix: str, title: str, version: str, description: str) -> dict[str, Any]:
    components = Components()
    paths = build_paths(api, components)
    info: dict[str, Any] = {"title": title, "version": version}
    if description:
        info["description"] = description
    document: dict[str, Any] = {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "info": info,
        "paths": paths,
        "components": {"schemas": components.schemas, "responses": components.responses},
    }
    if prefix.rstrip("/"):
        # Paths start with "/": the server URL is the prefix without its slash.
        document["servers"] = [{"url": prefix.rstrip("/")}]
    if components.security_schemes:
        document["components"]["securitySchemes"] = components.security_schemes
    tags = _tags(api, paths)
    if tags:
        document["tags"] = tags
    return document


def _tags(api: API, paths: dict[str, dict[str, Any]]) -> list[dict[str, str]]:
    used = {tag for item in paths.values() for op in item.values() if isinstance(op, dict) for tag in op.get("tags", ())}
    described: dict[str, str] = {}
    for resource in api.resources:
        doc = type(resource).__dict__.get("__doc__")
        if resource.name_plural in used and isinstance(doc, str) and doc.strip():
            described[resource.name_plural] = " ".join(doc.split())
    return [{"name": tag, **({"description": described[tag]} if tag in described else {})} for tag in sorted(used)]
