"""HTML forms made from a handler's declared request fields.

:func:`form_inputs` describes one ``<input>`` (or ``<select>``,
``<textarea>``) per declared field, for the templates; :func:`drop_blanks`
reads a submitted form the way a person filling it in means it: an input
left empty is a field not given. A handler that reads its body itself
declares the form it can take with :func:`form_fields`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, TypeVar

from webapi_kit.fields import (
    NOT_GIVEN,
    URL,
    Bool,
    Choice,
    DateTime,
    Decimal,
    Dict,
    Email,
    Field,
    FieldSpec,
    File,
    Int,
    INT64_MAX,
    INT64_MIN,
    JSONField,
    List,
    String,
)
from webapi_kit.parsers import ParsedBody

if TYPE_CHECKING:
    from webapi_kit.resource import Kind, WebAPIResource

__all__ = ["FormInput", "drop_blanks", "form_fields", "form_inputs", "form_spec", "needs_multipart"]

F = TypeVar("F", bound=Callable[..., Any])

_FORM_FIELDS = "__webapi_form_fields__"

#: Strings longer than this (or of no declared length) get a text area.
_SHORT_TEXT = 255


@dataclass(frozen=True)
class FormInput:
    """One field of a generated form, as the templates draw it."""

    name: str
    #: ``text``, ``number``, ``email``, ``url``, ``datetime-local``, ``file``,
    #: ``checkbox``, ``select`` or ``textarea``.
    widget: str
    required: bool
    description: str = ""
    value: str = ""
    checked: bool = False
    choices: Sequence[str] = ()
    #: Extra attributes of an ``<input>`` (``min``, ``max``, ``step``, ``maxlength``).
    attrs: Mapping[str, str] = field(default_factory=dict)
    #: What the API said about the last submitted value.
    errors: Sequence[str] = ()
    hint: str = ""


def form_fields(
    *, required: Mapping[str, Field] | None = None, optional: Mapping[str, Field] | None = None
) -> Callable[[F], F]:
    """Declare the form a page shows for a handler that reads its body itself.

    For handlers without :func:`~webapi_kit.fields.request_fields` (often
    because their JSON bodies nest objects, or their service layer checks
    every value with its own messages). The fields only draw the form: the
    pipeline does not clean them, so the handler must take what the form
    sends, all of it text: ``"true"``/``"false"`` for a checkbox, JSON text
    for a :class:`~webapi_kit.fields.JSONField` or
    :class:`~webapi_kit.fields.Dict`, items joined by the separator for a
    :class:`~webapi_kit.fields.List`. Inputs left empty are left out, as
    for declared request fields.
    """
    declared = FieldSpec(MappingProxyType(dict(required or {})), MappingProxyType(dict(optional or {})), True)

    def decorate(func: F) -> F:
        setattr(func, _FORM_FIELDS, declared)
        return func

    return decorate


def form_spec(resource: WebAPIResource, kind: Kind, method: str) -> FieldSpec | None:
    """The fields of the form for ``method``: its request fields, else its :func:`form_fields`."""
    declared = resource.request_field_spec(kind, method)
    if declared is not None or not resource.handles(kind, method):
        return declared
    handlers = resource.item_handlers if kind == "item" else resource.list_handlers
    handler = getattr(resource, handlers.get(method.upper(), ""), None)
    spec = getattr(handler, _FORM_FIELDS, None)
    return spec if isinstance(spec, FieldSpec) else None


def _widget(spec: Field) -> tuple[str, dict[str, str], str]:
    """The widget, its attributes and a hint for a field type."""
    if isinstance(spec, Bool):
        return "checkbox", {}, ""
    if isinstance(spec, Choice):
        return "select", {}, ""
    if isinstance(spec, Int):
        attrs = {"step": "1"}
        if spec.min_value is not None and spec.min_value != INT64_MIN:
            attrs["min"] = str(spec.min_value)
        if spec.max_value is not None and spec.max_value != INT64_MAX:
            attrs["max"] = str(spec.max_value)
        return "number", attrs, ""
    if isinstance(spec, Decimal):
        return "number", {"step": "any"}, ""
    if isinstance(spec, DateTime):
        return "datetime-local", {"step": "1"}, "UTC"
    if isinstance(spec, File):
        return "file", ({"accept": ",".join(spec.content_types)} if spec.content_types else {}), ""
    if isinstance(spec, Dict):
        return "textarea", {}, "a JSON object"
    if isinstance(spec, JSONField):
        return "textarea", {}, "JSON"
    if isinstance(spec, List):
        return "text", {}, f'separate items with "{spec.separator}"'
    if isinstance(spec, Email):
        return "email", {}, ""
    if isinstance(spec, URL):
        return "url", {}, ""
    if isinstance(spec, String):
        if spec.max_length is None or spec.max_length > _SHORT_TEXT:
            return "textarea", {}, ""
        return "text", {"maxlength": str(spec.max_length)}, ""
    return "text", {}, ""


def _text(spec: Field, value: Any) -> str:
    """A payload value as the field's input shows it."""
    if value is None:
        return ""
    if isinstance(spec, DateTime) and isinstance(value, str):
        # datetime-local takes no zone (the API reads a time without one as
        # UTC) and at most milliseconds.
        text = value[:-1] if value.endswith("Z") else value
        whole, dot, fraction = text.partition(".")
        return f"{whole}.{fraction[:3]}" if dot and fraction.isdigit() else text
    if isinstance(spec, List) and isinstance(value, list):
        return spec.separator.join(str(item) for item in value)
    if isinstance(spec, JSONField):
        return json.dumps(value, indent=2, sort_keys=True) if not isinstance(value, str) else value
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _is_true(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() in ("true", "1", "yes", "on"))


