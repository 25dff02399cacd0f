"""Typed request fields: validation for handlers, descriptions for docs.

A handler declares the fields it takes; the resource cleans the request's
values before calling it and answers one ``FieldError`` listing every bad
field, in djblets' words::

    class AuthorResource(WebAPIResource):
        @request_fields(
            required={"name": String("The author's name", blank=False)},
            optional={"birth_year": Int("Year of birth", min_value=0)},
        )
        def create(self, request, data):
            return Author.objects.create(**data)  # data: the cleaned values

Values arrive as strings (forms, query strings) or as JSON values; each
field accepts both where that makes sense (``"12"`` and ``12`` for
:class:`Int`, but never ``true``).
"""

from __future__ import annotations

import datetime
import decimal
import enum
import json
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, ClassVar, Final, TypeVar

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import EmailValidator, URLValidator
from django.utils.dateparse import parse_datetime
from django.utils.http import parse_header_parameters

from .errors import FieldError
from .parsers import decode_json

__all__ = [
    "NOT_GIVEN",
    "Bool",
    "Choice",
    "DateTime",
    "Decimal",
    "Dict",
    "Email",
    "Field",
    "FieldSpec",
    "FieldValidationError",
    "File",
    "INT64_MAX",
    "INT64_MIN",
    "Int",
    "JSONField",
    "List",
    "String",
    "URL",
    "clean_fields",
    "get_field_spec",
    "request_fields",
    "show",
]

F = TypeVar("F", bound=Callable[..., Any])

REQUIRED_MSG: Final = "This field is required"
UNSUPPORTED_MSG: Final = "Field is not supported"

# Echoed values are cut to this length so a huge bad value is not sent back whole.
_SHOW_LIMIT = 80


class _NotGiven(enum.Enum):
    NOT_GIVEN = "NOT_GIVEN"

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Final = _NotGiven.NOT_GIVEN
"""Marks a field without a default: when absent, it is absent from the result."""


class FieldValidationError(Exception):
    """A value is not acceptable for a field; ``messages`` says why.

    Raised by fields and validators; :func:`clean_fields` gathers them into
    one ``FieldError``. It is not an API error by itself.
    """

    def __init__(self, *messages: str) -> None:
        self.messages: list[str] = list(messages)
        super().__init__("; ".join(messages))


def show(value: Any) -> str:
    """A value as error messages quote it: strings in double quotes, others as JSON."""
    if isinstance(value, str):
        text = f'"{value}"'
    else:
        try:
            text = json.dumps(value, default=str)
        except (TypeError, ValueError):
            text = repr(value)
    return text if len(text) <= _SHOW_LIMIT else text[: _SHOW_LIMIT - 1] + "…"


class Field:
    """A request field: ``clean()`` turns an incoming value into a Python one.

    ``default`` is used when an optional field is absent (a callable is
    called each time); ``null=True`` lets JSON ``null`` through as ``None``;
    ``validators`` run on the cleaned value and raise
    :class:`FieldValidationError` or Django's ``ValidationError``.
    Subclasses implement :meth:`to_python` and extend :meth:`describe`.
    """

    type_name: ClassVar[str] = "any"

    def __init__(
        self,
        description: str = "",
        *,
        default: Any = NOT_GIVEN,
        null: bool = False,
        validators: Sequence[Callable[[Any], None]] = (),
    ) -> None:
        self.description = description
        self.default = default
        self.null = null
        self.validators = tuple(validators)

    def clean(self, value: Any) -> Any:
        """Convert and validate ``value``, or raise :class:`FieldValidationError`."""
        if value is None:
            if self.null:
                return None
            raise FieldValidationError("This field may not be null")
        cleaned = self.to_python(value)
        messages: list[str] = []
        for validator in self.validators:
            try:
                validator(cleaned)
            except FieldValidationError as exc:
                messages.extend(exc.messages)
            except ValidationError as exc:
                messages.extend(exc.messages)
        if messages:
            raise FieldValidationError(*messages)
        return cleaned

    def to_python(self, value: Any) -> Any:
        """Convert a non-null incoming value; the base class takes anything."""
        return value

    def get_default(self) -> Any:
        """The default value, calling it if it is callable."""
        return self.default() if callable(self.default) else self.default

    def describe(self) -> dict[str, Any]:
        """What docs and OPTIONS show about this field."""
        info: dict[str, Any] = {"type": self.type_name, "description": self.description}
        if self.default is not NOT_GIVEN and not callable(self.default):
            info["default"] = self.default
        if self.null:
            info["null"] = True
        return info

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.description!r})"


