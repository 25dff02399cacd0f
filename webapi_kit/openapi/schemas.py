"""JSON Schema (2020-12, as OpenAPI 3.1 uses it) from :mod:`webapi_kit.fields`.

Two views of one declaration: what a request may send (:func:`request_schema`,
bounds and choices included) and what a payload holds (:func:`payload_schema`,
where a value may be ``null`` unless the model says it cannot be).
"""

from __future__ import annotations

from typing import Any

from webapi_kit import fields as f
from webapi_kit.relations import Related

__all__ = ["Schema", "field_schema", "nullable", "payload_schema", "request_schema"]

#: A JSON Schema object.
Schema = dict[str, Any]

# Checked in order: subclasses before the classes they extend.
_TYPES: tuple[tuple[type[f.Field], Schema], ...] = (
    (f.Email, {"type": "string", "format": "email"}),
    (f.URL, {"type": "string", "format": "uri"}),
    (f.String, {"type": "string"}),
    (f.Int, {"type": "integer"}),
    (f.Bool, {"type": "boolean"}),
    (f.Choice, {"type": "string"}),
    (f.List, {"type": "array"}),
    (f.Dict, {"type": "object"}),
    (f.JSONField, {}),
    (f.DateTime, {"type": "string", "format": "date-time"}),
    (f.Decimal, {"type": ["number", "string"]}),
    (f.File, {"type": "string", "contentMediaType": "application/octet-stream"}),
)


def field_schema(field: f.Field) -> Schema:
    """The type of ``field``'s values, without bounds."""
    schema: Schema = {}
    for cls, base in _TYPES:
        if isinstance(field, cls):
            schema = dict(base)
            break
    if isinstance(field, f.Choice):
        schema["enum"] = list(field.choices)
    if isinstance(field, f.List) and field.item is not None:
        schema["items"] = field_schema(field.item)
    if field.description:
        schema["description"] = field.description
    return schema


def request_schema(field: f.Field) -> Schema:
    """What a request may send for ``field``: its type, bounds, lengths and default."""
    schema = field_schema(field)
    if isinstance(field, f.String):
        if field.max_length is not None:
            schema["maxLength"] = field.max_length
        min_length = field.min_length if field.min_length is not None else (0 if field.blank else 1)
        if min_length:
            schema["minLength"] = min_length
    if isinstance(field, f.Int):
        if field.min_value is not None:
            schema["minimum"] = field.min_value
        if field.max_value is not None:
            schema["maximum"] = field.max_value
    if isinstance(field, f.List) and field.item is not None:
        schema["items"] = request_schema(field.item)
    if isinstance(field, f.File):
        if field.content_types:
            schema["description"] = _sentence(
                schema.get("description", ""), "Types accepted: " + ", ".join(field.content_types) + "."
            )
        if field.max_size is not None:
            schema["description"] = _sentence(schema.get("description", ""), f"At most {field.max_size} bytes.")
    if field.default is not f.NOT_GIVEN and not callable(field.default) and _is_json(field.default):
        schema["default"] = field.default
    return nullable(schema) if field.null else schema


def payload_schema(field: Any, *, null: bool = True) -> Schema:
    """What a payload holds under a declared field (``null`` allowed unless ``null=False``)."""
    if isinstance(field, Related):  # the caller refers to the target's item schema
        raise TypeError("Related fields are described by the resource they point at")
    schema = field_schema(field) if isinstance(field, f.Field) else {}
    return nullable(schema) if null and schema else schema


def nullable(schema: Schema) -> Schema:
    """``schema`` that also allows ``null``."""
    kind = schema.get("type")
    if kind is None:
        return schema if not schema.get("enum") else {**schema, "enum": [*schema["enum"], None]}
    kinds = list(kind) if isinstance(kind, list) else [kind]
    result = {**schema, "type": [*kinds, "null"] if "null" not in kinds else kinds}
    if "enum" in result:
        result["enum"] = [*result["enum"], None]
    return result


def _sentence(text: str, addition: str) -> str:
    return f"{text.rstrip()} {addition}".strip()


def _is_json(value: Any) -> bool:
    return value is None or isinstance(value, (str, int, float, bool, list, dict))
