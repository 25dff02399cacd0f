"""Form bodies for services whose fields hold objects or lists.

The dialect lets clients send forms (``curl -F``, RBTools, a browser),
whose fields are strings; a field that holds an object or a list in a JSON
body then holds JSON text, and a boolean or a number its text
(``"true"``, ``"12"``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from webapi_kit.context import RequestContext
from webapi_kit.errors import FieldError
from webapi_kit.fields import Field, FieldValidationError
from webapi_kit.parsers import decode_json

__all__ = ["json_form_fields", "typed_form_fields"]


def json_form_fields(ctx: RequestContext, data: Mapping[str, Any], names: Iterable[str]) -> dict[str, Any]:
    """``data`` with the form fields ``names`` decoded from JSON text.

    A JSON body is returned as it is (its values are already typed). A text
    that is not JSON is a field error on that field; an empty one counts as
    absent, as an unfilled form field does.
    """
    payload = dict(data)
    if ctx.body.form is None:
        return payload
    errors: dict[str, list[str]] = {}
    for name in names:
        text = payload.get(name)
        if not isinstance(text, str):
            continue
        if not text.strip():
            payload[name] = None
            continue
        try:
            payload[name] = decode_json(text)
        except ValueError as exc:
            errors[name] = [f"'{name}' is not valid JSON: {exc}"]
    if errors:
        raise FieldError(errors)
    return payload


def typed_form_fields(ctx: RequestContext, data: Mapping[str, Any], fields: Mapping[str, Field]) -> dict[str, Any]:
    """``data`` with the form fields named in ``fields`` read from their text by each field.

    For services whose rules take JSON types (a boolean, an integer): a
    form's ``"true"`` or ``"12"`` becomes ``True`` or ``12`` as the field
    reads it, and text it cannot read is a field error on that field. A JSON
    body is returned as it is, so its values still meet the service's own
    rules; an empty text counts as absent.
    """
    payload = dict(data)
    if ctx.body.form is None:
        return payload
    errors: dict[str, list[str]] = {}
    for name, field in fields.items():
        text = payload.get(name)
        if not isinstance(text, str):
            continue
        if not text.strip():
            del payload[name]
            continue
        try:
            payload[name] = field.clean(text)
        except FieldValidationError as exc:
            errors[name] = exc.messages
    if errors:
        raise FieldError(errors)
    return payload
