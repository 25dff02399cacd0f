"""Success answers: what a handler may return, and how a resource turns results into HTTP.

* :class:`APIResponse` is what a handler returns when the default shapes
  (an object, a :class:`~webapi_kit.pagination.Page`, ``None``) do not fit.
* :class:`Responses` is the part of
  :class:`~webapi_kit.resource.WebAPIResource` that builds the answer to a
  handler's result: envelope, renderer, ``Location``, ``ETag`` and
  ``Last-Modified``, and the 304 of a conditional ``GET``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, cast

from django.http import HttpResponse

from webapi_kit import conditional
from webapi_kit.challenges import ChallengeResponse
from webapi_kit.context import RequestContext, query_params
from webapi_kit.envelopes import Envelope
from webapi_kit.errors import MethodNotAllowed
from webapi_kit.links import Link
from webapi_kit.pagination import Page
from webapi_kit.serialization import Serialization

if TYPE_CHECKING:
    from webapi_kit.resource import Kind, WebAPIResource

__all__ = ["APIResponse", "Responses"]


@dataclass(slots=True)
class APIResponse:
    """A success answer with a free-form payload.

    ``payload`` goes through the API's envelope (``envelope.payload``) and the
    negotiated renderer; ``None`` sends no body at all. ``content_type``
    replaces the negotiated type's name (the renderer stays the negotiated
    one), for APIs whose seed fixes a media type per answer.
    """

    payload: Any = None
    status: HTTPStatus = HTTPStatus.OK
    headers: Mapping[str, str] = field(default_factory=dict)
    content_type: str | None = None


class Responses(Serialization):
    """Building a success answer from a handler's result (part of ``WebAPIResource``)."""

    def build_response(self, ctx: RequestContext, kind: Kind, method: str, result: Any) -> HttpResponse:
        """Turn a handler's result into the HTTP answer."""
        fmt = ctx.format
        if isinstance(result, APIResponse):
            if result.payload is None:
                response = self._empty_response(result.status)
            else:
                body = fmt.renderer.render(self.get_envelope().payload(result.payload))
                response = self._content_response(body, result.content_type or fmt.content_type, result.status)
            for header, value in result.headers.items():
                response[header] = value
            return self._conditional(ctx, response, None) if method == "GET" else response
        if result is None:
            return self._empty_response(HTTPStatus.NO_CONTENT)
        if isinstance(result, Page):
            return self._conditional(ctx, self.page_response(ctx, result), None)
        item = self.serialize_object(result, ctx)
        body = fmt.renderer.render(self.get_envelope().item(cast("WebAPIResource", self), item))
        if kind == "list" and method == "POST":
            # The new object is an item: labelled with the item type, not the list's.
            item_type = self.formats["item"].for_renderer(fmt.renderer).content_type
            response = self._content_response(body, item_type, HTTPStatus.CREATED)
            # ``only-links``/``only-fields`` may have left the self link out of the body.
            links = item.get("links")
            self_link = links.get("self") if isinstance(links, dict) else None
            response["Location"] = self_link["href"] if self_link else self.get_href(result, ctx)
            return response
        response = self._content_response(body, fmt.content_type, HTTPStatus.OK)
        last_modified = self.get_last_modified(result)
        if last_modified is not None:
            response["Last-Modified"] = conditional.format_http_date(last_modified)
        if method == "GET":
            return self._conditional(ctx, response, last_modified)
        # The new version's tag, so a client can chain If-Match updates.
        response["ETag"] = conditional.etag_for(body)
        return response

    def page_response(self, ctx: RequestContext, page: Page) -> HttpResponse:
        fmt = ctx.format
        list_url = ctx.base_url + self.list_template.expand(ctx.kwargs)
        query_string = ctx.request.META.get("QUERY_STRING", "")
        self_href = f"{list_url}?{query_string}" if query_string else list_url
        links: dict[str, Link] = {"self": {"method": "GET", "href": self_href}}
        if "POST" in self._handlers["list"]:
            links["create"] = {"method": "POST", "href": list_url}
        links.update(page.links(list_url, query_params(ctx.request)))
        for child in self.list_child_resources:
            links[child.name_plural] = {"method": "GET", "href": list_url + child.uri_name + "/"}
        items = self.serialize_list(page.items, ctx, list_url)
        data = self.get_envelope().page(cast("WebAPIResource", self), items, links=links, total_results=page.total_results)
        response = self._content_response(fmt.renderer.render(data), fmt.content_type, HTTPStatus.OK)
        response["Item-Content-Type"] = self.formats["item"].for_renderer(fmt.renderer).content_type
        return response

    def get_envelope(self) -> Envelope:
        assert self.envelope is not None
        return self.envelope

    @staticmethod
    def _content_response(body: bytes, content_type: str, status: int, challenges: tuple[str, ...] = ()) -> HttpResponse:
        if challenges:
            response: HttpResponse = ChallengeResponse(body, content_type=content_type, status=status, challenges=challenges)
        else:
            response = HttpResponse(body, content_type=content_type, status=status)
        # Always a length: djblets' lazy bodies went out empty under plain WSGI.
        response["Content-Length"] = str(len(body))
        response["X-Content-Type-Options"] = "nosniff"
        return response

    @staticmethod
    def _empty_response(status: int) -> HttpResponse:
        """An answer without a body: no ``Content-Type`` (djblets labelled its 204s).

        A 204 or 304 carries no ``Content-Length`` either (RFC 9110 forbids it
        on a 204); any other status says ``0`` so no client waits for a body.
        """
        response = HttpResponse(status=status)
        del response["Content-Type"]
        if status not in (HTTPStatus.NO_CONTENT, HTTPStatus.NOT_MODIFIED):
            response["Content-Length"] = "0"
        return response

    def _conditional(self, ctx: RequestContext, response: HttpResponse, last_modified: datetime | None) -> HttpResponse:
        if response.status_code != HTTPStatus.OK:
            return response
        etag = conditional.etag_for(response.content)
        response["ETag"] = etag
        meta = ctx.request.META
        if_none_match = meta.get("HTTP_IF_NONE_MATCH")
        if if_none_match is not None:
            current = conditional.if_none_match_passes(if_none_match, etag)
        else:
            current = conditional.if_modified_since_passes(meta.get("HTTP_IF_MODIFIED_SINCE"), last_modified)
        if current:
            return response
        not_modified = self._empty_response(HTTPStatus.NOT_MODIFIED)
        for header in ("ETag", "Last-Modified"):
            if header in response:
                not_modified[header] = response[header]
        return not_modified

    def _options_response(self, kind: Kind) -> HttpResponse:
        if not self._allow[kind]:
            raise MethodNotAllowed(())
        response = self._empty_response(HTTPStatus.OK)
        response["Allow"] = self._allow[kind]
        return response