class String(Field):
    """Text. JSON values must be strings; ``blank=False`` refuses ``""``."""

    type_name = "string"

    def __init__(
        self,
        description: str = "",
        *,
        max_length: int | None = None,
        min_length: int | None = None,
        blank: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(description, **kwargs)
        self.max_length = max_length
        self.min_length = min_length
        self.blank = blank

    def to_python(self, value: Any) -> Any:
        if not isinstance(value, str):
            raise FieldValidationError(f"{show(value)} is not a string")
        if value == "":
            if not self.blank:
                raise FieldValidationError("This field may not be blank")
            return value
        if "\x00" in value:
            # Databases such as PostgreSQL cannot store NUL; refuse it here
            # rather than fail later with a 500.
            raise FieldValidationError("Null characters are not allowed")
        if self.max_length is not None and len(value) > self.max_length:
            raise FieldValidationError(
                f"Must be at most {self.max_length} characters long (it has {len(value)})"
            )
        if self.min_length is not None and len(value) < self.min_length:
            raise FieldValidationError(
                f"Must be at least {self.min_length} characters long (it has {len(value)})"
            )
        return value

    def describe(self) -> dict[str, Any]:
        info = super().describe()
        if self.max_length is not None:
            info["max_length"] = self.max_length
        if self.min_length is not None:
            info["min_length"] = self.min_length
        if not self.blank:
            info["blank"] = False
        return info


_INT_RE = re.compile(r"\s*[+-]?[0-9]+\s*")


#: The range of a signed 64-bit database column: ``Int``'s default bounds, so
#: that no value that passes validation overflows the column it is stored in.
INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
# Above this a float no longer holds every integer exactly (3e20 is not 300000000000000000000).
_FLOAT_EXACT = 2**53


class Int(Field):
    """An integer: ``12``, ``"12"`` or ``" 12 "``; never a bool or ``1.5``.

    Bounded by default to a signed 64-bit range (``min_value`` /
    ``max_value``; pass ``None`` for no bound).
    """

    type_name = "integer"

    def __init__(
        self,
        description: str = "",
        *,
        min_value: int | None = INT64_MIN,
        max_value: int | None = INT64_MAX,
        **kwargs: Any,
    ) -> None:
        super().__init__(description, **kwargs)
        self.min_value = min_value
        self.max_value = max_value

    def to_python(self, value: Any) -> Any:
        number: int
        # bool is an int subclass, but true is not 1 to an API client.
        if isinstance(value, bool):
            raise FieldValidationError(f"{show(value)} is not an integer")
        if isinstance(value, int):
            number = value
        elif isinstance(value, float) and value.is_integer() and abs(value) <= _FLOAT_EXACT:
            number = int(value)
        elif isinstance(value, str) and _INT_RE.fullmatch(value):
            try:
                number = int(value)
            except ValueError:  # more digits than int() will convert
                raise FieldValidationError(f"{show(value)} is not an integer") from None
        else:
            raise FieldValidationError(f"{show(value)} is not an integer")
        if self.min_value is not None and number < self.min_value:
            raise FieldValidationError(f"Must be at least {self.min_value}")
        if self.max_value is not None and number > self.max_value:
            raise FieldValidationError(f"Must be at most {self.max_value}")
        return number

    def describe(self) -> dict[str, Any]:
        info = super().describe()
        # The 64-bit defaults are a storage guard, not part of the API's contract.
        if self.min_value not in (None, INT64_MIN):
            info["min"] = self.min_value
        if self.max_value not in (None, INT64_MAX):
            info["max"] = self.max_value
        return info


_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off"})


class Bool(Field):
    """A boolean: JSON ``true``/``false`` or true/false/1/0/yes/no/on/off in any case."""

    type_name = "boolean"

    def to_python(self, value: Any) -> Any:
        if isinstance(value, bool):
            return value
        if isinstance(value, str):
            word = value.strip().lower()
            if word in _TRUE:
                return True
            if word in _FALSE:
                return False
        raise FieldValidationError(f"{show(value)} is not a boolean")


class Choice(Field):
    """One of a fixed set of strings."""

    type_name = "choice"

    def __init__(self, description: str = "", *, choices: Sequence[str], **kwargs: Any) -> None:
        super().__init__(description, **kwargs)
        self.choices = tuple(choices)

    def to_python(self, value: Any) -> Any:
        if not isinstance(value, str) or value not in self.choices:
            raise FieldValidationError(f"{show(value)} is not one of: {', '.join(self.choices)}")
        return value

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "choices": list(self.choices)}


