"""The example project's OpenAPI documents, its docs pages, and the command that writes a document."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from openapi_spec_validator import validate

pytestmark = pytest.mark.django_db

SCHEMAS = ["/api/openapi.json", "/retry/openapi.json", "/queuey/openapi.json", "/datarouter/openapi.json"]


@pytest.mark.parametrize("url", SCHEMAS)
def test_every_api_serves_a_valid_document(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    document = response.json()
    validate(document)
    assert document["servers"] == [{"url": url.removesuffix("/openapi.json")}]
    # Served again from what was built: the same bytes, and a 304 for a client that has them.
    again = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    assert client.post(url).status_code == 405


def test_the_root_links_the_document_and_the_docs(client: Client) -> None:
    links = client.get("/api/", HTTP_ACCEPT="application/json").json()["links"]
    assert links["openapi"] == {"method": "GET", "href": "http://testserver/api/openapi.json"}
    assert links["docs"] == {"method": "GET", "href": "http://testserver/api/docs/"}


def document(client: Client, url: str) -> dict[str, Any]:
    return client.get(url).json()  # type: ignore[no-any-return]


def test_the_api_tree_has_every_service(client: Client) -> None:
    paths = document(client, "/api/openapi.json")["paths"]
    assert "/retry/requests/{retry_request_id}/attempts/{retry_attempt_id}/" in paths
    assert "/queuey/applications/{application_name}/queues/{queue_name}/messages/{message_key}/" in paths
    assert "/datarouter/feeds/{feed_id}/files/" in paths
    message = paths["/queuey/applications/{application_name}/queues/{queue_name}/messages/{message_key}/"]
    assert message["parameters"][2]["schema"]["pattern"] == "^(?:[0-9]{1,5}:[0-9a-fA-F]{32})$"
    publish = paths["/datarouter/feeds/{feed_id}/files/"]["post"]["requestBody"]["content"]
    assert set(publish) == {"multipart/form-data"}  # a required file travels only in multipart
    assert publish["multipart/form-data"]["schema"]["required"] == ["file_id", "file"]


def test_security_schemes_of_the_api_tree(client: Client) -> None:
    doc = document(client, "/api/openapi.json")
    schemes = doc["components"]["securitySchemes"]
    assert schemes["ownerId"] == {
        "type": "apiKey", "in": "header", "name": "X-Owner-ID",
        "description": "The owner the requests belong to (a label, not a secret).",
    }
    assert schemes["applicationKey"]["name"] == "Authorization"
    # Django users (a browser's session, HTTP Basic, an API token), or the service's own header.
    users = [{"session": []}, {"basic": []}, {"tokenKey": []}, {"loginSession": []}]
    assert doc["paths"]["/retry/requests/"]["get"]["security"] == [*users, {"ownerId": []}]
    # Queues: a key or a user, or no key at all for a public queue's messages.
    messages = doc["paths"]["/queuey/applications/{application_name}/queues/{queue_name}/messages/"]["get"]
    assert messages["security"] == [{"applicationKey": []}, *users, {}]


def test_native_surfaces_in_their_own_wire_formats(client: Client) -> None:
    retry = document(client, "/retry/openapi.json")
    assert retry["components"]["schemas"]["NativeEnvelopeError"]["required"] == ["errors"]
    created = retry["paths"]["/requests/"]["post"]["responses"]["200"]
    assert created["headers"]["Location"]["required"] is True
    assert created["content"]["application/json"]["schema"] == {"type": "object", "maxProperties": 0}

    queuey = document(client, "/queuey/openapi.json")
    assert queuey["components"]["schemas"]["QueueyEnvelopeError"]["properties"]["status"] == {"const": "error"}
    queues = queuey["paths"]["/v1/{application}"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert queues["required"] == ["status", "queues"]

    datarouter = document(client, "/datarouter/openapi.json")
    assert datarouter["components"]["schemas"]["DataRouterEnvelopeError"] == {
        "type": "object", "required": ["error"], "properties": {"error": {"type": "string"}},
    }
    feed = datarouter["paths"]["/feed/{feed_id}"]["get"]["responses"]
    assert set(feed["200"]["content"]) == {"application/vnd.att-dr.feed"}
    not_found = datarouter["components"]["responses"][feed["404"]["$ref"].rsplit("/", 1)[1]]
    assert set(not_found["content"]) == {"application/json"}
    publish = datarouter["paths"]["/publish/{feed_id}/{file_id}"]["put"]["responses"]["204"]
    assert publish["headers"]["X-ATT-DR-PUBLISH-ID"]["required"] is True


def test_created_objects_link_to_what_can_be_done_with_them(client: Client) -> None:
    post = document(client, "/api/openapi.json")["paths"]["/datarouter/feeds/"]["post"]["responses"]["201"]
    assert post["links"]["get_datarouter_feed_item"] == {
        "operationId": "datarouter_feed_item_get", "parameters": {"feed_id": "$response.body#/datarouter_feed/id"},
    }
    assert post["links"]["post_datarouter_subscription_list"]["operationId"] == "datarouter_subscription_list_post"


def test_the_docs_page_uses_packaged_assets_only(client: Client) -> None:
    response = client.get("/api/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'src="assets/swagger-ui-bundle.js"' in page
    assert "http://" not in page and "https://" not in page  # no CDN
    config = page.split('<script id="webapi-docs-config" type="application/json">')[1].split("</script>")[0]
    assert json.loads(config)["urls"] == [
        {"name": "webapi_kit example project", "url": "/api/openapi.json"},
        {"name": "retry (native)", "url": "/retry/openapi.json"},
        {"name": "queuey (native)", "url": "/queuey/openapi.json"},
        {"name": "datarouter (native)", "url": "/datarouter/openapi.json"},
    ]
    redoc = client.get("/api/docs/redoc/")
    assert redoc.status_code == 200 and b'src="../assets/redoc.standalone.js"' in redoc.content


@pytest.mark.parametrize(
    ("name", "content_type"),
    [("swagger-ui-bundle.js", "text/javascript; charset=utf-8"), ("swagger-ui.css", "text/css; charset=utf-8"),
     ("redoc.standalone.js", "text/javascript; charset=utf-8")],
)
def test_docs_assets_are_served(client: Client, name: str, content_type: str) -> None:
    response = client.get(f"/api/docs/assets/{name}")
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert len(b"".join(response.streaming_content)) > 1000  # type: ignore[attr-defined]


def test_only_known_assets(client: Client) -> None:
    assert client.get("/api/docs/assets/..%2Fsettings.py").status_code == 404
    assert client.get("/api/docs/assets/apps.py").status_code == 404


def test_the_command_writes_the_document() -> None:
    out = StringIO()
    call_command("webapi_openapi", "--api", "config.api.api", "--prefix", "api", "--title", "Example", stdout=out)
    written = json.loads(out.getvalue())
    validate(written)
    assert written["info"] == {"title": "Example", "version": "1.0"}
    assert written["servers"] == [{"url": "/api"}]
    with pytest.raises(CommandError, match="not a webapi_kit API"):
        call_command("webapi_openapi", "--api", "config.urls.urlpatterns", stdout=StringIO())
    with pytest.raises(CommandError, match="Cannot import"):
        call_command("webapi_openapi", "--api", "config.nothing.here", stdout=StringIO())
