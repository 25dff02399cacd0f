"""Which media types a resource answers with, and picking one for a request.

A resource offers, for each kind of answer (item, list, error, root...), a
short table of :class:`Format` rows computed once per resource class. The
negotiation itself is :func:`webapi_kit.negotiation.negotiate`; this module
only maps its answer back to a renderer and the ``Content-Type`` to send.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from webapi_kit.errors import FieldError, NotAcceptable
from webapi_kit.negotiation import negotiate, quality
from webapi_kit.renderers import Renderer

__all__ = ["Format", "FormatTable", "vendor_type"]


def vendor_type(vendor: str, name: str, renderer: Renderer) -> str:
    """``application/vnd.<vendor>.<name>+json`` (or ``+xml``)."""
    return f"application/vnd.{vendor}.{name}{renderer.suffix}"


@dataclass(frozen=True, slots=True)
class Format:
    """One media type a client may ask for, and how it is answered."""

    offered: str        # the type matched against Accept
    renderer: Renderer
    content_type: str   # the type named in the answer's Content-Type


class FormatTable:
    """The formats one resource offers, in server-preference order."""

    __slots__ = ("_by_format", "_by_type", "_data_offered", "_offered", "_pages", "default")

    def __init__(self, formats: Sequence[Format]) -> None:
        if not formats:
            raise ValueError("a resource must offer at least one format")
        self._offered = tuple(f.offered for f in formats)
        # Pages (the browsable HTML) yield to the data formats: see select().
        self._pages = frozenset(f.offered for f in formats if f.renderer.presents)
        self._data_offered = tuple(t for t in self._offered if t not in self._pages)
        self._by_type: Mapping[str, Format] = {f.offered: f for f in formats}
        by_format: dict[str, Format] = {}
        for f in formats:
            by_format.setdefault(f.renderer.format, f)
        self._by_format: Mapping[str, Format] = by_format
        self.default = formats[0]

    @classmethod
    def for_names(
        cls, renderers: Sequence[Renderer], vendor: str | None, name: str | None
    ) -> FormatTable:
        """Plain types for every renderer, then vendor types when a vendor is set.

        With a vendor, plain ``application/json`` still selects JSON but the
        answer is labelled with the vendor type, as the dialect requires.
        Page formats (:class:`~webapi_kit.renderers.PageRenderer`) come
        last, with their plain type only.
        """
        data = [renderer for renderer in renderers if not renderer.presents]
        pages = [renderer for renderer in renderers if renderer.presents]
        formats: list[Format] = []
        for renderer in data:
            content_type = vendor_type(vendor, name, renderer) if vendor and name else renderer.media_type
            formats.append(Format(renderer.media_type, renderer, content_type))
        if vendor and name:
            for renderer in data:
                content_type = vendor_type(vendor, name, renderer)
                formats.append(Format(content_type, renderer, content_type))
        formats.extend(Format(renderer.media_type, renderer, renderer.media_type) for renderer in pages)
        return cls(formats)

    @property
    def formats(self) -> tuple[Format, ...]:
        return tuple(self._by_type[t] for t in self._offered)

    def for_renderer(self, renderer: Renderer) -> Format:
        """The row a given renderer answers with (errors reuse the request's renderer)."""
        return self._by_format.get(renderer.format, self.default)

    def select(self, accept: str | None, api_format: str | None) -> Format:
        """The format for a request, or :class:`NotAcceptable`.

        ``?api_format=`` wins over ``Accept``; an unknown value is a field
        error rather than a silent fallback.
        """
        if api_format is not None:
            chosen = self._by_format.get(api_format.lower())
            if chosen is None:
                choices = ", ".join(self._by_format)
                raise FieldError({"api_format": [f'"{api_format}" is not one of: {choices}']})
            return chosen
        offered = negotiate(accept, self._offered)
        if offered in self._pages:
            offered = self._page_or_data(accept, offered)
        if offered is None:
            raise NotAcceptable(
                "None of the media types in the Accept header can be produced; this resource offers: "
                + ", ".join(self._offered)
            )
        return self._by_type[offered]

    def _page_or_data(self, accept: str | None, page: str) -> str:
        """``page`` only if ``accept`` ranks it above every data format.

        A browser ranks ``text/html`` first; a header that ranks a data
        format as high (``text/html, */*``) keeps the answer it had before
        pages were offered.
        """
        data = negotiate(accept, self._data_offered) if self._data_offered else None
        if data is not None and quality(accept, page) <= quality(accept, data):
            return data
        return page
