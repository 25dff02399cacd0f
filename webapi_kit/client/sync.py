"""The synchronous client: :class:`Client`, :class:`Item`, :class:`ResourceList`."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Literal, overload

import httpx

from webapi_kit.client.errors import ClientError, NotLoggedIn
from webapi_kit.client.payloads import Answer
from webapi_kit.client.resources import BaseItem, BaseList, Unpacked, embedded, item_url
from webapi_kit.client.session import SessionBase, check_session_started
from webapi_kit.client.wire import BodyFormat, RetryPolicy, page_url

__all__ = ["Client", "Item", "ResourceList"]

LinkMethod = Callable[..., "Item | ResourceList"]


def _link_method(client: Client, href: str, rel: str) -> LinkMethod:
    """``get_<rel>(**query)``: GET the link's URL."""

    def follow(**query: Any) -> Item | ResourceList:
        return client.get(href, **query)

    follow.__name__ = f"get_{rel}"
    return follow


class Item(BaseItem):
    """An object (or the API's root). Link methods GET: ``item.get_books(max_results=50)``."""

    def __init__(self, client: Client, unpacked: Unpacked, answer: Answer) -> None:
        super().__init__(
            unpacked.fields, unpacked.links, url=item_url(unpacked, answer),
            key=unpacked.key, etag=answer.etag, content_type=answer.content_type,
        )
        self._client = client

    def _link_method(self, rel: str) -> LinkMethod:
        return _link_method(self._client, self.href(rel), rel)

    def _nested(self, value: dict[str, Any]) -> Item:
        return Item(self._client, *embedded(value, None, self.self_url))

    def get_self(self, **query: Any) -> Item:
        """The object again, fresh (served from the ETag cache when unchanged)."""
        return self._client.get_item(self.self_url, **query)

    refresh = get_self

    def get_template(self, name: str, **values: Any) -> Item | ResourceList:
        """GET the root's URI template ``name`` filled with ``values``: ``root.get_template("author", author_id=1)``."""
        return self._client.get(self.expand_template(name, **values))

    def update(self, **fields: Any) -> Item:
        """PUT the fields through the ``update`` link; ``If-Match`` when this copy has an ETag.

        Raises :class:`~webapi_kit.client.PreconditionFailed` when someone
        changed the object since this copy was read.
        """
        headers = {"If-Match": self.etag} if self.etag else {}
        answer = self._client.request("PUT", self.href("update"), fields=fields, headers=headers)
        return self._client.resource_item(answer)

    def delete(self) -> None:
        """DELETE through the ``delete`` link, with ``If-Match`` when this copy has an ETag."""
        headers = {"If-Match": self.etag} if self.etag else {}
        self._client.request("DELETE", self.href("delete"), headers=headers)


class ResourceList(BaseList):
    """A list: iterating goes through every page (lazily, following ``next``).

    ``len()`` is ``total_results``; ``lst[i]`` and ``lst[a:b]`` fetch only the
    pages they need; :attr:`page` is the items of this page alone.
    """

    def __init__(self, client: Client, unpacked: Unpacked, answer: Answer) -> None:
        super().__init__(
            unpacked.key, unpacked.items, unpacked.links, url=answer.url,
            total_results=unpacked.total_results, etag=answer.etag, content_type=answer.content_type,
        )
        self._client = client

    @property
    def page(self) -> list[Item]:
        return [self._item(raw) for raw in self._page]

    def _item(self, raw: dict[str, Any]) -> Item:
        return Item(self._client, *embedded(raw, self.payload_key, self.self_url))

    def _link_method(self, rel: str) -> LinkMethod:
        return _link_method(self._client, self.href(rel), rel)

    def pages(self) -> Iterator[ResourceList]:
        """This page and each following one."""
        page: ResourceList = self
        while True:
            yield page
            if not page.has_link("next"):
                return
            page = self._client.get_list(page.href("next"))

    def __iter__(self) -> Iterator[Item]:
        for page in self.pages():
            yield from page.page

    @overload
    def __getitem__(self, index: int) -> Item: ...
    @overload
    def __getitem__(self, index: slice) -> list[Item]: ...
    def __getitem__(self, index: int | slice) -> Item | list[Item]:
        if isinstance(index, slice):
            start, stop = self._range(index)
            return self.slice(start, stop)
        position = self._position(index)
        found = self.slice(position, position + 1)
        if not found:
            raise IndexError(f"index {index}: the list is shorter than its total_results said")
        return found[0]

    def slice(self, start: int, stop: int) -> list[Item]:
        """Items ``start`` to ``stop`` (exclusive) of the whole list, asking for just those."""
        wanted = max(0, stop - start)
        items: list[Item] = []
        if not wanted:
            return items
        first = self._client.get_list(page_url(self.self_url, start, wanted))
        for item in first:
            items.append(item)
            if len(items) >= wanted:
                break
        return items

    def create(self, **fields: Any) -> Item:
        """POST through the ``create`` link; files (bytes, open files, tuples) go as multipart."""
        return self._client.resource_item(self._client.request("POST", self.href("create"), fields=fields))


