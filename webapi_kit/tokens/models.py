"""``APIToken``: a user's credential for API clients, kept as a hash."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

__all__ = ["APIToken"]


class APIToken(models.Model):
    """One token of one user. Only its SHA-256 is stored; ``prefix`` lets its owner tell tokens apart."""

    user: models.ForeignKey[Any, Any] = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webapi_tokens")
    note: models.CharField[str, str] = models.CharField(max_length=200, blank=True, default="", help_text="What the token is for.")
    token_hash: models.CharField[str, str] = models.CharField(max_length=64, unique=True, editable=False)
    prefix: models.CharField[str, str] = models.CharField(max_length=12, editable=False)
    created: models.DateTimeField[Any, Any] = models.DateTimeField(default=timezone.now, editable=False)
    last_used: models.DateTimeField[Any, Any] = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ("user", "created", "pk")
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.note})" if self.note else f"{self.prefix}…"
