"""Renderers: turn a response payload into JSON or XML bytes.

A payload is a tree of ``dict``, ``list``/``tuple``, ``str``, ``int``,
``float``, ``bool``, ``None``, ``datetime.datetime``/``date``/``time``,
``decimal.Decimal``, ``uuid.UUID`` and ``enum.Enum`` (rendered as its
value). Anything else raises :class:`TypeError`; a NaN or infinite float or
``Decimal`` raises :class:`ValueError`.

Both formats render scalars the same way:

- aware datetimes in UTC as ``2024-01-02T03:04:05Z``, with ``.ffffff`` only
  when the microseconds are not zero; naive datetimes are taken to be UTC;
- dates and times with ``isoformat()``; UUIDs hyphenated;
- a ``Decimal`` exactly as written (``Decimal("0.10")`` is ``0.10``, never
  rounded through ``float``); a float as ``repr`` (``0.5``).

JSON matches djblets byte for byte: keys sorted, ``", "`` and ``": "``
separators, non-ASCII text as UTF-8. With orjson installed
(``pip install webapi_kit[fast]``) and the ``JSON_BACKEND`` setting at
``"auto"`` or ``"orjson"``, JSON is encoded by orjson instead: the same
values and key order without the optional spaces, about eight times faster.
Under orjson an aware datetime outside UTC keeps its offset (the same
instant) and a NaN or infinite float becomes ``null``; payloads orjson
cannot take (Decimals, integers beyond 64 bits, lone surrogates) fall back
to the standard encoder.

XML keeps djblets' layout (see :class:`XMLRenderer`) and fixes its lossy
spots; :func:`parse_xml` reads it back with lxml. :class:`XMLRenderer`
writes the document as text, three to four times faster than building an
lxml tree; :class:`LxmlXMLRenderer` builds the same bytes with lxml, and the
test suite holds the two to byte-for-byte equality.
"""

from __future__ import annotations

import datetime
import decimal
import enum
import functools
import importlib
import itertools
import json
import math
import operator
import re
import secrets
import uuid
from collections.abc import Callable, Iterable
from types import ModuleType
from typing import TYPE_CHECKING, Any, ClassVar, TypeAlias

from lxml import etree

from django.core.exceptions import ImproperlyConfigured

from webapi_kit.conf import api_settings
from webapi_kit.rows import ItemRows, ItemShape, Row

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse
    from django.urls import URLPattern

    from webapi_kit.api import API
    from webapi_kit.parsers import ParsedBody
    from webapi_kit.resource import Kind, WebAPIResource

