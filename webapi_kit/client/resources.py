"""Resources built from payloads: fields as attributes, each link a method.

These base classes hold what the sync and async flavours share (reading
fields, finding links, expanding URI templates); :mod:`~webapi_kit.client.sync`
and :mod:`~webapi_kit.client.aio` add the methods that make requests.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from webapi_kit.client.errors import InvalidResponse, LinkNotFound
from webapi_kit.client.payloads import Answer, payload_key

__all__ = ["BaseItem", "BaseList", "Unpacked", "embedded", "item_url", "link_name", "unpack"]

#: Links that have their own method rather than ``get_<name>()``.
SPECIAL_LINKS = frozenset({"self", "create", "update", "delete"})


@dataclass(frozen=True)
class Unpacked:
    """One answer's payload, split the way resources need it."""

    kind: str  # "item" or "list"
    key: str | None
    fields: dict[str, Any]
    items: list[dict[str, Any]]
    links: dict[str, dict[str, Any]]
    total_results: int | None


def _links(value: Any, url: str) -> dict[str, dict[str, Any]]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(
        isinstance(link, dict) and isinstance(link.get("href"), str) for link in value.values()
    ):
        raise InvalidResponse(f"{url}: 'links' is not a map of {{href, method}} objects", status=200, url=url)
    return value


def unpack(answer: Answer) -> Unpacked:
    """Find the item or list in an answer's envelope (:class:`InvalidResponse` if there is none)."""
    data, url = answer.data, answer.url
    if data.get("stat", "ok") != "ok":
        raise InvalidResponse(f"{url} answered {answer.status} with stat {data.get('stat')!r}", status=answer.status, url=url)
    key = payload_key(data, url)
    if key is None:  # the root: links and URI templates only
        fields = {name: value for name, value in data.items() if name not in ("stat", "links")}
        return Unpacked("item", None, fields, [], _links(data.get("links"), url), None)
    value = data[key]
    if isinstance(value, list):
        if not all(isinstance(item, dict) for item in value):
            raise InvalidResponse(f"{url}: the list {key!r} holds something other than objects", status=answer.status, url=url)
        total = data.get("total_results")
        return Unpacked("list", key, {}, value, _links(data.get("links"), url), total if isinstance(total, int) else None)
    if isinstance(value, dict):
        fields = {name: field for name, field in value.items() if name != "links"}
        return Unpacked("item", key, fields, [], _links(value.get("links", data.get("links")), url), None)
    raise InvalidResponse(f"{url}: the payload {key!r} is neither an object nor a list", status=answer.status, url=url)


def embedded(raw: dict[str, Any], key: str | None, fallback_url: str) -> tuple[Unpacked, Answer]:
    """An object inside a page or an expansion, as if it had been fetched on its own (without an ETag)."""
    links = raw.get("links") or {}
    fields = {name: value for name, value in raw.items() if name != "links"}
    url = links["self"]["href"] if "self" in links else fallback_url
    return Unpacked("item", key, fields, [], links, None), Answer(200, url, "GET", {})


def item_url(unpacked: Unpacked, answer: Answer) -> str:
    """Where an item lives: its ``self`` link, else where it was read."""
    own = unpacked.links.get("self")
    return str(own["href"]) if own else answer.url


def link_name(attribute: str, links: Mapping[str, Any]) -> str | None:
    """The link ``get_<attribute>`` stands for (``-`` in link names is ``_`` in Python)."""
    if not attribute.startswith("get_"):
        return None
    wanted = attribute[4:]
    if wanted in links:
        return wanted
    return next((name for name in links if name.replace("-", "_") == wanted), None)


class _Base:
    """Links and the answer's metadata."""

    def __init__(self, links: dict[str, dict[str, Any]], *, url: str, etag: str | None, content_type: str | None) -> None:
        self._links = links
        self.self_url = url
        self.etag = etag
        self.media_type = content_type

    @property
    def links(self) -> Mapping[str, Mapping[str, Any]]:
        """The payload's ``links``: name to ``{"href", "method", "title"?}``."""
        return self._links

    def has_link(self, name: str) -> bool:
        return name in self._links

    def link(self, name: str) -> Mapping[str, Any]:
        """One link; :class:`LinkNotFound` names the ones there are."""
        try:
            return self._links[name]
        except KeyError:
            raise LinkNotFound(name, list(self._links)) from None

    def href(self, name: str) -> str:
        return str(self.link(name)["href"])


