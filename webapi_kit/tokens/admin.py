"""Tokens in the Django admin: made for a user, shown once, revoked by deleting."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest

from webapi_kit.tokens.models import APIToken
from webapi_kit.tokens.services import new_key, set_key


@admin.register(APIToken)
class APITokenAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("prefix", "user", "note", "created", "last_used")
    list_filter = ("user",)
    search_fields = ("note", "prefix", "user__username")
    readonly_fields = ("prefix", "created", "last_used")

    def get_fields(self, request: HttpRequest, obj: APIToken | None = None) -> Any:
        return ("user", "note") if obj is None else ("user", "note", "prefix", "created", "last_used")

    def get_readonly_fields(self, request: HttpRequest, obj: APIToken | None = None) -> Any:
        # A token's user never changes: a new user gets a new token.
        return self.readonly_fields if obj is None else ("user", *self.readonly_fields)

    def save_model(self, request: HttpRequest, obj: APIToken, form: Any, change: bool) -> None:
        key = None
        if not change:
            key = new_key()
            set_key(obj, key)
        super().save_model(request, obj, form, change)
        if key is not None:
            self.message_user(
                request, f"The new token for {obj.user} is {key} — copy it now, it is not shown again.",
                messages.WARNING,
            )