def _optional(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


# An optional speed-up: ``pip install webapi_kit[fast]``.
orjson = _optional("orjson")

__all__ = ["JSONRenderer", "LxmlXMLRenderer", "PageRenderer", "Renderer", "XMLRenderer", "parse_xml"]


class Renderer:
    """Base of the renderers: one format, one media type, one method.

    ``format`` is the value ``?api_format=`` takes to select it, ``media_type``
    its plain media type, and ``suffix`` the structured-syntax suffix that
    vendor types carry (``application/vnd.example.org.author+json``).
    """

    format: ClassVar[str]
    media_type: ClassVar[str]
    suffix: ClassVar[str]
    #: Whether payloads may hold :class:`~webapi_kit.rows.ItemRows`; other
    #: renderers are handed plain lists of dicts. A subclass that overrides
    #: ``render`` does not inherit it: it must say so itself.
    accepts_rows: ClassVar[bool] = False
    #: Whether this renderer makes pages for people (see :class:`PageRenderer`).
    presents: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "render" in cls.__dict__ and "accepts_rows" not in cls.__dict__:
            cls.accepts_rows = False

    def render(self, data: Any) -> bytes:
        """Render ``data`` (see the module docstring for what it may hold)."""
        raise NotImplementedError


#: Runs the rest of a resource's pipeline and returns its answer; the
#: argument is a body already parsed, or ``None`` to let the pipeline read it.
Respond: TypeAlias = Callable[["ParsedBody | None"], "HttpResponse"]


class PageRenderer(Renderer):
    """A format for people, laid over the answer of a data format.

    The browsable HTML API (:mod:`webapi_kit.browsable`) is one. A resource
    that negotiates a page renderer runs its pipeline as usual with
    :attr:`data_renderer` writing the body -- so status, headers, ``ETag``
    and errors are exactly those of that data format -- and hands the
    answer to :meth:`present`, which returns what the client gets.

    Page formats get no vendor media type, come after the data formats, and
    win negotiation only where a client ranks them strictly above every data
    format offered (a browser's ``Accept``); ``*/*``, no ``Accept``, and any
    header that ranks JSON or XML as high get the data format as before.
    """

    presents = True
    #: Writes the body that :meth:`present` presents.
    data_renderer: Renderer

    def render(self, data: Any) -> bytes:
        return self.data_renderer.render(data)

    def present(
        self, resource: WebAPIResource, request: HttpRequest, kind: Kind, kwargs: dict[str, str], respond: Respond
    ) -> HttpResponse:
        """The answer to send, made from ``respond(...)``'s (call it once)."""
        raise NotImplementedError

    def get_url_patterns(self, api: API) -> list[URLPattern]:
        """Views of the format's own, mounted under the API's prefix (e.g. a login page)."""
        return []


_UTC = datetime.timezone.utc


def _format_datetime(value: datetime.datetime) -> str:
    # isoformat() already omits the microseconds exactly when they are zero.
    if value.tzinfo is _UTC:  # what Django hands back: the common, cheap case
        return value.isoformat()[:-6] + "Z"
    if value.utcoffset() is not None:
        value = value.astimezone(_UTC)
    return value.replace(tzinfo=None).isoformat() + "Z"


def _scalar_text(value: Any) -> str:
    """Text of the scalar types JSON and XML both lack; TypeError otherwise."""
    # datetime before date: a datetime is a date.
    if isinstance(value, datetime.datetime):
        return _format_datetime(value)
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, decimal.Decimal):
        if not value.is_finite():
            raise ValueError(f"{value!r} cannot be rendered: not a finite number")
        # str() of a finite Decimal is always a valid JSON number literal.
        return str(value)
    raise TypeError(f"Object of type {type(value).__name__} cannot be rendered")


# --------------------------------------------------------------------------
# JSON
# --------------------------------------------------------------------------


class _DecimalFound(Exception):
    """Raised by the fast path to switch to the Decimal-aware slow path."""


def _json_default(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, decimal.Decimal):
        raise _DecimalFound
    return _scalar_text(value)


_JSON_OPTIONS: dict[str, Any] = {
    "ensure_ascii": False,
    "sort_keys": True,
    "allow_nan": False,
}
# djblets' spacing, and orjson's: a payload orjson hands back to the standard
# encoder keeps the look of its neighbours.
_SPACED = (", ", ": ")
_COMPACT = (",", ":")
# Built once: json.dumps(sort_keys=True) would build an encoder per call.
_JSON_ENCODERS = {
    separators: json.JSONEncoder(default=_json_default, separators=separators, **_JSON_OPTIONS)
    for separators in (_SPACED, _COMPACT)
}

_SURROGATE = re.compile("[\ud800-\udfff]")

if orjson is not None:
    _ORJSON_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_UTC_Z | orjson.OPT_NAIVE_UTC | orjson.OPT_NON_STR_KEYS


def _orjson_backend() -> ModuleType | None:
    """orjson when the ``JSON_BACKEND`` setting and the installation allow it."""
    backend = api_settings.JSON_BACKEND
    if backend == "stdlib":
        return None
    if orjson is None and backend == "orjson":
        raise ImproperlyConfigured('WEBAPI_KIT["JSON_BACKEND"] is "orjson" but orjson is not installed')
    return orjson


