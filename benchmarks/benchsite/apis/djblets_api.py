"""djblets: a ``WebAPIResource`` as Review Board writes them (Django 4.2 only)."""

from __future__ import annotations

from typing import Any

from djblets.webapi.decorators import webapi_request_fields
from djblets.webapi.fields import DateTimeFieldType, IntFieldType, StringFieldType
from djblets.webapi.resources.base import WebAPIResource
from djblets.webapi.resources.registry import register_resource_for_model

from benchsite.items.models import Item


class ItemResource(WebAPIResource):
    model = Item
    name = "item"
    uri_object_key = "item_id"
    mimetype_vendor = "bench"
    fields = {
        "id": {"type": IntFieldType, "description": "The item's ID."},
        "name": {"type": StringFieldType, "description": "The name."},
        "description": {"type": StringFieldType, "description": "What the item is."},
        "created": {"type": DateTimeFieldType, "description": "When it was created."},
        "count": {"type": IntFieldType, "description": "How many there are."},
    }
    # PUT and DELETE so every item carries update/delete links, as webapi_kit's do.
    allowed_methods = ("GET", "POST", "PUT", "DELETE")

    def has_access_permissions(self, request: Any, *args: Any, **kwargs: Any) -> bool:
        return True

    def has_list_access_permissions(self, request: Any, *args: Any, **kwargs: Any) -> bool:
        return True

    def has_modify_permissions(self, request: Any, *args: Any, **kwargs: Any) -> bool:
        return True

    def has_delete_permissions(self, request: Any, *args: Any, **kwargs: Any) -> bool:
        return True

    @webapi_request_fields(
        required={"name": {"type": StringFieldType, "description": "The name."}},
        optional={
            "description": {"type": StringFieldType, "description": "What the item is."},
            "count": {"type": IntFieldType, "description": "How many there are."},
        },
    )
    def create(self, request: Any, name: str, description: str = "", count: int = 0, *args: Any, **kwargs: Any) -> Any:
        item = Item.objects.create(name=name, description=description, count=count)
        return 201, {self.item_result_key: self.serialize_object(item, request=request, *args, **kwargs)}

    @webapi_request_fields(
        optional={
            "name": {"type": StringFieldType, "description": "The name."},
            "description": {"type": StringFieldType, "description": "What the item is."},
            "count": {"type": IntFieldType, "description": "How many there are."},
        },
    )
    def update(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        item = self.get_object(request, *args, **kwargs)
        for key in ("name", "description", "count"):
            if kwargs.get(key) is not None:
                setattr(item, key, kwargs[key])
        item.save()
        return 200, {self.item_result_key: self.serialize_object(item, request=request, *args, **kwargs)}


item_resource = ItemResource()
# How djblets finds the resource that serializes an object (Review Board does this too).
register_resource_for_model(Item, item_resource)