class List(Field):
    """A list: a JSON array, or a string split on ``separator`` (``"a,b"``).

    Items are stripped of surrounding spaces when split from a string, and
    cleaned by ``item`` when given; an empty string is an empty list. A form
    field sent several times gives one item per value.
    """

    type_name = "list"

    def __init__(
        self,
        description: str = "",
        *,
        item: Field | None = None,
        separator: str = ",",
        **kwargs: Any,
    ) -> None:
        super().__init__(description, **kwargs)
        self.item = item
        self.separator = separator

    def to_python(self, value: Any) -> Any:
        items: list[Any]
        if isinstance(value, str):
            items = [part.strip() for part in value.split(self.separator)] if value.strip() else []
        elif isinstance(value, (list, tuple)):
            items = list(value)
        else:
            raise FieldValidationError(f"{show(value)} is not a list")
        if self.item is None:
            return items
        cleaned: list[Any] = []
        messages: list[str] = []
        for index, item in enumerate(items, start=1):
            try:
                cleaned.append(self.item.clean(item))
            except FieldValidationError as exc:
                messages.extend(f"item {index}: {message}" for message in exc.messages)
        if messages:
            raise FieldValidationError(*messages)
        return cleaned

    def describe(self) -> dict[str, Any]:
        info = super().describe()
        info["separator"] = self.separator
        if self.item is not None:
            info["item"] = self.item.describe()
        return info


class JSONField(Field):
    """Any JSON value: as is from a JSON body, decoded from text in a form."""

    type_name = "json"

    def clean(self, value: Any, *, structured: bool = False) -> Any:
        """As :meth:`Field.clean`; ``structured`` says ``value`` came from a JSON body.

        A string in a JSON body is a JSON string, not JSON text to decode:
        ``"123"`` stays the string it was, and ``"abc"`` is not an error.
        """
        return super().clean(_Structured(value) if structured and value is not None else value)

    def to_python(self, value: Any) -> Any:
        if isinstance(value, _Structured):
            return value.value
        if isinstance(value, str):
            try:
                return decode_json(value)
            except ValueError as exc:
                raise FieldValidationError(f"Not valid JSON: {exc}") from None
        return value


@dataclass(frozen=True, slots=True)
class _Structured:
    """A value from a JSON body, marked so that :class:`JSONField` does not decode it."""

    value: Any


class Dict(JSONField):
    """A JSON object: a dict from a JSON body, or JSON text of an object in a form."""

    type_name = "object"

    def to_python(self, value: Any) -> Any:
        decoded = super().to_python(value)
        if not isinstance(decoded, dict):
            raise FieldValidationError("Must be a JSON object")
        return decoded


_DATETIME_START = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}")


class DateTime(Field):
    """An ISO 8601 / RFC 3339 date and time; naive times are taken as UTC."""

    type_name = "datetime"

    def to_python(self, value: Any) -> Any:
        parsed: datetime.datetime | None = None
        # A date alone, or ISO 8601's basic format, would pass
        # fromisoformat(); RFC 3339 wants a full, extended date and time.
        if isinstance(value, str) and _DATETIME_START.match(value.strip()):
            try:
                # RFC 3339 allows "t" and "z"; Django's parser only the capitals.
                parsed = parse_datetime(value.strip().upper())
            except ValueError:  # well-formed but impossible, e.g. month 13
                parsed = None
        if parsed is None:
            raise FieldValidationError(
                f'{show(value)} is not a valid date and time; use ISO 8601, e.g. "2024-05-01T12:30:00Z"'
            )
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=datetime.timezone.utc)
        return parsed


_DECIMAL_RE = re.compile(r"\s*[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?\s*")