def _orjson_default(value: Any) -> Any:
    # Decimals must stay exact literals, which only the standard path writes.
    if isinstance(value, decimal.Decimal):
        raise _DecimalFound
    return _scalar_text(value)


def _new_marker() -> str:
    return f"webapi-kit-decimal-{secrets.token_hex(16)}:"


def _encode_with_decimals(data: Any, separators: tuple[str, str]) -> str:
    """Encode ``data`` with each Decimal as a raw JSON number literal.

    The json module cannot emit raw literals, so each Decimal becomes the
    string ``"<marker><digits>"`` and the quoted markers are replaced by the
    digits afterwards. The marker is random per call, and the output is used
    only if the marker occurs exactly once per Decimal -- a user string that
    happens to contain it makes us retry with another marker, so no user text
    is ever rewritten.
    """
    while True:
        marker = _new_marker()
        count = 0

        def default(value: Any) -> Any:
            nonlocal count
            if isinstance(value, decimal.Decimal):
                count += 1
                return marker + _scalar_text(value)
            return _json_default(value)

        text = json.JSONEncoder(default=default, separators=separators, **_JSON_OPTIONS).encode(data)
        if text.count(marker) == count:
            return re.sub(
                '"' + re.escape(marker) + '([-+.0-9Ee]+)"', r"\1", text
            )


class JSONRenderer(Renderer):
    """JSON as djblets writes it: sorted keys, ``", "``/``": "``, UTF-8.

    Control characters are escaped (``\\u0000``); lone surrogates, which
    UTF-8 cannot carry, are written as ``\\udXXX`` escapes.
    """

    format = "json"
    media_type = "application/json"
    suffix = "+json"

    def render(self, data: Any) -> bytes:
        """Render ``data`` as UTF-8 JSON (no trailing newline)."""
        fast = _orjson_backend()
        separators = _SPACED
        if fast is not None:
            try:
                encoded: bytes = fast.dumps(data, default=_orjson_default, option=_ORJSON_OPTIONS)
                return encoded
            except fast.JSONEncodeError:
                separators = _COMPACT  # the standard encoder handles it, or raises the precise error
        try:
            text = _JSON_ENCODERS[separators].encode(data)
        except _DecimalFound:
            text = _encode_with_decimals(data, separators)
        try:
            return text.encode("utf-8")
        except UnicodeEncodeError:
            # Outside strings JSON holds only ASCII, so every surrogate here
            # is inside a string literal, where a \u escape is valid JSON.
            text = _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
            return text.encode("utf-8")


# --------------------------------------------------------------------------
# XML
# --------------------------------------------------------------------------

_XML_DECLARATION = b'<?xml version="1.0" encoding="utf-8"?>\n'
# Element names we write as-is; every other key goes in <entry key="...">.
# ASCII-only on purpose: one rule that every XML parser agrees on.
_ELEMENT_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")
# "array" marks a list, so a key of that name would be ambiguous.
_RESERVED_NAMES = frozenset({"array"})
# What XML 1.0 cannot carry: C0 controls but \t \n \r, U+FFFE/U+FFFF and
# surrogates (a str only holds lone ones).
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_safe(text: str) -> str:
    return _XML_INVALID.sub("\ufffd", text)


_SubElement = etree.SubElement


def _key_text(key: Any) -> str:
    """A dict key as json.dumps would write it."""
    if isinstance(key, str):
        return key
    if key is True:
        return "true"
    if key is False:
        return "false"
    if key is None:
        return "null"
    if isinstance(key, int):
        return int.__repr__(key)
    if isinstance(key, float):
        return float.__repr__(key)
    raise TypeError(f"Keys must be str, int, float, bool or None, not {type(key).__name__}")


@functools.lru_cache(maxsize=1024)
def _is_element_name(name: str) -> bool:
    # Cached: the same few keys ("href", "method", ...) recur in every item.
    return name not in _RESERVED_NAMES and _ELEMENT_NAME.fullmatch(name) is not None


