"""Fields of a payload that point at objects of another resource."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from webapi_kit.resource import WebAPIResource

__all__ = ["Related"]


class Related:
    """A field whose value is an object of another resource.

    In a payload it becomes a link (``links.<field>``, titled with the
    object's link title) unless the client asks ``?expand=<field>``, in which
    case the object is embedded in full. ``resource`` is the resource's
    ``name`` (resolved once the API is assembled, so two resources can point
    at each other) or the resource object itself.

    On list requests the related objects are fetched with
    ``select_related``, so a page costs one query however many links it has.
    """

    __slots__ = ("_resource", "description", "resolved")

    def __init__(self, resource: str | WebAPIResource, description: str = "") -> None:
        self._resource = resource
        self.description = description
        self.resolved: WebAPIResource | None = None if isinstance(resource, str) else resource

    @property
    def resource_name(self) -> str:
        return self._resource if isinstance(self._resource, str) else self._resource.name

    def resolve(self, registry: dict[str, WebAPIResource]) -> WebAPIResource:
        if self.resolved is None:
            try:
                self.resolved = registry[self.resource_name]
            except KeyError:
                raise LookupError(f"Related field points at unknown resource {self.resource_name!r}") from None
        return self.resolved

    def describe(self) -> dict[str, Any]:
        return {"type": "resource", "resource": self.resource_name, "description": self.description}