class Decimal(Field):
    """An exact decimal number, from a string or a JSON number."""

    type_name = "decimal"

    def __init__(
        self,
        description: str = "",
        *,
        max_digits: int | None = None,
        decimal_places: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(description, **kwargs)
        self.max_digits = max_digits
        self.decimal_places = decimal_places

    def to_python(self, value: Any) -> Any:
        number: decimal.Decimal | None = None
        if isinstance(value, str) and not _DECIMAL_RE.fullmatch(value):
            pass  # Decimal() would also take "1_000", "NaN" and spaces inside
        elif isinstance(value, (int, float, str)) and not isinstance(value, bool):
            try:
                # str() of a float is its shortest repr: 0.1 stays 0.1.
                number = decimal.Decimal(value.strip() if isinstance(value, str) else str(value))
            except decimal.InvalidOperation:
                number = None
        if number is None or not number.is_finite():
            raise FieldValidationError(f"{show(value)} is not a decimal number")
        _sign, digits, exponent = number.as_tuple()
        assert isinstance(exponent, int)  # finite, checked above
        places = max(0, -exponent)
        whole = max(0, len(digits) + exponent)
        if self.decimal_places is not None and places > self.decimal_places:
            raise FieldValidationError(f"Must have at most {self.decimal_places} decimal places")
        if self.max_digits is not None and whole + places > self.max_digits:
            raise FieldValidationError(f"Must have at most {self.max_digits} digits")
        if self.max_digits is not None and self.decimal_places is not None:
            # A DECIMAL(max_digits, decimal_places) column has this many
            # places before the point, however few decimals were sent.
            before = self.max_digits - self.decimal_places
            if whole > before:
                raise FieldValidationError(f"Must have at most {before} digits before the decimal point")
        return number

    def describe(self) -> dict[str, Any]:
        info = super().describe()
        if self.max_digits is not None:
            info["max_digits"] = self.max_digits
        if self.decimal_places is not None:
            info["decimal_places"] = self.decimal_places
        return info


class Email(String):
    """An email address, checked by Django's ``EmailValidator``."""

    type_name = "email"

    def to_python(self, value: Any) -> Any:
        text = super().to_python(value)
        if text == "":
            return text
        try:
            EmailValidator()(text)
        except ValidationError:
            raise FieldValidationError(f"{show(text)} is not a valid email address") from None
        return text


class URL(String):
    """An absolute URL with one of ``schemes``, checked by Django's ``URLValidator``."""

    type_name = "url"

    def __init__(self, description: str = "", *, schemes: Sequence[str] = ("http", "https"), **kwargs: Any) -> None:
        super().__init__(description, **kwargs)
        self.schemes = tuple(schemes)

    def to_python(self, value: Any) -> Any:
        text = super().to_python(value)
        if text == "":
            return text
        try:
            URLValidator(schemes=list(self.schemes))(text)
        except ValidationError:
            raise FieldValidationError(
                f"{show(text)} is not a valid URL (use {', '.join(self.schemes)})"
            ) from None
        return text

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "schemes": list(self.schemes)}