def _key_element(parent: etree._Element, key: Any) -> etree._Element:
    name = key if type(key) is str else _key_text(key)
    if _is_element_name(name):
        return _SubElement(parent, name)
    element = _SubElement(parent, "entry")
    try:
        element.set("key", name)
    except ValueError:
        element.set("key", _xml_safe(name))
    return element


def _fill(element: etree._Element, value: Any) -> None:
    """Put ``value`` inside ``element`` (text, children or null marker)."""
    # Most common types first: this runs once per value in the payload.
    if isinstance(value, str):
        try:
            element.text = value
        except ValueError:  # UnicodeEncodeError (surrogates) is one too.
            element.text = _xml_safe(value)
    elif isinstance(value, dict):
        if not value:
            element.text = ""
        for key, item in value.items():
            _fill(_key_element(element, key), item)
    elif value is None:
        element.set("null", "true")
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif isinstance(value, enum.Enum):
        _fill(element, value.value)
    elif isinstance(value, int):
        element.text = int.__repr__(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value!r} cannot be rendered: not a finite number")
        element.text = float.__repr__(value)
    elif isinstance(value, (list, tuple, ItemRows)):
        array = _SubElement(element, "array")
        if not value:
            array.text = ""
        for item in value:
            _fill(_SubElement(array, "item"), item)
    else:
        element.text = _scalar_text(value)


class LxmlXMLRenderer(Renderer):
    """:class:`XMLRenderer`'s document, built as an lxml tree.

    The reference the fast renderer is tested against, and a choice for
    APIs that prefer libxml2 to have written every byte.
    """

    format = "xml"
    media_type = "application/xml"
    suffix = "+xml"
    accepts_rows = True

    def render(self, data: Any) -> bytes:
        """Render ``data`` as a UTF-8 ``<rsp>`` document."""
        root = etree.Element("rsp")
        _fill(root, data)
        etree.indent(root, space=" ")
        return _XML_DECLARATION + etree.tostring(root, encoding="utf-8")


