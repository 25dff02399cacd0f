"""The default handlers, over a resource's ``model``.

Part of :class:`~webapi_kit.resource.WebAPIResource`: ``get``, ``get_list``
and ``delete`` work for any resource with a ``model``, scoped to the
parent's object through ``model_parent_key``; override ``get_queryset`` to
scope them further (to the caller's own objects, say).
"""

from __future__ import annotations

import functools
import inspect
import operator
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query import BaseIterable, ModelIterable
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init, pre_init
from django.http import HttpRequest

from webapi_kit.context import name_set, query_params
from webapi_kit.declarations import ResourceDeclarations
from webapi_kit.errors import DoesNotExist
from webapi_kit.pagination import Page, PageRequest, paginate, parse_page_request
from webapi_kit.responses import APIResponse

__all__ = ["ColumnRows", "ModelHandlers", "page_columns", "reads_as_columns"]


class ModelHandlers(ResourceDeclarations):
    """The default handlers of a resource with a ``model``."""

    def get_queryset(self, request: HttpRequest, is_list: bool = False, **kwargs: str) -> QuerySet[Any]:
        """The objects visible at this URL: the model's, under the parent's object.

        Override to scope by owner; lists also ``select_related`` every
        :class:`Related` field so their links cost no extra queries.
        """
        if self.model is None:
            raise NotImplementedError(f"{type(self).__name__} has no model; override get_queryset()")
        queryset = self.model._default_manager.all()
        lookup = self._parent_lookup
        if lookup:
            queryset = queryset.filter(**{name: kwargs[var] for name, var in lookup})
        if is_list and self._related:
            queryset = queryset.select_related(*self._related)
        return queryset

    def _compute_parent_lookup(self) -> list[tuple[str, str]]:
        """``(ORM lookup, URL variable)`` pairs that scope objects to their parents."""
        lookups: list[tuple[str, str]] = []
        path: list[str] = []
        resource: ResourceDeclarations = self
        while resource.parent is not None and resource.model_parent_key and resource.parent.uri_object_key:
            path.append(resource.model_parent_key)
            parent = resource.parent
            if not parent.singleton:
                lookups.append(("__".join([*path, parent.model_object_key]), parent.uri_object_key))
            resource = parent
        return lookups

    def get_object(self, request: HttpRequest, lock: bool = False, **kwargs: str) -> Any:
        """The object at an item URL, or :class:`DoesNotExist` (also for other owners' objects)."""
        queryset = self.get_queryset(request, is_list=False, **kwargs)
        if lock and connections[queryset.db].features.has_select_for_update:
            queryset = queryset.select_for_update()
        if self.singleton:
            obj = queryset.first()
            if obj is None:
                raise DoesNotExist()
            return obj
        try:
            return queryset.get(**{self.model_object_key: kwargs[self.uri_object_key]})
        except (ObjectDoesNotExist, ValueError, TypeError):
            raise DoesNotExist() from None

    def get_page_request(self, request: HttpRequest) -> PageRequest:
        return parse_page_request(query_params(request))

    def get(self, request: HttpRequest, data: Mapping[str, Any], **kwargs: str) -> Any:
        obj = self.get_object(request, **kwargs)  # type: ignore[arg-type]  # URL kwargs never include "lock"
        self.check_object_permissions(request, "GET", obj)
        return obj

    def get_list(self, request: HttpRequest, data: Mapping[str, Any], **kwargs: str) -> Page | APIResponse:
        """One page of the objects; ``?counts-only=1`` answers ``{"count": N}`` instead.

        ``counts-only`` is Review Board's: its clients (RBTools'
        ``counts_only=True``) read ``count`` without fetching any object.
        """
        return self.read_list(request, kwargs)

    def read_list(
        self, request: HttpRequest, kwargs: Mapping[str, str], columns: tuple[str, ...] | None = None
    ) -> Page | APIResponse:
        """What :meth:`get_list` answers; with ``columns``, a page of rows where it can.

        A page read only for its items' plain fields needs no model
        instances, and building them is a tenth of a list request. The
        pipeline passes ``columns`` (:func:`page_columns`) when it answers a
        list ``GET`` with the default ``get_list`` and nothing of yours will
        see the page: the page then holds rows of the model's columns
        (:class:`ColumnRows`), which carry the same attributes with the same
        values, unless the queryset could tell the difference
        (:func:`reads_as_columns`).
        """
        queryset = self.get_queryset(request, is_list=True, **kwargs)
        query = query_params(request)
        if _is_true(query.get("counts-only")):
            count = queryset.count()
            if not count:
                self._check_parent_exists(request, kwargs)
            return APIResponse({"count": count})
        page_request = self.get_page_request(request)
        expand = name_set(query.get("expand")) or frozenset()
        accessors = [
            accessor for child in self.item_child_resources
            if child.name_plural in expand and (accessor := child._reverse_accessor())
        ]
        if accessors:
            queryset = queryset.prefetch_related(*accessors)
        if columns is not None and self.model is not None and reads_as_columns(queryset, self.model):
            # Only the items' columns. only() costs an eighth of what rows save: not when they are all of them.
            queryset = queryset.all() if _is_every_column(self.model, columns) else queryset.only(*columns)
            queryset._iterable_class = ColumnRows  # as values_list() sets its own iterable
        page = paginate(queryset, page_request)
        if not page.items:
            # An empty list under a parent that does not exist is a 404, not [].
            self._check_parent_exists(request, kwargs)
        return page

    def _check_parent_exists(self, request: HttpRequest, kwargs: Mapping[str, str]) -> None:
        parent = self.parent
        if parent is not None and not parent.singleton and parent.model is not None:
            parent.get_object(request, **kwargs)  # type: ignore[arg-type]  # URL kwargs never include "lock"

    def delete(self, request: HttpRequest, data: Mapping[str, Any], **kwargs: str) -> None:
        obj = self.get_object(request, **kwargs)  # type: ignore[arg-type]  # URL kwargs never include "lock"
        self.check_object_permissions(request, "DELETE", obj)
        obj.delete()
        return None


