"""Django REST framework: ModelSerializer + generic views, LimitOffsetPagination (25)."""

from __future__ import annotations

from rest_framework import generics, serializers

from benchsite.items.models import Item


class ItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = Item
        fields = ["id", "name", "description", "created", "count"]
        read_only_fields = ["id", "created"]


class ItemList(generics.ListCreateAPIView):
    queryset = Item.objects.all()
    serializer_class = ItemSerializer


class ItemDetail(generics.RetrieveAPIView):
    queryset = Item.objects.all()
    serializer_class = ItemSerializer