# Escaping exactly as libxml2 serializes text and attribute values ("&" first).
_TEXT_ESCAPES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("\r", "&#13;"))
_ATTR_ESCAPES = (*_TEXT_ESCAPES, ('"', "&quot;"), ("\n", "&#10;"), ("\t", "&#9;"))
_NEEDS_TEXT_ESCAPE = re.compile("[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# The same, for ASCII text: the bytes an escaped text contains.
_NEEDS_TEXT_ESCAPE_ASCII = bytes([*range(0x09), 0x0B, 0x0C, *range(0x0D, 0x20)]) + b"&<>"


def _escape(text: str, escapes: tuple[tuple[str, str], ...]) -> str:
    # Not str.translate: with a dict it raises and catches a KeyError for
    # every character it leaves alone, ten times the cost of these scans.
    for char, entity in escapes:
        if char in text:
            text = text.replace(char, entity)
    return text


def _xml_text(value: str) -> str:
    """``value`` as XML character data."""
    if _is_plain_text(value):
        return value
    return _escape(_xml_safe(value), _TEXT_ESCAPES)


@functools.lru_cache(maxsize=1024)
def _open_tag(key: str) -> tuple[str, str]:
    """``("<name>", "</name>")`` for a dict key; cached, keys recur."""
    if _is_element_name(key):
        return f"<{key}>", f"</{key}>"
    return f'<entry key="{_escape(_xml_safe(key), _ATTR_ESCAPES)}">', "</entry>"


_PADS = tuple("\n" + " " * depth for depth in range(32))


def _pad(depth: int) -> str:
    return _PADS[depth] if depth < 32 else "\n" + " " * depth


def _scalar(value: Any) -> str | None:
    """The text of a common scalar, or ``None`` when ``_write`` must handle it."""
    kind = type(value)
    if kind is str:
        return _xml_text(value)
    if kind is int:
        return int.__repr__(value)
    if kind is bool:
        return "true" if value else "false"
    if kind is datetime.datetime:
        return _format_datetime(value)
    return None


def _is_null(value: Any) -> bool:
    """``None``, or an enum member standing for it: an element marked ``null``."""
    while isinstance(value, enum.Enum):
        value = value.value
    return value is None


def _write(out: list[str], value: Any, depth: int) -> None:
    """Append the content of an element at ``depth`` holding ``value``.

    The caller has written the opening tag and writes the closing one;
    ``None`` is the caller's business (it changes the tag itself). Scalars
    inside containers are written inline: this runs for every payload, and
    a call per value would be most of its cost.
    """
    append = out.append
    if isinstance(value, dict):
        if not value:
            return
        inner = _pad(depth + 1)
        for key, item in value.items():
            opening, closing = _open_tag(key if type(key) is str else _key_text(key))
            text = _scalar(item)
            if text is not None:
                append(inner + opening + text + closing)
            elif _is_null(item):
                append(f'{inner}{opening[:-1]} null="true"/>')
            else:
                append(inner + opening)
                _write(out, item, depth + 1)
                append(closing)
        append(_pad(depth))
    elif isinstance(value, (list, tuple)):
        outer, inner = _pad(depth + 1), _pad(depth + 2)
        if not value:
            append(f"{outer}<array></array>{_pad(depth)}")
            return
        append(outer + "<array>")
        for item in value:
            text = _scalar(item)
            if text is not None:
                append(f"{inner}<item>{text}</item>")
            elif _is_null(item):
                append(inner + '<item null="true"/>')
            else:
                append(inner + "<item>")
                _write(out, item, depth + 2)
                append("</item>")
        append(f"{outer}</array>{_pad(depth)}")
    elif isinstance(value, ItemRows):
        if value.materialized:
            _write(out, value.items(), depth)
        else:
            _rows_writer(value.shape, depth).write(out, value.rows)
    elif isinstance(value, str):
        append(_xml_text(value))
    elif isinstance(value, bool):
        append("true" if value else "false")
    elif isinstance(value, int):
        append(int.__repr__(value))
    elif isinstance(value, enum.Enum):
        _write(out, value.value, depth)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value!r} cannot be rendered: not a finite number")
        append(float.__repr__(value))
    else:
        append(_xml_text(_scalar_text(value)))


