"""Hypermedia links and the URL templates they are built from.

Every URL an API emits is absolute and built by string formatting from a
template computed once per resource (``"authors/{author_id}/books/"``), never
by ``reverse()`` per item: a list of 25 items with five links each would
otherwise resolve 125 URLs per request.
"""

from __future__ import annotations

import re
from typing import NotRequired, TypedDict
from urllib.parse import quote

__all__ = ["Link", "UriTemplate", "link", "path_segment"]


class Link(TypedDict):
    """One entry of a payload's ``links``."""

    href: str
    method: str
    title: NotRequired[str]


def link(href: str, method: str = "GET", title: str | None = None) -> Link:
    """Build a :class:`Link`; ``title`` is left out when ``None``."""
    if title is None:
        return {"method": method, "href": href}
    return {"method": method, "href": href, "title": title}


_VARIABLE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
# What a path segment may hold unquoted (RFC 3986 pchar without "%").
_SEGMENT_SAFE = ":@!$&'()*+,;="
_NEEDS_QUOTING = re.compile(r"[^A-Za-z0-9\-._~:@!$&'()*+,;=]")


def path_segment(value: str) -> str:
    """``value`` quoted for one segment of a URL's path, as every href quotes keys."""
    # Keys are mostly digits or slugs: quote only when something needs it.
    return value if _NEEDS_QUOTING.search(value) is None else quote(value, safe=_SEGMENT_SAFE)


class UriTemplate:
    """A path relative to an API's root with ``{name}`` variables.

    ``pattern(regexes)`` gives the Django URL regex that matches it, and
    ``expand(values)`` the path for concrete values (each quoted for a URL
    path segment).
    """

    __slots__ = ("template", "variables")

    def __init__(self, template: str) -> None:
        self.template = template
        self.variables: tuple[str, ...] = tuple(_VARIABLE.findall(template))

    def __repr__(self) -> str:
        return f"UriTemplate({self.template!r})"

    def __str__(self) -> str:
        return self.template

    def expand(self, values: dict[str, str]) -> str:
        if not self.variables:
            return self.template
        return self.template.format_map({name: path_segment(str(values[name])) for name in self.variables})

    def pattern(self, regexes: dict[str, str]) -> str:
        """The anchored regular expression Django routes this template with."""
        parts: list[str] = []
        position = 0
        for match in _VARIABLE.finditer(self.template):
            parts.append(re.escape(self.template[position : match.start()]))
            name = match.group(1)
            parts.append(f"(?P<{name}>{regexes.get(name, '[^/]+')})")
            position = match.end()
        parts.append(re.escape(self.template[position:]))
        return "^" + "".join(parts) + "$"

    def join(self, suffix: str) -> UriTemplate:
        return UriTemplate(self.template + suffix)
