"""Payloads and links: how a resource turns its objects into data.

Part of :class:`~webapi_kit.resource.WebAPIResource`; any method here may be
overridden on a resource. The common case (plain attributes, no ``expand``,
no field filters) reads every field with one ``attrgetter`` computed when
the API is assembled and builds links from precomputed suffixes: no URL
reversing and no lookups per item. For renderers that accept them, its
pages are :class:`~webapi_kit.rows.ItemRows`, written without building a
dict per item.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from webapi_kit.context import RequestContext
from webapi_kit.declarations import ResourceDeclarations
from webapi_kit.links import Link, path_segment
from webapi_kit.rows import ItemRows

__all__ = ["Serialization"]


class Serialization(ResourceDeclarations):
    """Serialization and links of a resource."""

    def get_href(self, obj: Any, ctx: RequestContext) -> str:
        """The absolute URL of one object of this resource."""
        if self._href_is_list_url_plus_key:
            return f"{ctx.base_url}{self.list_template.template}{_segment(getattr(obj, self.model_object_key))}/"
        return ctx.base_url + self.item_template.expand(self.get_url_kwargs(obj, ctx.kwargs))

    def get_url_kwargs(self, obj: Any, known: Mapping[str, str] | None = None) -> dict[str, str]:
        """The URL variables that locate ``obj``: its key and its parents' keys.

        Parents' keys come from ``known`` (the request's URL variables) when
        present there, else from the object through ``model_parent_key``.
        """
        kwargs: dict[str, str] = {}
        if not self.singleton:
            kwargs[self.uri_object_key] = str(getattr(obj, self.model_object_key))
        needed = [v for v in self.item_template.variables if v not in kwargs]
        if not needed:
            return kwargs
        if known is not None and all(v in known for v in needed):
            kwargs.update({v: known[v] for v in needed})
            return kwargs
        parent = self.parent
        if parent is not None and self.model_parent_key:
            if parent.model_object_key in ("pk", "id") and hasattr(obj, f"{self.model_parent_key}_id") and not [
                v for v in parent.item_template.variables if v != parent.uri_object_key
            ]:
                kwargs[parent.uri_object_key] = str(getattr(obj, f"{self.model_parent_key}_id"))
            else:
                kwargs.update(parent.get_url_kwargs(getattr(obj, self.model_parent_key)))
        elif known is not None:
            kwargs.update({v: known[v] for v in needed if v in known})
        return kwargs

    def get_link_title(self, obj: Any) -> str:
        """The ``title`` of links pointing at ``obj`` from other resources."""
        return str(obj)

    def get_last_modified(self, obj: Any) -> datetime | None:
        if self.last_modified_field is None:
            return None
        value = getattr(obj, self.last_modified_field, None)
        return value if isinstance(value, datetime) else None

    def serialize_list(self, objs: Sequence[Any], ctx: RequestContext, list_url: str | None = None) -> Sequence[Any]:
        """Serialize a page; items share the list's URL instead of building their own.

        Returns :class:`~webapi_kit.rows.ItemRows` when every item takes the
        common path of :meth:`serialize_object` (and it is not overridden)
        and the renderer accepts rows, else a list of dicts: either reads
        as a sequence of item dicts.
        """
        plain = ctx.is_plain() and ctx.format.renderer.accepts_rows
        shape = self._page_shape if plain else None
        if list_url is not None and self._hrefs_from_keys:
            try:
                keys = list(map(self._read_key, objs))
            except AttributeError:  # objects of another class than the model's (a parent's, say)
                keys = [getattr(obj, self.model_object_key) for obj in objs]
            # Integer keys (most keys) inline: a call per item shows in the page's time.
            hrefs = [f"{list_url}{key}/" if type(key) is int else f"{list_url}{_segment(key)}/" for key in keys]
            if shape is not None:
                return ItemRows(shape, list(zip(map(shape.read, objs), hrefs)))
            return [self.serialize_object(obj, ctx, href=href) for obj, href in zip(objs, hrefs)]
        if shape is not None:
            return ItemRows(shape, [(shape.read(obj), self.get_href(obj, ctx)) for obj in objs])
        return [self.serialize_object(obj, ctx) for obj in objs]

    def serialize_object(self, obj: Any, ctx: RequestContext, href: str | None = None) -> dict[str, Any]:
        """One object as a payload dict: its fields in order, then ``links``."""
        if href is None:
            href = self.get_href(obj, ctx)
        shape = self._item_shape
        if shape is not None and ctx.is_plain():
            # The common case, kept cheap: one C call reads every field.
            return shape.item(shape.read(obj), href)
        only = ctx.only_fields
        expand = ctx.expand
        data: dict[str, Any] = {}
        related_links: dict[str, Link] = {}
        expanded: dict[str, Any] = {}
        for field_name, getter in self._field_getters:
            if only is not None and field_name not in only:
                continue
            # No default: a misspelt field must fail loudly, not become null.
            value = getter(obj, ctx) if getter is not None else getattr(obj, field_name)
            related = self._related.get(field_name)
            if related is not None:
                target = related.resolved
                assert target is not None
                if value is None:
                    data[field_name] = None
                elif field_name in expand:
                    nested = ctx.nested(expand - {field_name})
                    data[field_name] = target.serialize_object(value, nested)
                    expanded[field_name] = {
                        "item_mimetype": target.formats["item"].for_renderer(ctx.format.renderer).content_type
                    }
                else:
                    related_links[field_name] = {
                        "method": "GET", "href": target.get_href(value, ctx), "title": target.get_link_title(value)
                    }
                continue
            data[field_name] = value

        links: dict[str, Link] = {"self": {"method": "GET", "href": href}}
        for rel, method in self._item_link_methods:
            links[rel] = {"method": method, "href": href}
        for child in self.item_child_resources:
            child_url = href + child.uri_name + "/"
            if child.name_plural in expand and not child.singleton:
                data[child.name_plural] = child.serialize_children(self, obj, ctx.nested(expand - {child.name_plural}), child_url)
                expanded[child.name_plural] = {
                    "item_mimetype": child.formats["item"].for_renderer(ctx.format.renderer).content_type,
                    "list_mimetype": child.formats["list"].for_renderer(ctx.format.renderer).content_type,
                    "list_url": child_url,
                }
                continue
            links[child.name if child.singleton else child.name_plural] = {"method": "GET", "href": child_url}
        links.update(related_links)
        if ctx.only_links is not None:
            links = {rel: value for rel, value in links.items() if rel in ctx.only_links}
        if expanded:
            data = {"_expanded": expanded, **data}
        if ctx.only_links is None or ctx.only_links:
            data["links"] = links
        return data

    def serialize_children(self, parent: Serialization, parent_obj: Any, ctx: RequestContext, list_url: str) -> Sequence[Any]:
        """This (child) resource's objects under ``parent_obj``, for ``?expand=``."""
        kwargs = {**ctx.kwargs, **parent.get_url_kwargs(parent_obj, ctx.kwargs)}
        prefetched = getattr(parent_obj, "_prefetched_objects_cache", {}).get(self._reverse_accessor())
        objs = list(prefetched) if prefetched is not None else list(self.get_queryset(ctx.request, is_list=True, **kwargs))
        child_ctx = replace(ctx, kwargs=kwargs)
        return self.serialize_list(objs, child_ctx, list_url)

    def _reverse_accessor(self) -> str | None:
        if self.model is None or not self.model_parent_key:
            return None
        foreign_key = self.model._meta.get_field(self.model_parent_key)
        return foreign_key.remote_field.get_accessor_name()  # type: ignore[union-attr]


def _segment(value: Any) -> str:
    """A URL path segment for a key; integers (most keys) need no quoting."""
    return str(value) if type(value) is int else path_segment(str(value))