class Client(SessionBase):
    """A client for one API, from its root URL: ``Client("https://host/api/", auth=...)``.

    ``auth`` is any :class:`httpx.Auth` (see :mod:`webapi_kit.client.auth`);
    ``format`` picks JSON or XML on the wire (the objects are the same);
    ``body_format="form"`` sends fields as forms for servers without JSON
    bodies (djblets); ``retry`` bounds the waiting on ``429``;
    ``cache_size`` is how many ETag'd answers are kept (0: none). Other
    keyword arguments go to :class:`httpx.Client` (``timeout``, ``verify``,
    ``headers``, ``transport``...).
    """

    def __init__(
        self,
        url: str,
        *,
        auth: httpx.Auth | tuple[str, str] | None = None,
        format: Literal["json", "xml"] = "json",
        body_format: BodyFormat = "json",
        retry: RetryPolicy | None = None,
        cache_size: int = 256,
        timeout: float = 30.0,
        **httpx_options: Any,
    ) -> None:
        super().__init__(url, format=format, body_format=body_format, retry=retry, cache_size=cache_size)
        self.http = httpx.Client(auth=auth, timeout=timeout, **httpx_options)

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self.http.close()

    def request(
        self,
        method: str,
        url: str,
        *,
        query: Mapping[str, Any] | None = None,
        fields: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        auth: httpx.Auth | None = None,
    ) -> Answer:
        """One call, waiting out ``429`` as :attr:`retry` allows; the decoded answer."""
        prepared = self.prepare(method, url, query=query, fields=fields, headers=headers, cookies=self.http.cookies, auth=auth)
        attempt = 0
        while True:
            try:
                response = self.http.request(prepared.method, prepared.url, **prepared.kwargs)
            except httpx.HTTPError as exc:
                raise self.transport_error(prepared, exc) from exc
            wait = self.retry.wait_for(response.status_code, response.headers, attempt)
            if wait is None:
                return self.answer(prepared, response)
            attempt += 1
            time.sleep(wait)

    def resource(self, answer: Answer) -> Item | ResourceList:
        unpacked = self.unpack(answer)
        return ResourceList(self, unpacked, answer) if unpacked.kind == "list" else Item(self, unpacked, answer)

    def resource_item(self, answer: Answer) -> Item:
        resource = self.resource(answer)
        if not isinstance(resource, Item):
            raise ClientError(f"{answer.method} {answer.url} answered a list where an object was expected")
        return resource

    def get(self, url: str, **query: Any) -> Item | ResourceList:
        """GET a URL the API gave (a link's ``href``); query options as keywords."""
        return self.resource(self.request("GET", url, query=query))

    def get_item(self, url: str, **query: Any) -> Item:
        return self.resource_item(self.request("GET", url, query=query))

    def get_list(self, url: str, **query: Any) -> ResourceList:
        resource = self.get(url, **query)
        if not isinstance(resource, ResourceList):
            raise ClientError(f"GET {url} answered an object where a list was expected")
        return resource

    def root(self, **query: Any) -> Item:
        """The API's root: links to every top-level resource and its ``uri_templates``."""
        return self.get_item(self.url, **query)

    def login(self, username: str, password: str) -> None:
        """Start a session: one request with Basic credentials, then cookies only.

        The request goes to the root's ``session`` link when it has one (the
        dialect's login resource, as in Review Board), else to the root. The
        server must answer with a cookie; later writes echo Django's CSRF
        cookie in ``X-CSRFToken``.
        """
        try:
            root = self.root()
            target = root.href("session") if root.has_link("session") else self.url
        except NotLoggedIn:  # a root that needs credentials: log in there
            target = self.url
        check_session_started(self.request("GET", target, auth=httpx.BasicAuth(username, password)))
