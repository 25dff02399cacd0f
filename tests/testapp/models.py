"""The authors-and-books models the djblets captures were made against."""

from __future__ import annotations

from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=100)
    bio = models.TextField(blank=True, default="")
    birth_year = models.IntegerField(null=True, blank=True)
    photo = models.FileField(upload_to="photos/", blank=True, default="")
    timestamp = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Book(models.Model):
    author = models.ForeignKey(Author, related_name="books", on_delete=models.CASCADE)
    title = models.CharField(max_length=200)
    year = models.IntegerField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title


# --- Models of tests/testapp/bulk.py (pagination, auth, throttling tests). ---


class Row(models.Model):
    """A bare row, bulk-created by the hundred thousand to page through."""

    n = models.IntegerField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"row {self.n}"


class ApiKey(models.Model):
    """An API key, stored hashed (``webapi_kit.authentication.hash_key``)."""

    user = models.ForeignKey("auth.User", related_name="api_keys", on_delete=models.CASCADE)
    key_hash = models.CharField(max_length=64, unique=True)

    def __str__(self) -> str:
        return f"key of {self.user_id}"


class Note(models.Model):
    """A note owned by a user: object permissions and the exact-count throttle."""

    owner = models.ForeignKey("auth.User", related_name="notes", on_delete=models.CASCADE)
    text = models.CharField(max_length=200)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.text
