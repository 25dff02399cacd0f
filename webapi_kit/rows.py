"""Item rows: a page of items kept as field values until it is rendered.

Most resources serialize every item the same way: the same fields read
straight off the object, then the same links, which differ only by the
item's URL. For those a page is an :class:`ItemRows`: one ``(values, href)``
pair per item and the resource's :class:`ItemShape`, which says what the
values mean. It is a ``Sequence`` of the usual item dicts, built on first
access, so an envelope or a test that looks at the items sees exactly what
``serialize_object`` would have made; a renderer that is handed an untouched
``ItemRows`` may write it without building the dicts at all (the XML
renderer does: that is what makes XML lists cheap).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, overload

__all__ = ["ItemRows", "ItemShape", "Row"]

#: One item: its field values in ``fields`` order, and its URL.
Row = tuple[tuple[Any, ...], str]


@dataclass(frozen=True, eq=False)
class ItemShape:
    """What every item of one resource looks like.

    ``links`` lists ``(rel, method, suffix)``: each link's ``href`` is the
    item's URL followed by ``suffix``. Computed once, when the API is
    assembled; compared by identity, so renderers can cache work per shape.
    """

    fields: tuple[str, ...]
    links: tuple[tuple[str, str, str], ...]
    #: Reads every field of an object at once (an ``operator.attrgetter``).
    read: Callable[[Any], tuple[Any, ...]]

    def __post_init__(self) -> None:
        # What item() makes of anything else is not what the rows say.
        rels = [rel for rel, _, _ in self.links]
        if not self.fields or not rels:
            raise ValueError("An item shape needs fields and links")
        if "links" in self.fields:
            raise ValueError('A field named "links" would be hidden by the links')
        if len(set(rels)) != len(rels) or len(set(self.fields)) != len(self.fields):
            raise ValueError("Field names and link names must not repeat")

    def item(self, values: tuple[Any, ...], href: str) -> dict[str, Any]:
        """The payload dict of one item: its fields in order, then ``links``."""
        item = dict(zip(self.fields, values))
        item["links"] = {rel: {"method": method, "href": href + suffix} for rel, method, suffix in self.links}
        return item


class ItemRows(Sequence[dict[str, Any]]):
    """A page of items of one shape, as rows; reads as a sequence of dicts."""

    __slots__ = ("shape", "rows", "_items")

    def __init__(self, shape: ItemShape, rows: list[Row]) -> None:
        self.shape = shape
        self.rows = rows
        self._items: list[dict[str, Any]] | None = None

    @property
    def materialized(self) -> bool:
        """Whether the dicts exist: then they, not the rows, are the items.

        Whoever read the items may have changed them, so renderers write the
        dicts from then on.
        """
        return self._items is not None

    def items(self) -> list[dict[str, Any]]:
        """The item dicts (built once, then the same list every time)."""
        if self._items is None:
            item = self.shape.item
            self._items = [item(values, href) for values, href in self.rows]
        return self._items

    def __len__(self) -> int:
        return len(self.rows)

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...

    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...

    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        return self.items()[index]

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.items())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ItemRows):
            other = other.items()
        return isinstance(other, list) and self.items() == other

    __hash__ = None  # type: ignore[assignment]  # mutable, like a list

    def __repr__(self) -> str:
        return f"ItemRows({self.items()!r})"
