"""webapi_kit.openapi: the document of every test API, validated, and what it says."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest
from openapi_spec_validator import validate

from tests.testapp import bulk, extra, resources
from tests.testapp.echo_urls import UploadResource
from webapi_kit.api import API
from webapi_kit.envelopes import Envelope, StatEnvelope
from webapi_kit.errors import WebAPIError
from webapi_kit.fields import Int
from webapi_kit.openapi import Answer, EnvelopeShape, Parameter, describe, openapi, openapi_json
from webapi_kit.openapi.schemas import Schema
from webapi_kit.resource import WebAPIResource
from webapi_kit.responses import APIResponse


def _echo_api() -> API:
    # The echo URLconf's API is built inline; the same one, raw bodies and no root.
    return API([UploadResource()], root=False)


APIS = {
    "library": lambda: resources.api,
    "bulk": lambda: bulk.api,
    "anon": lambda: bulk.anon_api,
    "stat": lambda: extra.stat_api,
    "status": lambda: extra.status_api,
    "errors": lambda: extra.errors_api,
    "echo": _echo_api,
}


@pytest.mark.parametrize("name", sorted(APIS))
def test_every_test_api_has_a_valid_openapi_3_1_document(name: str) -> None:
    document = openapi(APIS[name](), prefix="/api/")
    validate(document)
    assert document["openapi"] == "3.1.0"
    assert document["servers"] == [{"url": "/api"}]


def resolve(document: dict[str, Any], ref: dict[str, Any]) -> dict[str, Any]:
    if "$ref" not in ref:
        return ref
    node: Any = document
    for part in ref["$ref"].removeprefix("#/").split("/"):
        node = node[part]
    return node  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def library() -> dict[str, Any]:
    return openapi(resources.api, prefix="/api/")


def test_every_path_of_the_tree_with_its_methods(library: dict[str, Any]) -> None:
    paths = library["paths"]
    assert {path: sorted(m for m in item if m != "parameters") for path, item in paths.items()} == {
        "/": ["get"],
        "/authors/": ["get", "post"],
        "/authors/{author_id}/": ["delete", "get", "put"],
        "/authors/{author_id}/books/": ["get", "post"],
        "/authors/{author_id}/books/{book_id}/": ["delete", "get", "put"],
    }
    assert paths["/authors/{author_id}/books/{book_id}/"]["parameters"] == [
        {"name": "author_id", "in": "path", "required": True, "schema": {"type": "string", "pattern": "^(?:[0-9]+)$"}},
        {"name": "book_id", "in": "path", "required": True, "schema": {"type": "string", "pattern": "^(?:[0-9]+)$"}},
    ]


def test_list_query_parameters(library: dict[str, Any]) -> None:
    params = {p["name"]: p for p in library["paths"]["/authors/"]["get"]["parameters"]}
    assert list(params) == [
        "api_format", "expand", "only-fields", "only-links", "start", "max-results", "counts-only",
        "If-None-Match", "If-Modified-Since",
    ]
    assert params["If-None-Match"]["in"] == "header"
    assert params["api_format"]["schema"] == {"type": "string", "enum": ["json", "xml"]}
    assert params["start"]["schema"] == {"type": "integer", "minimum": 0, "maximum": 2**62}


def test_request_bodies_from_declared_fields(library: dict[str, Any]) -> None:
    body = library["paths"]["/authors/"]["post"]["requestBody"]
    assert body["required"] is True
    assert set(body["content"]) == {"multipart/form-data", "application/x-www-form-urlencoded", "application/json"}
    multipart = body["content"]["multipart/form-data"]["schema"]
    assert multipart["required"] == ["name"]
    assert multipart["additionalProperties"] is False
    assert multipart["properties"]["name"] == {"type": "string", "maxLength": 100}
    assert multipart["properties"]["photo"] == {"type": "string", "contentMediaType": "application/octet-stream"}
    # A file cannot travel in JSON or a urlencoded form.
    assert "photo" not in body["content"]["application/json"]["schema"]["properties"]
    book = library["paths"]["/authors/{author_id}/books/"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert book["properties"]["year"] == {"type": "integer", "minimum": 0, "maximum": 2**63 - 1}


def test_responses_in_the_envelope_with_vendor_types(library: dict[str, Any]) -> None:
    post = library["paths"]["/authors/"]["post"]["responses"]
    created = post["201"]
    assert created["headers"]["Location"]["required"] is True
    assert set(created["content"]) == {"application/vnd.example.org.author+json", "application/vnd.example.org.author+xml"}
    assert created["content"]["application/vnd.example.org.author+json"]["schema"] == {
        "type": "object",
        "required": ["stat", "author"],
        "properties": {"stat": {"const": "ok"}, "author": {"$ref": "#/components/schemas/author"}},
    }
    page = library["paths"]["/authors/"]["get"]["responses"]["200"]
    schema = page["content"]["application/vnd.example.org.authors+json"]["schema"]["anyOf"][0]
    assert schema["required"] == ["stat", "authors", "links", "total_results"]
    assert page["headers"]["ETag"]["required"] is True
    assert "304" in library["paths"]["/authors/"]["get"]["responses"]
    put = {p["name"] for p in library["paths"]["/authors/{author_id}/"]["put"]["parameters"]}
    assert {"If-Match", "If-Unmodified-Since"} <= put
    assert library["paths"]["/authors/{author_id}/"]["delete"]["responses"]["204"] == {"description": "Done; no body."}


def test_item_schema_from_fields_and_model(library: dict[str, Any]) -> None:
    author = library["components"]["schemas"]["author"]
    # The model's columns that cannot be null are not nullable; computed ones may be.
    assert author["properties"]["name"] == {"type": "string", "description": "The author's name."}
    assert author["properties"]["photo_size"]["type"] == ["integer", "null"]
    assert author["properties"]["books"]["items"] == {"$ref": "#/components/schemas/book"}
    book = library["components"]["schemas"]["book"]
    assert book["properties"]["author"]["anyOf"] == [{"$ref": "#/components/schemas/author"}, {"type": "null"}]
    assert book["properties"]["links"] == {"$ref": "#/components/schemas/Links"}


def test_every_error_status_with_its_codes_and_the_envelopes_own_example(library: dict[str, Any]) -> None:
    responses = library["paths"]["/authors/{author_id}/"]["put"]["responses"]
    assert sorted(responses) == [
        "200", "400", "401", "403", "404", "406", "409", "411", "412", "413", "415", "429", "503", "default",
    ]
    unauthorized = resolve(library, responses["401"])
    assert unauthorized["headers"]["WWW-Authenticate"]["required"] is True
    media = unauthorized["content"]["application/vnd.example.org.error+json"]
    assert media["schema"] == {"$ref": "#/components/schemas/StatEnvelopeError"}
    assert media["examples"]["auth-not-logged-in"]["value"] == {
        "stat": "fail", "err": {"code": 103, "msg": "You are not logged in", "type": "auth-not-logged-in"},
    }
    bad = resolve(library, responses["400"])
    assert bad["content"]["application/vnd.example.org.error+json"]["examples"]["request-field-error"]["value"]["fields"] == {
        "name": ["This field is required"],
    }
    assert "Retry-After" in resolve(library, responses["429"])["headers"]


def test_security_schemes_from_the_authenticators() -> None:
    document = openapi(bulk.api, prefix="/api/")
    assert document["components"]["securitySchemes"] == {
        "tokenKey": {"type": "apiKey", "in": "header", "name": "Authorization",
                     "description": "An API key, sent as `Authorization: Token <key>`."},
        "session": document["components"]["securitySchemes"]["session"],
        "basic": document["components"]["securitySchemes"]["basic"],
    }
    assert document["components"]["securitySchemes"]["basic"]["scheme"] == "basic"
    notes = document["paths"]["/notes/"]["get"]["security"]
    # IsAuthenticated: no anonymous alternative.
    assert notes == [{"tokenKey": []}, {"session": []}, {"basic": []}]


def test_other_envelopes_describe_their_own_errors() -> None:
    status = openapi(extra.status_api, prefix="/status/")
    assert status["components"]["schemas"]["StatusEnvelopeError"]["properties"]["status"] == {"const": "error"}
    errors = openapi(extra.errors_api, prefix="/errors/")
    assert errors["components"]["schemas"]["ErrorListEnvelopeError"]["required"] == ["errors"]


class _WireEnvelope(Envelope):
    def error(self, error: WebAPIError) -> Any:
        return {"problem": error.msg}

    def openapi_shape(self) -> EnvelopeShape:
        return _WireShape()


class _WireShape(EnvelopeShape):
    def error(self) -> Schema:
        return {"type": "object", "required": ["problem"], "properties": {"problem": {"type": "string"}}}


class _CountResource(WebAPIResource):
    """How many there are."""

    name = "count"
    singleton = True

    @describe(responses=[Answer(200, {"type": "object", "properties": {"n": {"type": "integer"}}}, "The count.")])
    def get(self, request: Any, data: Any, **kwargs: str) -> APIResponse:
        """Count them.

        Every one of them.
        """
        return APIResponse({"n": 1})


def test_an_envelope_of_ones_own_and_described_payloads() -> None:
    api = API([_CountResource()], envelope=_WireEnvelope(), root=False)
    document = openapi(api)
    validate(document)
    assert "servers" not in document
    get = document["paths"]["/count/"]["get"]
    assert get["summary"] == "Count them."
    assert get["description"] == "Every one of them."
    assert get["responses"]["200"]["content"]["application/json"]["schema"] == {
        "type": "object", "properties": {"n": {"type": "integer"}},
    }
    assert document["components"]["schemas"]["_WireEnvelopeError"]["required"] == ["problem"]
    assert resolve(document, get["responses"]["404"])["content"]["application/json"]["examples"][
        "resource-does-not-exist"]["value"] == {"problem": "Object does not exist"}
    assert document["tags"] == [{"name": "count", "description": "How many there are."}]


def test_built_once_per_api_and_mount_point() -> None:
    api = API([_CountResource()], envelope=StatEnvelope())
    assert openapi(api, prefix="/a/") is openapi(api, prefix="/a/")
    assert openapi_json(api, prefix="/a/") is openapi_json(api, prefix="/a/")
    assert openapi(api, prefix="/b/")["servers"] == [{"url": "/b"}]


def test_the_core_never_imports_the_openapi_package() -> None:
    code = (
        "import pkgutil, importlib, sys, webapi_kit\n"
        "for m in pkgutil.iter_modules(webapi_kit.__path__, 'webapi_kit.'):\n"
        "    if m.name not in ('webapi_kit.openapi', 'webapi_kit.management'):\n"
        "        importlib.import_module(m.name)\n"
        "print(sorted(n for n in sys.modules if n.startswith('webapi_kit.openapi')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"},
    )
    assert result.stdout.strip() == "[]"


class _ShelfResource(WebAPIResource):
    """Shelves of the library."""

    name = "shelf"
    singleton = True
    fields = {"count": Int("Books on it.")}
    openapi_tags = ("furniture",)
    openapi_examples = ({"count": 3},)
    openapi_parameters = (Parameter("X-Branch", "header", {"type": "string"}, "Which branch.", required=True),)

    def get(self, request: Any, data: Any, **kwargs: str) -> Any:
        return None


def test_tags_examples_and_parameters_through_the_declarations() -> None:
    document = openapi(API([_ShelfResource()], root=False))
    validate(document)
    get = document["paths"]["/shelf/"]["get"]
    assert get["tags"] == ["furniture"]
    assert {"name": "X-Branch", "in": "header", "schema": {"type": "string"}, "description": "Which branch.",
            "required": True} in get["parameters"]
    shelf = document["components"]["schemas"]["shelf"]
    assert shelf["examples"] == [{"count": 3}]
    assert shelf["description"] == "Shelves of the library."
    assert shelf["properties"]["count"] == {"type": ["integer", "null"], "description": "Books on it."}