def _is_true(value: str | None) -> bool:
    return value is not None and value.strip().lower() not in ("", "0", "false", "no", "off")


#: The descriptors Django gives plain concrete fields: they hand back what
#: was loaded, as a row does.
_PLAIN_DESCRIPTORS = (DeferredAttribute, ForeignKeyDeferredAttribute)


def page_columns(model: type[Model], names: Iterable[str]) -> tuple[str, ...] | None:
    """The columns items read, when they read ``names`` off ``model``'s objects.

    ``None`` unless a row of the model's columns (:class:`ColumnRows`)
    would answer each name exactly as an object does: every name is a
    concrete field's attribute (a foreign key's ``author_id``, not
    ``author``) behind Django's own descriptor, and the model builds its
    objects the standard way (no ``__new__``, ``__init__``, ``from_db``,
    attribute access or metaclass ``__call__`` of its own).
    """
    if (
        model.__new__ is not Model.__new__
        or model.__init__ is not Model.__init__
        or model.from_db.__func__ is not Model.from_db.__func__  # type: ignore[attr-defined]
        or model.__getattribute__ is not Model.__getattribute__
        or model.__setattr__ is not Model.__setattr__  # __init__ sets every field through it
        or type(model).__call__ is not type(Model).__call__
    ):
        return None
    concrete = {field.attname for field in model._meta.concrete_fields}
    columns = tuple(dict.fromkeys(names))
    for name in columns:
        # Exactly these: a FileField's descriptor, say, is a DeferredAttribute too.
        if name not in concrete or type(inspect.getattr_static(model, name, None)) not in _PLAIN_DESCRIPTORS:
            return None
    return columns


def reads_as_columns(queryset: Any, model: type[Model]) -> bool:
    """Whether ``queryset``'s page may be read as :class:`ColumnRows`.

    Only a queryset of ``model`` itself, of the plain ``QuerySet`` class (or
    one that only adds methods), not yet evaluated, whose objects nobody
    else builds or touches: no ``pre_init``/``post_init`` receivers, no
    related objects (``select_related``, ``prefetch_related``), and nothing
    that changes which rows or columns come back (``annotate``, ``extra``,
    ``distinct``, ``union``, ``values()``, ``only()``, ``defer()``).
    """
    if not isinstance(queryset, QuerySet) or queryset.model is not model or not _only_adds_methods(type(queryset)):
        return False
    query = queryset.query
    return not (
        queryset._iterable_class is not ModelIterable
        or queryset._result_cache is not None  # objects someone may have changed
        or queryset._prefetch_related_lookups  # type: ignore[attr-defined]
        or query.select_related or query.annotations or query.extra or query.distinct or query.combinator
        or query.deferred_loading != _NOTHING_DEFERRED
        or pre_init.has_listeners(model) or post_init.has_listeners(model)
    )


_NOTHING_DEFERRED: tuple[frozenset[str], bool] = (frozenset(), True)


class ColumnRows(BaseIterable):  # type: ignore[type-arg]  # generic only in the stubs
    """A queryset's rows in place of its objects: tuples with the columns as attributes.

    The query and the values are the ones ``ModelIterable`` builds objects
    from (the selected columns, converted by their fields), so a row
    answers ``row.name`` or ``row.author_id`` as the object would. Unlike
    ``values_list(named=True)``, it does not resolve each named field again
    on every request, which costs a third of what leaving out the objects
    saves.
    """

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        queryset = self.queryset
        compiler = queryset.query.get_compiler(using=queryset.db)
        results = compiler.execute_sql(chunked_fetch=self.chunked_fetch, chunk_size=self.chunk_size)
        select, fields = compiler.select, compiler.klass_info["select_fields"]
        start, end = fields[0], fields[-1] + 1
        row_class = _row_class(tuple(column[0].target.attname for column in select[start:end]), start)
        # In C: no Python code runs per row.
        return map(functools.partial(tuple.__new__, row_class), compiler.results_iter(results))


@functools.cache
def _is_every_column(model: type[Model], columns: tuple[str, ...]) -> bool:
    return set(columns) >= {field.attname for field in model._meta.concrete_fields}


@functools.cache
def _row_class(names: tuple[str, ...], start: int) -> type[tuple[Any, ...]]:
    """Rows of the selected values whose ``names`` start at index ``start``.

    Not a namedtuple, which refuses names such as ``_order``.
    """
    attributes: dict[str, Any] = {name: property(operator.itemgetter(start + i)) for i, name in enumerate(names)}
    return type("Row", (tuple,), {"__slots__": (), **attributes})


# What every class has of its own, not an override.
_CLASS_METADATA = frozenset({"__module__", "__qualname__", "__doc__", "__dict__", "__weakref__", "__annotations__",
                             "__orig_bases__", "__parameters__", "__firstlineno__", "__static_attributes__"})


@functools.cache
def _only_adds_methods(cls: type[QuerySet[Any]]) -> bool:
    """A QuerySet class overriding nothing of QuerySet's (custom filters are fine)."""
    own = set(vars(QuerySet)) - _CLASS_METADATA
    return not any(
        own.intersection(vars(base)) for base in cls.__mro__ if base is not QuerySet and issubclass(base, QuerySet)
    )