class _RowsWriter:
    """Writes :class:`~webapi_kit.rows.ItemRows` of one shape at one depth.

    The text is what ``_write`` would write for the item dicts. A row is
    fixed text (tags, indentation, the ``<links>`` block) with the values
    and the item's URL in between, so the fixed text is built once and each
    column of values is turned into text in one pass: a column of one common
    type (strings that need no escaping, integers, UTC datetimes, booleans)
    goes between its tags as it is, in C; any other column is written value
    by value as whole elements (``None`` changes the element itself).
    """

    def __init__(self, shape: ItemShape, depth: int) -> None:
        self.depth = depth
        self.array_open = _pad(depth + 1) + "<array>"
        self.array_close = f"{_pad(depth + 1)}</array>{_pad(depth)}"
        self.empty = f"{_pad(depth + 1)}<array></array>{_pad(depth)}"
        self.item_open = _pad(depth + 2) + "<item>"
        field_pad = _pad(depth + 3)
        self.tags: list[tuple[str, str, str]] = []
        for name in shape.fields:
            opening, closing = _open_tag(name)
            self.tags.append((field_pad + opening, closing, f'{field_pad}{opening[:-1]} null="true"/>'))
        # The links block, split where the item's URL goes.
        links = [f"{field_pad}<links>"]
        rel_pad, value_pad = _pad(depth + 4), _pad(depth + 5)
        for rel, method, suffix in shape.links:
            opening, closing = _open_tag(rel)
            links[-1] += f"{rel_pad}{opening}{value_pad}<method>{_xml_text(method)}</method>{value_pad}<href>"
            links.append(f"{_xml_text(suffix)}</href>{rel_pad}{closing}")
        links[-1] += f"{field_pad}</links>{_pad(depth + 2)}</item>"
        self.links = links
        self._fixed: dict[tuple[int, ...], list[str]] = {}

    def write(self, out: list[str], rows: list[Row]) -> None:
        if not rows:
            out.append(self.empty)
            return
        values, hrefs = zip(*rows)
        modes, columns = zip(*(self._column(tags, column) for tags, column in zip(self.tags, zip(*values))))
        if not _is_plain_text("".join(hrefs)):
            hrefs = tuple(map(_xml_text, hrefs))
        fixed = self._fixed.get(modes)
        if fixed is None:
            fixed = self._fixed_text(modes)
            # Pages mixing nulls into many columns could make many; keep a few.
            if len(self._fixed) < _FIXED_TEXTS_KEPT:
                self._fixed[modes] = fixed
        varying = [*columns, *[hrefs] * (len(self.links) - 1)]
        # Fixed text, value, fixed text, value, ..., fixed text: one row.
        parts: list[Iterable[str]] = [itertools.repeat(fixed[0])]
        for column, text in zip(varying, fixed[1:]):
            parts += (column, itertools.repeat(text))
        out.append(self.array_open)
        out.extend(itertools.chain.from_iterable(zip(*parts)))
        out.append(self.array_close)

    def _fixed_text(self, modes: tuple[int, ...]) -> list[str]:
        """The text between a row's values, for columns written in ``modes``."""
        pieces = [self.item_open]
        for (opening, closing, _), mode in zip(self.tags, modes):
            if mode == _ELEMENTS:
                pieces.append("")
            else:
                pieces[-1] += opening
                pieces.append(("Z" if mode == _UTC_TEXT else "") + closing)
        pieces[-1] += self.links[0]
        pieces += self.links[1:]
        return pieces

    def _column(self, tags: tuple[str, str, str], column: tuple[Any, ...]) -> tuple[int, Iterable[str]]:
        """How one field's column is written, and its text, one item per row."""
        kinds = set(map(type, column))
        kind = kinds.pop() if len(kinds) == 1 else None
        if kind is str:
            if _is_plain_text("".join(column)):
                return _TEXT, column
            return _TEXT, map(_xml_text, column)
        if kind is int:
            return _TEXT, map(int.__repr__, column)
        if kind is datetime.datetime and all(map(operator.is_, map(_TZINFO, column), itertools.repeat(_UTC))):
            # What Django hands back: "...+00:00", written "...Z".
            if orjson is not None and api_settings.JSON_BACKEND != "stdlib":
                # The same text, written in C: isoformat() is a third of a page's writing.
                return _TEXT, orjson.dumps(column, option=orjson.OPT_UTC_Z).decode()[2:-2].split('","')
            return _UTC_TEXT, map(_WITHOUT_OFFSET, map(datetime.datetime.isoformat, column))
        if kind is bool:
            return _TEXT, map(_BOOLEAN_TEXT.__getitem__, column)
        return _ELEMENTS, [self._element(tags, value) for value in column]

    def _element(self, tags: tuple[str, str, str], value: Any) -> str:
        opening, closing, null = tags
        text = _scalar(value)
        if text is not None:
            return opening + text + closing
        if _is_null(value):
            return null
        inner: list[str] = []
        _write(inner, value, self.depth + 3)
        return opening + "".join(inner) + closing


def _is_plain_text(text: str) -> bool:
    """Whether ``text`` goes into XML as it is (quick for ASCII).

    Every rule is about single characters, so one call over a column's
    values joined together answers for each of them.
    """
    if text.isascii():
        # A C loop over the bytes; the regular expression costs ten times more.
        data = text.encode("ascii")
        return len(data.translate(None, _NEEDS_TEXT_ESCAPE_ASCII)) == len(data)
    return _NEEDS_TEXT_ESCAPE.search(text) is None


