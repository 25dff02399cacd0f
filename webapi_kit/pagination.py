"""Paging lists: ``?start=N&max-results=M``, ``total_results``, ``next``/``prev``.

A page costs one ``LIMIT/OFFSET`` query, plus one ``COUNT`` only when the
page itself cannot tell the total (a full page, or an empty page past the
start), so short lists cost a single query.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.db.models import QuerySet

from webapi_kit.conf import api_settings
from webapi_kit.errors import FieldError
from webapi_kit.fields import show
from webapi_kit.links import Link

__all__ = ["Page", "PageRequest", "paginate", "parse_page_request"]

#: Query parameters the list machinery consumes; ``next``/``prev`` keep the rest.
PAGING_PARAMS = frozenset({"start", "max-results"})


@dataclass(frozen=True, slots=True)
class PageRequest:
    """Where a page starts and how long it may be (already capped)."""

    start: int = 0
    max_results: int = 25


#: Larger offsets overflow the databases' 64-bit OFFSET (a 500, not a 400).
MAX_START = 2**62

_DIGITS = re.compile(r"-?[0-9]{1,30}")


def _int_param(query: Mapping[str, str], name: str, minimum: int, errors: dict[str, list[str]]) -> int | None:
    raw = query.get(name)
    if raw is None or raw == "":
        return None
    # int() alone would also take " 5", "5_0" and 4000-digit numbers.
    if not _DIGITS.fullmatch(raw):
        errors[name] = [f"{show(raw)} is not an integer"]
        return None
    value = int(raw)
    if value < minimum:
        errors[name] = [f'"{raw}" must be at least {minimum}']
        return None
    if value > MAX_START:
        errors[name] = [f'"{raw}" must be at most {MAX_START}']
        return None
    return value


def parse_page_request(query: Mapping[str, str]) -> PageRequest:
    """Read ``start`` and ``max-results``; bad values are a field error (105).

    ``max-results`` above the cap is capped rather than refused, as clients
    of the dialect expect.
    """
    errors: dict[str, list[str]] = {}
    start = _int_param(query, "start", 0, errors)
    max_results = _int_param(query, "max-results", 0, errors)
    if errors:
        raise FieldError(errors)
    if max_results is None:
        max_results = api_settings.MAX_RESULTS_DEFAULT
    return PageRequest(start=start or 0, max_results=min(max_results, api_settings.MAX_RESULTS_CAP))


@dataclass(slots=True)
class Page:
    """One page of a list and the total it came from."""

    items: Sequence[Any]
    total_results: int
    request: PageRequest

    def links(self, list_url: str, query: Mapping[str, str]) -> dict[str, Link]:
        """``next`` and ``prev`` links, keeping every other query parameter."""
        start, size = self.request.start, self.request.max_results
        rest = [(key, value) for key, value in _items(query) if key not in PAGING_PARAMS]
        tail = ("&" + urlencode(rest)) if rest else ""
        links: dict[str, Link] = {}
        if start > 0 and size > 0:
            links["prev"] = {"method": "GET", "href": f"{list_url}?start={max(0, start - size)}&max-results={size}{tail}"}
        if size > 0 and start + size < self.total_results:
            links["next"] = {"method": "GET", "href": f"{list_url}?start={start + size}&max-results={size}{tail}"}
        return links


def _items(query: Mapping[str, str]) -> list[tuple[str, str]]:
    # A QueryDict keeps every value of a repeated parameter; keep them all.
    lists = getattr(query, "lists", None)
    if lists is not None:
        return [(key, value) for key, values in lists() for value in values]
    return list(query.items())


def paginate(source: QuerySet[Any] | Sequence[Any], page: PageRequest) -> Page:
    """Slice ``source`` to ``page``; count only when the slice cannot tell."""
    start, size = page.start, page.max_results
    items = list(source[start : start + size]) if size else []
    if 0 < len(items) < size or (not items and start == 0 and size):
        total = start + len(items)
    elif isinstance(source, QuerySet):
        total = source.count()
    else:
        total = len(source)
    return Page(items=items, total_results=total, request=page)
