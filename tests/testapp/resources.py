"""The resources of the djblets comparison, written as the tutorial shows."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from webapi_kit.fields import DateTime, File, Int, String, request_fields
from webapi_kit.api import API
from webapi_kit.permissions import IsAuthenticatedOrReadOnly
from webapi_kit.relations import Related
from webapi_kit.resource import RequestContext, WebAPIResource
from tests.testapp.models import Author, Book


class BookResource(WebAPIResource):
    name = "book"
    model = Book
    model_parent_key = "author"
    fields = {
        "id": Int("The book's ID."),
        "title": String("The title.", max_length=200),
        "year": Int("Year of publication."),
        "author": Related("author", "The book's author."),
    }
    allowed_methods = ("GET", "POST", "PUT", "DELETE")

    @request_fields(
        required={"title": String(max_length=200)},
        optional={"year": Int(min_value=0)},
    )
    def create(self, request: HttpRequest, data: dict[str, Any], author_id: str) -> Book:
        author = AuthorResource.find(request, author_id)
        return Book.objects.create(author=author, **data)

    @request_fields(optional={"title": String(max_length=200), "year": Int(min_value=0)})
    def update(self, request: HttpRequest, data: dict[str, Any], **kwargs: str) -> Book:
        book = self.get_object(request, **kwargs)
        for key, value in data.items():
            setattr(book, key, value)
        book.save()
        return book


class AuthorResource(WebAPIResource):
    name = "author"
    model = Author
    last_modified_field = "timestamp"
    fields = {
        "id": Int("The author's ID."),
        "name": String("The author's name."),
        "bio": String("A short biography."),
        "birth_year": Int("Year of birth."),
        "photo_name": String("File name of the photo."),
        "photo_size": Int("Size of the photo in bytes."),
        "timestamp": DateTime("When the author was last changed."),
    }
    allowed_methods = ("GET", "POST", "PUT", "DELETE")
    permission_classes = [IsAuthenticatedOrReadOnly]
    item_child_resources = [BookResource()]

    @staticmethod
    def find(request: HttpRequest, author_id: str) -> Author:
        return author_resource.get_object(request, author_id=author_id)  # type: ignore[no-any-return]

    def serialize_photo_name_field(self, obj: Author, ctx: RequestContext) -> str:
        return obj.photo.name.rsplit("/", 1)[-1] if obj.photo else ""

    def serialize_photo_size_field(self, obj: Author, ctx: RequestContext) -> int:
        return obj.photo.size if obj.photo else 0

    @request_fields(
        required={"name": String(max_length=100)},
        optional={"bio": String(), "birth_year": Int(), "photo": File()},
    )
    def create(self, request: HttpRequest, data: dict[str, Any]) -> Author:
        return Author.objects.create(**data)

    @request_fields(
        optional={"name": String(max_length=100), "bio": String(), "birth_year": Int(), "photo": File()},
    )
    def update(self, request: HttpRequest, data: dict[str, Any], author_id: str) -> Author:
        author: Author = self.get_object(request, author_id=author_id)
        photo = data.pop("photo", None)
        for key, value in data.items():
            setattr(author, key, value)
        if photo is not None:
            author.photo.save(photo.name, photo, save=False)
        author.save()
        return author


author_resource = AuthorResource()
api = API([author_resource], mimetype_vendor="example.org")