class BaseItem(_Base):
    """An object: its fields (``item.name`` or ``item["name"]``) and links."""

    def __init__(
        self,
        fields: dict[str, Any],
        links: dict[str, dict[str, Any]],
        *,
        url: str,
        key: str | None = None,
        etag: str | None = None,
        content_type: str | None = None,
    ) -> None:
        super().__init__(links, url=url, etag=etag, content_type=content_type)
        self._fields = fields
        #: The payload key the object came under (``"author"``); ``None`` for the root.
        self.payload_key = key

    @property
    def fields(self) -> Mapping[str, Any]:
        """The raw field values, as decoded from JSON or XML."""
        return self._fields

    def __getitem__(self, name: str) -> Any:
        return self._wrap(self._fields[name])

    def __contains__(self, name: object) -> bool:
        return name in self._fields

    def __iter__(self) -> Iterator[str]:
        return iter(self._fields)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        fields = self.__dict__.get("_fields", {})
        if name in fields:
            return self._wrap(fields[name])
        rel = link_name(name, self.__dict__.get("_links", {}))
        if rel is not None:
            return self._link_method(rel)
        if name.startswith("get_"):
            raise LinkNotFound(name[4:], list(self.__dict__.get("_links", {})))
        raise AttributeError(f"{type(self).__name__} has no field {name!r} (fields: {', '.join(fields) or 'none'})")

    def __dir__(self) -> list[str]:
        return sorted({*super().__dir__(), *self._fields, *(f"get_{n.replace('-', '_')}" for n in self._links)})

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.payload_key or 'root'} {self.self_url}>"

    def expand_template(self, name: str, **values: Any) -> str:
        """The URL of the root's ``uri_templates[name]`` with ``{variables}`` filled in (quoted)."""
        templates = self._fields.get("uri_templates")
        if not isinstance(templates, dict) or name not in templates:
            raise LinkNotFound(name, list(templates) if isinstance(templates, dict) else [])
        template = str(templates[name])
        try:
            return template.format_map({k: quote(str(v), safe=":@!$&'()*+,;=") for k, v in values.items()})
        except KeyError as exc:
            raise TypeError(f"template {name!r} ({template}) needs a value for {exc.args[0]!r}") from None

    # Subclasses: what a link method does, and how nested objects are wrapped.
    def _link_method(self, rel: str) -> Any:
        raise NotImplementedError

    def _nested(self, value: dict[str, Any]) -> Any:
        return value

    def _wrap(self, value: Any) -> Any:
        """Expanded objects (``?expand=``) that carry links become items too."""
        if isinstance(value, dict) and isinstance(value.get("links"), dict) and "self" in value["links"]:
            return self._nested(value)
        if isinstance(value, list) and value and all(
            isinstance(v, dict) and isinstance(v.get("links"), dict) and "self" in v["links"] for v in value
        ):
            return [self._nested(v) for v in value]
        return value


class BaseList(_Base):
    """One page of a list, and how to reach the others."""

    def __init__(
        self,
        key: str | None,
        items: list[dict[str, Any]],
        links: dict[str, dict[str, Any]],
        *,
        url: str,
        total_results: int | None,
        etag: str | None = None,
        content_type: str | None = None,
    ) -> None:
        super().__init__(links, url=url, etag=etag, content_type=content_type)
        #: The payload key (``"authors"``).
        self.payload_key = key
        self._page = items
        #: How many items the whole list holds, as the server counted it.
        self.total_results = total_results

    def __len__(self) -> int:
        """The whole list's length (``total_results``), not this page's."""
        return self.total_results if self.total_results is not None else len(self._page)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.payload_key} {len(self._page)} of {self.total_results} {self.self_url}>"

    def _range(self, index: slice) -> tuple[int, int]:
        if index.step not in (None, 1):
            raise ValueError("list slices take no step")
        start, stop, _ = index.indices(len(self))
        return start, max(start, stop)

    def _position(self, index: int) -> int:
        position = index + len(self) if index < 0 else index
        if not 0 <= position < len(self):
            raise IndexError(f"index {index} is outside a list of {len(self)}")
        return position

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        rel = link_name(name, self.__dict__.get("_links", {}))
        if rel is not None:
            return self._link_method(rel)
        if name.startswith("get_"):
            raise LinkNotFound(name[4:], list(self.__dict__.get("_links", {})))
        raise AttributeError(f"{type(self).__name__} has no attribute {name!r}")

    def _link_method(self, rel: str) -> Any:
        raise NotImplementedError
