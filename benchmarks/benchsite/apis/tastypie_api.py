"""tastypie: a ModelResource with its defaults (resource_uri per item, meta with total_count)."""

from __future__ import annotations

from tastypie.api import Api
from tastypie.authorization import Authorization
from tastypie.resources import ModelResource

from benchsite.items.models import Item


class ItemResource(ModelResource):
    class Meta:
        queryset = Item.objects.all()
        resource_name = "item"
        fields = ["id", "name", "description", "created", "count"]
        list_allowed_methods = ["get", "post"]
        detail_allowed_methods = ["get"]
        authorization = Authorization()
        always_return_data = True
        limit = 25
        max_limit = 200


api = Api(api_name="v1")
api.register(ItemResource())
