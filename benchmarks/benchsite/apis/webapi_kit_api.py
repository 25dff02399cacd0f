"""webapi_kit: the complete dialect (negotiation, envelope, ETag) with full links."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from benchsite.items.models import Item
from webapi_kit import API, WebAPIResource, request_fields
from webapi_kit.fields import DateTime, Int, String


class ItemResource(WebAPIResource):
    name = "item"
    model = Item
    fields = {
        "id": Int("The item's ID."),
        "name": String("The name."),
        "description": String("What the item is."),
        "created": DateTime("When it was created."),
        "count": Int("How many there are."),
    }
    # PUT and DELETE so every item carries update/delete links, as djblets' do.
    allowed_methods = ("GET", "POST", "PUT", "DELETE")

    @request_fields(
        required={"name": String(max_length=100)},
        optional={"description": String(), "count": Int()},
    )
    def create(self, request: HttpRequest, data: dict[str, Any]) -> Item:
        return Item.objects.create(**data)

    @request_fields(optional={"name": String(max_length=100), "description": String(), "count": Int()})
    def update(self, request: HttpRequest, data: dict[str, Any], item_id: str) -> Item:
        item: Item = self.get_object(request, item_id=item_id)
        for key, value in data.items():
            setattr(item, key, value)
        item.save()
        return item


api = API([ItemResource()], mimetype_vendor="bench")
