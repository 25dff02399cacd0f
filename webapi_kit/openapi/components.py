"""Reusable schemas: links, each resource's item, each envelope's error.

A resource's item is described from its ``fields`` (``Related`` fields as
the target's item, present when expanded), its children (listed when
expanded), ``_expanded`` and ``links``. A value may be ``null`` unless the
model's column says it cannot be and no ``serialize_<field>_field`` computes
it instead.
"""

from __future__ import annotations

import inspect
from typing import Any

from django.core.exceptions import FieldDoesNotExist

from webapi_kit.fields import Field
from webapi_kit.openapi.envelopes import shape_for
from webapi_kit.openapi.schemas import Schema, payload_schema
from webapi_kit.relations import Related
from webapi_kit.resource import WebAPIResource

__all__ = ["Components", "LINK", "LINKS"]

LINK: Schema = {
    "type": "object",
    "description": "A hypermedia link: where, with which method, and a title for links to other objects.",
    "required": ["href", "method"],
    "properties": {
        "href": {"type": "string", "description": "An absolute URL."},
        "method": {"type": "string"},
        "title": {"type": "string"},
    },
}
LINKS: Schema = {
    "type": "object",
    "description": "Links by relation: self, update, delete, children and related objects.",
    "additionalProperties": {"$ref": "#/components/schemas/Link"},
}


class Components:
    """The ``components`` section, filled as operations refer to it."""

    def __init__(self) -> None:
        self.schemas: dict[str, Schema] = {"Link": LINK, "Links": LINKS}
        self.security_schemes: dict[str, dict[str, Any]] = {}
        self.responses: dict[str, dict[str, Any]] = {}

    def response(self, name: str, response: dict[str, Any]) -> dict[str, Any]:
        """A reference to ``response`` kept once under ``name`` (numbered when names clash)."""
        candidate, number = name, 1
        while candidate in self.responses and self.responses[candidate] != response:
            number += 1
            candidate = f"{name}_{number}"
        self.responses[candidate] = response
        return {"$ref": f"#/components/responses/{candidate}"}

    @staticmethod
    def ref(name: str) -> Schema:
        return {"$ref": f"#/components/schemas/{name}"}

    def error(self, resource: WebAPIResource) -> Schema:
        """The error body of ``resource``'s envelope."""
        envelope = resource.get_envelope()
        name = f"{type(envelope).__name__}Error"
        if name not in self.schemas:
            self.schemas[name] = shape_for(envelope).error()
        return self.ref(name)

    def item(self, resource: WebAPIResource) -> Schema:
        """``resource``'s item (once; later calls refer to it)."""
        name = resource.name
        if name in self.schemas:
            return self.ref(name)
        self.schemas[name] = {}  # placeholder: related resources may point back
        properties: dict[str, Schema] = {}
        for field_name, field in resource.fields.items():
            if isinstance(field, Related):
                target = field.resolved
                assert target is not None  # resolved when the API was assembled
                properties[field_name] = {
                    "anyOf": [self.item(target), {"type": "null"}],
                    "description": _sentence(
                        field.description,
                        f"Embedded with ?expand={field_name}; otherwise a link of that name in links "
                        "(null when there is no such object).",
                    ),
                }
                continue
            properties[field_name] = payload_schema(field, null=_may_be_null(resource, field_name, field))
        expanded: list[str] = []
        for child in resource.item_child_resources:
            if child.singleton:
                continue
            expanded.append(child.name_plural)
            properties.setdefault(child.name_plural, {
                "type": "array",
                "items": self.item(child),
                "description": f"Only with ?expand={child.name_plural}.",
            })
        properties["_expanded"] = {
            "type": "object",
            "description": "The media types of what ?expand= embedded, by field.",
            "additionalProperties": {"type": "object", "additionalProperties": {"type": "string"}},
        }
        properties["links"] = self.ref("Links")
        schema: Schema = {"type": "object", "properties": properties}
        doc = _docstring(resource)
        if doc:
            schema["description"] = doc
        examples = getattr(resource, "openapi_examples", None)
        if isinstance(examples, (list, tuple)) and examples:
            schema["examples"] = list(examples)
        self.schemas[name] = schema
        return self.ref(name)


def _may_be_null(resource: WebAPIResource, name: str, field: Any) -> bool:
    if isinstance(field, Field) and field.null:
        return True
    if getattr(resource, f"serialize_{name}_field", None) is not None or resource.model is None:
        return True
    try:
        column = resource.model._meta.get_field(name)
    except FieldDoesNotExist:
        return True
    return bool(getattr(column, "null", True))


def _docstring(resource: WebAPIResource) -> str:
    # A class's own docstring only: WebAPIResource's would describe every resource.
    doc = type(resource).__dict__.get("__doc__")
    return inspect.cleandoc(doc) if isinstance(doc, str) and doc.strip() else ""


def _sentence(text: str, addition: str) -> str:
    return f"{text.rstrip()} {addition}".strip()