class File(Field):
    """An uploaded file (multipart/form-data), optionally limited in size and type.

    ``content_types`` may hold wildcards such as ``"image/*"``.
    """

    type_name = "file"

    def __init__(
        self,
        description: str = "",
        *,
        max_size: int | None = None,
        content_types: Sequence[str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(description, **kwargs)
        self.max_size = max_size
        self.content_types = tuple(ct.lower() for ct in content_types) if content_types is not None else None

    def to_python(self, value: Any) -> Any:
        if not isinstance(value, UploadedFile):
            raise FieldValidationError("Must be a file upload")
        size = value.size or 0
        if self.max_size is not None and size > self.max_size:
            raise FieldValidationError(f"The file is larger than the limit of {self.max_size} bytes")
        if self.content_types is not None:
            media_type, _params = parse_header_parameters(value.content_type or "")
            if not any(_media_type_matches(pattern, media_type) for pattern in self.content_types):
                raise FieldValidationError(
                    f'The file\'s type "{media_type}" is not one of: {", ".join(self.content_types)}'
                )
        return value

    def describe(self) -> dict[str, Any]:
        info = super().describe()
        if self.max_size is not None:
            info["max_size"] = self.max_size
        if self.content_types is not None:
            info["content_types"] = list(self.content_types)
        return info


def _media_type_matches(pattern: str, media_type: str) -> bool:
    if pattern in ("*/*", media_type):
        return True
    return pattern.endswith("/*") and media_type.startswith(pattern[:-1])


def clean_fields(
    data: Mapping[str, Any],
    files: Mapping[str, Any],
    *,
    required: Mapping[str, Field],
    optional: Mapping[str, Field],
    allow_unknown: bool = False,
    ignore: Collection[str] = (),
    structured: bool = False,
) -> dict[str, Any]:
    """Clean the request's fields, raising one ``FieldError`` for all problems.

    :class:`File` fields are read from ``files``, the others from ``data``;
    when ``data`` is a ``QueryDict``, a :class:`List` field sent several
    times gets every value. The result holds each given known field's clean
    value and each absent optional field's default (none for ``NOT_GIVEN``).
    Unknown fields are errors unless ``allow_unknown``; names in ``ignore``
    (such as ``_method``) are skipped. Errors are keyed in the order of
    ``required``, then ``optional``, then unknown fields as sent.
    ``structured`` says ``data`` is a JSON body's object rather than text
    (a form or a query string): :class:`JSONField` values are taken as they are.
    """
    cleaned: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name, spec in [*required.items(), *((n, f) for n, f in optional.items() if n not in required)]:
        source = files if isinstance(spec, File) else data
        if name not in source:
            if isinstance(spec, File) and name in data:
                errors[name] = ["Must be a file upload"]
            elif not isinstance(spec, File) and name in files:
                errors[name] = ["Must not be a file upload"]
            elif name in required:
                errors[name] = [REQUIRED_MSG]
            elif spec.default is not NOT_GIVEN:
                cleaned[name] = spec.get_default()
            continue
        try:
            value = _value(source, name, spec)
            if structured and isinstance(spec, JSONField):
                cleaned[name] = spec.clean(value, structured=True)
            else:
                cleaned[name] = spec.clean(value)
        except FieldValidationError as exc:
            errors[name] = exc.messages
    if not allow_unknown:
        known = {*required, *optional, *ignore}
        for name in [*data, *files]:
            if name not in known and name not in errors:
                errors[name] = [UNSUPPORTED_MSG]
    if errors:
        raise FieldError(errors)
    return cleaned


def _value(source: Mapping[str, Any], name: str, spec: Field) -> Any:
    getlist = getattr(source, "getlist", None)
    if isinstance(spec, List) and getlist is not None:
        values = getlist(name)
        if len(values) > 1:
            return values
    return source[name]


@dataclass(frozen=True)
class FieldSpec:
    """The fields a handler declared with :func:`request_fields`."""

    required: Mapping[str, Field] = field(default_factory=lambda: MappingProxyType({}))
    optional: Mapping[str, Field] = field(default_factory=lambda: MappingProxyType({}))
    allow_unknown: bool = False

    def clean(
        self, data: Mapping[str, Any], files: Mapping[str, Any], *, ignore: Collection[str] = (), structured: bool = False
    ) -> dict[str, Any]:
        """:func:`clean_fields` with this declaration."""
        return clean_fields(
            data,
            files,
            required=self.required,
            optional=self.optional,
            allow_unknown=self.allow_unknown,
            ignore=ignore,
            structured=structured,
        )

    def describe(self) -> dict[str, dict[str, Any]]:
        """Each field's description, with ``"required": True/False``."""
        described = {name: {**spec.describe(), "required": True} for name, spec in self.required.items()}
        for name, spec in self.optional.items():
            described[name] = {**spec.describe(), "required": False}
        return described


def request_fields(
    *,
    required: Mapping[str, Field] | None = None,
    optional: Mapping[str, Field] | None = None,
    allow_unknown: bool = False,
) -> Callable[[F], F]:
    """Declare the fields a handler takes; the resource cleans them before calling it.

    The declaration is stored on the function as ``__webapi_fields__``
    (read it with :func:`get_field_spec`).
    """
    required = dict(required or {})
    optional = dict(optional or {})
    for name, spec in [*required.items(), *optional.items()]:
        if not isinstance(spec, Field):
            raise TypeError(f"Field {name!r} must be a Field instance, not {type(spec).__name__}")
    both = sorted(set(required) & set(optional))
    if both:
        raise ValueError(f"Fields cannot be both required and optional: {', '.join(both)}")
    declared = FieldSpec(MappingProxyType(required), MappingProxyType(optional), allow_unknown)

    def decorate(func: F) -> F:
        setattr(func, "__webapi_fields__", declared)
        return func

    return decorate


def get_field_spec(func: Callable[..., Any]) -> FieldSpec | None:
    """The :class:`FieldSpec` declared on ``func`` (or a bound method), if any."""
    spec = getattr(func, "__webapi_fields__", None)
    return spec if isinstance(spec, FieldSpec) else None