# How a column is written: its values' text between the tags, the same
# with a "Z" after each (UTC datetimes without their offset), or whole
# elements, value by value.
_TEXT, _UTC_TEXT, _ELEMENTS = 0, 1, 2
_FIXED_TEXTS_KEPT = 64
_TZINFO = operator.attrgetter("tzinfo")
_WITHOUT_OFFSET = operator.itemgetter(slice(None, -6))
_BOOLEAN_TEXT = {True: "true", False: "false"}


@functools.lru_cache(maxsize=256)
def _rows_writer(shape: ItemShape, depth: int) -> _RowsWriter:
    return _RowsWriter(shape, depth)


class XMLRenderer(Renderer):
    """XML in djblets' layout, without djblets' lossy spots.

    The document is ``<?xml version="1.0" encoding="utf-8"?>``, a newline,
    then ``<rsp>`` holding the payload, indented one space per level, with no
    newline after ``</rsp>`` (as djblets). Within it:

    - dict keys become child elements in insertion order (not sorted);
    - a list or tuple is ``<array><item>...</item>...</array>``; an empty one
      is ``<array></array>``;
    - ``True``/``False`` are ``true``/``false``;
    - ``None`` is an empty element marked ``null="true"``, e.g.
      ``<nothing null="true"/>``, while ``""`` (and an empty dict) is
      ``<photo_name></photo_name>``;
    - a key that is not an ASCII XML name (``[A-Za-z_][A-Za-z0-9_.-]*``), or
      is ``array``, is written ``<entry key="the key">...</entry>``. Other
      keys are first written as JSON writes them, so ``7`` gives
      ``<entry key="7">`` and ``True`` gives ``<true>``;
    - characters XML 1.0 cannot carry (C0 controls other than tab, newline
      and carriage return; U+FFFE, U+FFFF; lone surrogates) are replaced by
      U+FFFD in text and attribute values.
    """

    format = "xml"
    media_type = "application/xml"
    suffix = "+xml"
    accepts_rows = True

    def render(self, data: Any) -> bytes:
        """Render ``data`` as a UTF-8 ``<rsp>`` document."""
        if _is_null(data):
            return _XML_DECLARATION + b'<rsp null="true"/>'
        out = ['<?xml version="1.0" encoding="utf-8"?>\n<rsp>']
        _write(out, data, 0)
        out.append("</rsp>")
        return "".join(out).encode("utf-8")


# Reading XML from the network: no entities, no DTDs, no network access.
_XML_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    huge_tree=False,
    remove_comments=True,
    remove_pis=True,
)


def _value(element: etree._Element) -> Any:
    # Only elements count: unresolved entity references are dropped.
    children = [child for child in element if isinstance(child.tag, str)]
    if not children:
        if element.get("null") == "true":
            return None
        return (element.text or "") + "".join(child.tail or "" for child in element)
    if children[0].tag == "array":
        return [_value(item) for item in children[0] if isinstance(item.tag, str)]
    result: dict[str, Any] = {}
    for child in children:
        key = child.get("key") if child.tag == "entry" else None
        result[child.tag if key is None else key] = _value(child)
    return result


def parse_xml(data: bytes) -> Any:
    """Read an :class:`XMLRenderer` document back into Python values.

    Returns what ``<rsp>`` holds, usually a dict. XML carries no types, so
    every scalar comes back as a string (``"1"``, ``"true"``,
    ``"2024-01-02T03:04:05Z"``); ``null="true"`` comes back as ``None``, an
    empty element as ``""`` (an empty dict too), ``<array>`` as a list, and
    ``<entry key="k">`` under the key ``"k"``. Raises
    ``lxml.etree.XMLSyntaxError`` on malformed input.
    """
    return _value(etree.fromstring(data, _XML_PARSER))