def form_inputs(
    spec: FieldSpec,
    values: Mapping[str, Any],
    errors: Mapping[str, Sequence[str]] | None = None,
) -> list[FormInput]:
    """The inputs of a form for ``spec``, filled with ``values``.

    ``values`` holds either an object's payload (its current values, for an
    update form) or the strings a failed submit sent (kept for the person to
    correct); ``errors`` the API's messages per field.
    """
    errors = errors or {}
    described: list[FormInput] = []
    declared = [(name, f, True) for name, f in spec.required.items()]
    declared += [(name, f, False) for name, f in spec.optional.items() if name not in spec.required]
    for name, field_spec, required in declared:
        widget, attrs, hint = _widget(field_spec)
        if name in values:
            value = values[name]
        elif field_spec.default is not NOT_GIVEN and not callable(field_spec.default):
            value = field_spec.default
        else:
            value = None
        choices = field_spec.choices if isinstance(field_spec, Choice) else ()
        described.append(
            FormInput(
                name=name,
                widget=widget,
                required=required,
                description=field_spec.description,
                value="" if widget in ("file", "checkbox") else _text(field_spec, value),
                checked=widget == "checkbox" and _is_true(value),
                choices=choices,
                attrs=attrs,
                errors=_errors_for(name, errors),
                hint=hint,
            )
        )
    return described


def _errors_for(name: str, errors: Mapping[str, Sequence[str]]) -> tuple[str, ...]:
    """The messages about ``name`` and about the parts of its value (``request.url``, ``ids[0]``).

    A JSON text area holds a whole object; the API reports each bad member
    under its path, which the message is prefixed with unless it names it.
    """
    found = list(errors.get(name, ()))
    for key, messages in errors.items():
        if key.startswith((f"{name}.", f"{name}[")):
            found += [message if key in message else f"{key}: {message}" for message in messages]
    return tuple(found)


def needs_multipart(spec: FieldSpec) -> bool:
    """Whether a form for ``spec`` uploads files (``multipart/form-data``)."""
    return any(isinstance(f, File) for f in (*spec.required.values(), *spec.optional.values()))


def drop_blanks(body: ParsedBody, spec: FieldSpec | None) -> ParsedBody:
    """``body`` without the inputs left empty, where empty means "not given".

    A browser sends every input of a form, the empty ones as ``""``. For a
    number, a date, a choice or JSON that is no value at all: an optional
    field is then left out (an update leaves it unchanged) and a required
    one is reported missing, in the API's words. The same goes for a file
    input left empty, which browsers send as an empty text value. Text
    fields keep ``""``, which is a value they can hold.
    """
    if spec is None or body.form is None:
        return body
    blank: list[str] = []
    for name, field_spec in (*spec.required.items(), *spec.optional.items()):
        if isinstance(field_spec, (String, List)) and not isinstance(field_spec, (Email, URL)):
            continue
        if name in body.form and all(value == "" for value in body.form.getlist(name)):
            blank.append(name)
    if not blank:
        return body
    form = body.form.copy()
    for name in blank:
        del form[name]
    form._mutable = False
    return replace(body, data={k: v for k, v in body.data.items() if k not in blank}, form=form)
