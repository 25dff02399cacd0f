"""The authors-and-books models the djblets captures were made against."""

from __future__ import annotations

import uuid

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


# --- Models of tests/webapi_kit/test_page_columns_edges.py (pages read as rows). ---


class Shout(models.CharField):
    """Reads back upper-cased: a converter that objects and rows both go through."""

    def from_db_value(self, value: str | None, expression: object, connection: object) -> str | None:
        return None if value is None else value.upper() + "!"


class Person(models.Model):
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Hero(Person):
    """Multi-table inheritance: its primary key is ``person_ptr_id``."""

    rank = models.IntegerField(default=0)

    class Meta:
        ordering = ["id"]


class Quest(models.Model):
    person = models.ForeignKey(Person, related_name="quests", on_delete=models.CASCADE)
    title = models.CharField(max_length=100)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title


class Gadget(models.Model):
    """A field of each kind that converts on the way out of the database."""

    uid = models.UUIDField(primary_key=True, default=uuid.uuid4)
    slug = models.SlugField(unique=True)
    label = Shout(max_length=50)
    price = models.DecimalField(max_digits=9, decimal_places=3, null=True)
    data = models.JSONField(null=True)
    flag = models.BooleanField(default=False)
    day = models.DateField(null=True)
    ratio = models.FloatField(null=True)
    maker = models.ForeignKey(Person, null=True, on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.slug


class Keyed(models.Model):
    code = Shout(max_length=20, unique=True)

    def __str__(self) -> str:
        return self.code


class KeyedChild(models.Model):
    """A foreign key to a converted, non-primary-key field."""

    parent = models.ForeignKey(Keyed, to_field="code", on_delete=models.CASCADE)

    class Meta:
        ordering = ["id"]


class HookQuerySet(models.QuerySet):
    """Post-processes what it fetched, as a decrypting or redacting queryset would."""

    def _fetch_all(self) -> None:
        super()._fetch_all()
        for obj in self._result_cache or ():
            obj.label = obj.label.lower()


class Hooked(models.Model):
    label = models.CharField(max_length=50)
    objects = HookQuerySet.as_manager()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.label


class Tally(models.Model):
    """Columns named like tuple methods (``count``, ``index``), and ``_order``."""

    person = models.ForeignKey(Person, related_name="tallies", on_delete=models.CASCADE)
    count = models.IntegerField()
    index = models.IntegerField()

    class Meta:
        order_with_respect_to = "person"
