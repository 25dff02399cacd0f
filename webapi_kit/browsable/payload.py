"""A payload pretty-printed as HTML, every ``href`` a link.

The text is what ``json.dumps(payload, indent=2)`` writes, escaped piece by
piece; a string under an ``href`` key, or any string that is a URL under the
API's root, becomes an ``<a>``. Only ``http:`` and ``https:`` URLs are
linked, so a stored ``javascript:`` URL stays text.
"""

from __future__ import annotations

import json
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

__all__ = ["payload_html"]

_INDENT = "  "


def _is_link(key: str | None, value: str, base_url: str) -> bool:
    if not value.startswith(("http://", "https://")):
        return False
    return key == "href" or value.startswith(base_url)


def _string(value: str, key: str | None, base_url: str) -> str:
    text = escape(json.dumps(value, ensure_ascii=False))
    if _is_link(key, value, base_url):
        return f'<a href="{escape(value)}">{text}</a>'
    return f'<span class="s">{text}</span>'


def _write(out: list[str], value: Any, key: str | None, depth: int, base_url: str) -> None:
    pad = _INDENT * (depth + 1)
    if isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        out.append("{\n")
        for index, (name, item) in enumerate(value.items()):
            out.append(f'{pad}<span class="k">{escape(json.dumps(str(name), ensure_ascii=False))}</span>: ')
            _write(out, item, str(name), depth + 1, base_url)
            out.append(",\n" if index < len(value) - 1 else "\n")
        out.append(_INDENT * depth + "}")
    elif isinstance(value, list):
        if not value:
            out.append("[]")
            return
        out.append("[\n")
        for index, item in enumerate(value):
            out.append(pad)
            _write(out, item, key, depth + 1, base_url)
            out.append(",\n" if index < len(value) - 1 else "\n")
        out.append(_INDENT * depth + "]")
    elif isinstance(value, str):
        out.append(_string(value, key, base_url))
    else:
        out.append(f'<span class="n">{escape(json.dumps(value))}</span>')


def payload_html(payload: Any, base_url: str) -> SafeString:
    """``payload`` (decoded JSON) as escaped, indented HTML with links."""
    out: list[str] = []
    _write(out, payload, None, 0, base_url)
    return mark_safe("".join(out))  # every piece above is escaped
