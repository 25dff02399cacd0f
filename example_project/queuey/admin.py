"""Applications in the Django admin: the key is shown once, never stored in clear."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from queuey import services
from queuey.models import Application, Queue
from webapi_kit.authentication import hash_key


class QueueInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Queue
    extra = 0
    fields = ("name", "partitions", "type", "consistency", "principles", "created")
    readonly_fields = ("created",)


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "owner", "created")
    list_filter = ("owner",)
    search_fields = ("name", "owner__username")
    # key_hash is not editable on the model, so the form never shows it.
    fields = ("name", "owner")
    inlines = (QueueInline,)
    actions = ("rotate_keys",)

    def save_model(self, request: HttpRequest, obj: Application, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        key = services.new_key()
        obj.key_hash = hash_key(key)
        super().save_model(request, obj, form, change)
        self.message_user(request, f"The key of {obj.name} is {key} — copy it now, it is not shown again.", messages.WARNING)

    @admin.action(description="Give the selected applications new keys")
    def rotate_keys(self, request: HttpRequest, queryset: QuerySet[Application]) -> None:
        for app in queryset:
            key = services.rotate_key(app)
            self.message_user(request, f"The new key of {app.name} is {key} — copy it now.", messages.WARNING)
