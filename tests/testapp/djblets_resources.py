"""The captures' resources written for djblets 6.1, over the same models.

Only imported when djblets is installed (the tox ``django42`` env); the live
comparison in ``tests/webapi_kit/test_djblets_live.py`` mounts them at
``djblets-api/`` next to webapi_kit's ``api/``.
"""

from __future__ import annotations

from typing import Any

from djblets.webapi.decorators import webapi_login_required, webapi_request_fields, webapi_response_errors
from djblets.webapi.errors import DOES_NOT_EXIST, INVALID_FORM_DATA, NOT_LOGGED_IN, PERMISSION_DENIED
from djblets.webapi.fields import DateTimeFieldType, FileFieldType, IntFieldType, StringFieldType
from djblets.webapi.resources.base import WebAPIResource
from djblets.webapi.resources.registry import register_resource_for_model
from djblets.webapi.resources.root import RootResource

from tests.testapp.models import Author, Book

VENDOR = "example.org"


class _Base(WebAPIResource):
    mimetype_vendor = VENDOR
    allowed_methods = ("GET", "POST", "PUT", "DELETE")
    autogenerate_etags = True

    def has_modify_permissions(self, request: Any, obj: Any, *args: Any, **kwargs: Any) -> bool:
        return bool(request.user.is_authenticated)

    def has_delete_permissions(self, request: Any, obj: Any, *args: Any, **kwargs: Any) -> bool:
        return bool(request.user.is_authenticated)


class DjbletsBookResource(_Base):
    model = Book
    name = "book"
    uri_object_key = "book_id"
    model_parent_key = "author"
    fields = {
        "id": {"type": IntFieldType, "description": "The book's ID."},
        "title": {"type": StringFieldType, "description": "The title."},
        "year": {"type": IntFieldType, "description": "Year of publication."},
        "author": {"type": StringFieldType, "description": "The book's author."},
    }

    def get_queryset(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        return Book.objects.filter(author=kwargs["author_id"])

    @webapi_login_required
    @webapi_response_errors(DOES_NOT_EXIST, INVALID_FORM_DATA, NOT_LOGGED_IN)
    @webapi_request_fields(
        required={"title": {"type": StringFieldType, "description": "The title."}},
        optional={"year": {"type": IntFieldType, "description": "Year."}},
    )
    def create(self, request: Any, title: str, year: int | None = None, *args: Any, **kwargs: Any) -> Any:
        try:
            author = Author.objects.get(pk=kwargs["author_id"])
        except Author.DoesNotExist:
            return DOES_NOT_EXIST
        book = Book.objects.create(author=author, title=title, year=year)
        return 201, {self.item_result_key: self.serialize_object(book, request=request)}


class DjbletsAuthorResource(_Base):
    model = Author
    name = "author"
    uri_object_key = "author_id"
    last_modified_field = "timestamp"
    item_child_resources = [DjbletsBookResource()]
    fields = {
        "id": {"type": IntFieldType, "description": "The author's ID."},
        "name": {"type": StringFieldType, "description": "The author's name."},
        "bio": {"type": StringFieldType, "description": "A short biography."},
        "birth_year": {"type": IntFieldType, "description": "Year of birth."},
        "photo_name": {"type": StringFieldType, "description": "File name of the photo."},
        "photo_size": {"type": IntFieldType, "description": "Size of the photo."},
        "timestamp": {"type": DateTimeFieldType, "description": "Last change."},
    }

    def serialize_photo_name_field(self, obj: Author, request: Any = None, **kwargs: Any) -> str:
        return obj.photo.name.rsplit("/", 1)[-1] if obj.photo else ""

    def serialize_photo_size_field(self, obj: Author, request: Any = None, **kwargs: Any) -> int:
        return obj.photo.size if obj.photo else 0

    @webapi_login_required
    @webapi_response_errors(INVALID_FORM_DATA, NOT_LOGGED_IN)
    @webapi_request_fields(
        required={"name": {"type": StringFieldType, "description": "Name."}},
        optional={
            "bio": {"type": StringFieldType, "description": "Bio."},
            "birth_year": {"type": IntFieldType, "description": "Year."},
            "photo": {"type": FileFieldType, "description": "Photo."},
        },
    )
    def create(self, request: Any, name: str, *args: Any, **kwargs: Any) -> Any:
        author = Author(name=name, bio=kwargs.get("bio") or "", birth_year=kwargs.get("birth_year"))
        photo = kwargs.get("photo")
        if photo is not None:
            author.photo.save(photo.name, photo, save=False)
        author.save()
        return 201, {self.item_result_key: self.serialize_object(author, request=request)}

    @webapi_login_required
    @webapi_response_errors(DOES_NOT_EXIST, INVALID_FORM_DATA, NOT_LOGGED_IN, PERMISSION_DENIED)
    @webapi_request_fields(
        optional={
            "name": {"type": StringFieldType, "description": "Name."},
            "bio": {"type": StringFieldType, "description": "Bio."},
            "birth_year": {"type": IntFieldType, "description": "Year."},
            "photo": {"type": FileFieldType, "description": "Photo."},
        },
    )
    def update(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            author = self.get_object(request, *args, **kwargs)
        except Author.DoesNotExist:
            return DOES_NOT_EXIST
        if not self.has_modify_permissions(request, author):
            return self.get_no_access_error(request)
        for key in ("name", "bio", "birth_year"):
            if kwargs.get(key) is not None:
                setattr(author, key, kwargs[key])
        photo = kwargs.get("photo")
        if photo is not None:
            author.photo.save(photo.name, photo, save=False)
        author.save()
        return 200, {self.item_result_key: self.serialize_object(author, request=request)}


class DjbletsRootResource(RootResource):
    mimetype_vendor = VENDOR


author_resource = DjbletsAuthorResource()
root_resource = DjbletsRootResource([author_resource])
register_resource_for_model(Author, author_resource)
register_resource_for_model(Book, author_resource.item_child_resources[0])
