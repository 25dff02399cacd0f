"""The four benchmarked requests, spelled for each framework.

JSON is asked for with ``Accept: application/json`` and XML with
``Accept: application/xml`` everywhere. Creates send JSON, except to djblets,
which only reads form bodies.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from urllib.parse import urlencode

ENDPOINTS = ("list_json", "list_xml", "item", "create")
ENDPOINT_TITLES = {
    "list_json": "list of 25 (JSON)",
    "list_xml": "list of 25 (XML)",
    "item": "one item (JSON)",
    "create": "create (POST)",
}
ITEM_ID = 500
CREATE_FIELDS = {"name": "A new item", "description": "Created by the benchmark.", "count": 7}

JSON = "application/json"
XML = "application/xml"


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    accept: str
    status: int
    body: bytes = b""
    content_type: str = ""
    headers: dict[str, str] = field(default_factory=dict)


_LIST = {
    "plain": "/plain/items/",
    "webapi_kit": "/wk/items/",
    "drf": "/drf/items/",
    "tastypie": "/tp/v1/item/",
    "djblets": "/dj/items/",
}


def calls(framework: str) -> dict[str, Call]:
    list_path = _LIST[framework]
    if framework == "djblets":
        body, content_type = urlencode(CREATE_FIELDS).encode(), "application/x-www-form-urlencoded"
    else:
        body, content_type = json.dumps(CREATE_FIELDS).encode(), JSON
    return {
        "list_json": Call("GET", list_path, JSON, 200),
        "list_xml": Call("GET", list_path, XML, 200),
        "item": Call("GET", f"{list_path}{ITEM_ID}/", JSON, 200),
        "create": Call("POST", list_path, JSON, 201, body, content_type),
    }
