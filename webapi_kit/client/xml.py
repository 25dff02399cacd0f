"""The dialect's XML read back into the values its JSON gives.

The XML renderer writes ``<rsp>``, one element per key (``<entry key="...">``
for keys that are not element names), ``<array><item>`` for lists,
``null="true"`` for ``null`` and ``true``/``false`` for booleans. XML has no
number type, so element text that reads as a JSON number becomes one; a
string field whose value looks like a number (``"1929"``) therefore reads
as a number from XML. Element text is otherwise a string, and an empty
element an empty string, except under ``links`` and ``uri_templates``,
which are always objects.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

__all__ = ["parse_xml"]

_INTEGER = re.compile(r"-?(?:0|[1-9][0-9]*)")
_FLOAT = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
_OBJECT_KEYS = frozenset({"links", "uri_templates"})
# No network, no entities: an answer is data, not a document to resolve.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)


def parse_xml(body: bytes) -> dict[str, Any]:
    """The payload of an XML answer; ``ValueError`` if it is not the dialect's XML."""
    try:
        root = etree.fromstring(body, parser=_PARSER)
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"not well-formed XML: {exc}") from None
    if root.tag != "rsp":
        raise ValueError(f"the root element is <{root.tag}>, not <rsp>")
    value = _value(root, force_object=True)
    assert isinstance(value, dict)
    return value


def _key(element: Any) -> str:
    if element.tag == "entry" and "key" in element.attrib:
        return str(element.attrib["key"])
    return str(element.tag)


def _value(element: Any, force_object: bool = False) -> Any:
    if element.get("null") == "true":
        return None
    children = [child for child in element if isinstance(child.tag, str)]
    if not children:
        if force_object:
            return {}
        return _scalar(element.text or "")
    if len(children) == 1 and children[0].tag == "array" and not force_object:
        return [_value(item) for item in children[0] if isinstance(item.tag, str)]
    return {_key(child): _value(child, force_object=_key(child) in _OBJECT_KEYS) for child in children}


def _scalar(text: str) -> Any:
    if text == "true":
        return True
    if text == "false":
        return False
    if _INTEGER.fullmatch(text):
        return int(text)
    if _FLOAT.fullmatch(text):
        return float(text)
    return text
