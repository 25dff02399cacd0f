"""The floor: hand-written Django views, JSON through ``JsonResponse``, XML by string building.

The same page (25 items, one query for the page and one for the count),
the same fields, no links: the least a view can do and still be an API.
"""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any
from xml.sax.saxutils import escape

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.csrf import csrf_exempt

from benchsite.items.models import Item

PAGE = 25


def _item(obj: Item) -> dict[str, Any]:
    return {
        "id": obj.id,
        "name": obj.name,
        "description": obj.description,
        "created": obj.created.isoformat(),
        "count": obj.count,
    }


def _wants_xml(request: HttpRequest) -> bool:
    return "xml" in request.headers.get("Accept", "")


def _xml_fields(obj: Item) -> str:
    # Hand-written, as a view tuned for speed would: escape the text fields only.
    return (
        f"<item><id>{obj.id}</id><name>{escape(obj.name)}</name>"
        f"<description>{escape(obj.description)}</description>"
        f"<created>{obj.created.isoformat()}</created><count>{obj.count}</count></item>"
    )


def _xml_response(inner: str) -> HttpResponse:
    body = f'<?xml version="1.0" encoding="utf-8"?>\n<rsp><stat>ok</stat>{inner}</rsp>'
    return HttpResponse(body.encode("utf-8"), content_type="application/xml")


@csrf_exempt
def item_list(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return create(request)
    queryset = Item.objects.all()
    total = queryset.count()
    objs = list(queryset[:PAGE])
    if _wants_xml(request):
        page = "".join(_xml_fields(obj) for obj in objs)
        return _xml_response(f"<items><array>{page}</array></items><total_results>{total}</total_results>")
    return JsonResponse({"stat": "ok", "items": [_item(obj) for obj in objs], "total_results": total})


def item_detail(request: HttpRequest, item_id: int) -> HttpResponse:
    obj = get_object_or_404(Item, pk=item_id)
    if _wants_xml(request):
        return _xml_response(_xml_fields(obj))
    return JsonResponse({"stat": "ok", "item": _item(obj)})


def create(request: HttpRequest) -> HttpResponse:
    try:
        data = json.loads(request.body)
        name = data["name"]
        if not isinstance(name, str) or not name or len(name) > 100:
            raise ValueError("name")
        fields = {"name": name, "description": str(data.get("description", "")), "count": int(data.get("count", 0))}
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"stat": "fail"}, status=HTTPStatus.BAD_REQUEST)
    obj = Item.objects.create(**fields)
    return JsonResponse({"stat": "ok", "item": _item(obj)}, status=HTTPStatus.CREATED)
