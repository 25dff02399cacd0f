"""The asynchronous client: :class:`AsyncClient`, :class:`AsyncItem`, :class:`AsyncResourceList`.

The same objects as :mod:`~webapi_kit.client.sync`; every method that makes
a request is a coroutine, and lists iterate with ``async for``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any, Literal

import httpx

from webapi_kit.client.errors import ClientError, NotLoggedIn
from webapi_kit.client.payloads import Answer
from webapi_kit.client.resources import BaseItem, BaseList, Unpacked, embedded, item_url
from webapi_kit.client.session import SessionBase, check_session_started
from webapi_kit.client.wire import BodyFormat, RetryPolicy, page_url

__all__ = ["AsyncClient", "AsyncItem", "AsyncResourceList"]

AsyncLinkMethod = Callable[..., Awaitable["AsyncItem | AsyncResourceList"]]


def _link_method(client: AsyncClient, href: str, rel: str) -> AsyncLinkMethod:
    """``await get_<rel>(**query)``: GET the link's URL."""

    async def follow(**query: Any) -> AsyncItem | AsyncResourceList:
        return await client.get(href, **query)

    follow.__name__ = f"get_{rel}"
    return follow


class AsyncItem(BaseItem):
    """An object; ``await item.get_books(max_results=50)``, ``await item.update(...)``."""

    def __init__(self, client: AsyncClient, unpacked: Unpacked, answer: Answer) -> None:
        super().__init__(
            unpacked.fields, unpacked.links, url=item_url(unpacked, answer),
            key=unpacked.key, etag=answer.etag, content_type=answer.content_type,
        )
        self._client = client

    def _link_method(self, rel: str) -> AsyncLinkMethod:
        return _link_method(self._client, self.href(rel), rel)

    def _nested(self, value: dict[str, Any]) -> AsyncItem:
        return AsyncItem(self._client, *embedded(value, None, self.self_url))

    async def get_self(self, **query: Any) -> AsyncItem:
        return await self._client.get_item(self.self_url, **query)

    refresh = get_self

    async def get_template(self, name: str, **values: Any) -> AsyncItem | AsyncResourceList:
        return await self._client.get(self.expand_template(name, **values))

    async def update(self, **fields: Any) -> AsyncItem:
        headers = {"If-Match": self.etag} if self.etag else {}
        answer = await self._client.request("PUT", self.href("update"), fields=fields, headers=headers)
        return self._client.resource_item(answer)

    async def delete(self) -> None:
        headers = {"If-Match": self.etag} if self.etag else {}
        await self._client.request("DELETE", self.href("delete"), headers=headers)


class AsyncResourceList(BaseList):
    """A list; ``async for item in lst`` goes through every page."""

    def __init__(self, client: AsyncClient, unpacked: Unpacked, answer: Answer) -> None:
        super().__init__(
            unpacked.key, unpacked.items, unpacked.links, url=answer.url,
            total_results=unpacked.total_results, etag=answer.etag, content_type=answer.content_type,
        )
        self._client = client

    @property
    def page(self) -> list[AsyncItem]:
        return [self._item(raw) for raw in self._page]

    def _item(self, raw: dict[str, Any]) -> AsyncItem:
        return AsyncItem(self._client, *embedded(raw, self.payload_key, self.self_url))

    def _link_method(self, rel: str) -> AsyncLinkMethod:
        return _link_method(self._client, self.href(rel), rel)

    async def pages(self) -> AsyncIterator[AsyncResourceList]:
        page: AsyncResourceList = self
        while True:
            yield page
            if not page.has_link("next"):
                return
            page = await self._client.get_list(page.href("next"))

    async def __aiter__(self) -> AsyncIterator[AsyncItem]:
        async for page in self.pages():
            for item in page.page:
                yield item

    async def at(self, index: int) -> AsyncItem:
        """Item ``index`` of the whole list (negative counts from the end)."""
        position = self._position(index)
        found = await self.slice(position, position + 1)
        if not found:
            raise IndexError(f"index {index}: the list is shorter than its total_results said")
        return found[0]

    async def slice(self, start: int, stop: int) -> list[AsyncItem]:
        start, stop = self._range(slice(start, stop))
        wanted = stop - start
        items: list[AsyncItem] = []
        if not wanted:
            return items
        first = await self._client.get_list(page_url(self.self_url, start, wanted))
        async for item in first:
            items.append(item)
            if len(items) >= wanted:
                break
        return items

    async def create(self, **fields: Any) -> AsyncItem:
        return self._client.resource_item(await self._client.request("POST", self.href("create"), fields=fields))


class AsyncClient(SessionBase):
    """:class:`~webapi_kit.client.Client`'s twin for ``asyncio``; use ``async with``."""

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
        self.http = httpx.AsyncClient(auth=auth, timeout=timeout, **httpx_options)

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self.http.aclose()

    async def request(
        self,
        method: str,
        url: str,
        *,
        query: Mapping[str, Any] | None = None,
        fields: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        auth: httpx.Auth | None = None,
    ) -> Answer:
        prepared = self.prepare(method, url, query=query, fields=fields, headers=headers, cookies=self.http.cookies, auth=auth)
        attempt = 0
        while True:
            try:
                response = await self.http.request(prepared.method, prepared.url, **prepared.kwargs)
            except httpx.HTTPError as exc:
                raise self.transport_error(prepared, exc) from exc
            wait = self.retry.wait_for(response.status_code, response.headers, attempt)
            if wait is None:
                return self.answer(prepared, response)
            attempt += 1
            await asyncio.sleep(wait)

    def resource(self, answer: Answer) -> AsyncItem | AsyncResourceList:
        unpacked = self.unpack(answer)
        return AsyncResourceList(self, unpacked, answer) if unpacked.kind == "list" else AsyncItem(self, unpacked, answer)

    def resource_item(self, answer: Answer) -> AsyncItem:
        resource = self.resource(answer)
        if not isinstance(resource, AsyncItem):
            raise ClientError(f"{answer.method} {answer.url} answered a list where an object was expected")
        return resource

    async def get(self, url: str, **query: Any) -> AsyncItem | AsyncResourceList:
        return self.resource(await self.request("GET", url, query=query))

    async def get_item(self, url: str, **query: Any) -> AsyncItem:
        return self.resource_item(await self.request("GET", url, query=query))

    async def get_list(self, url: str, **query: Any) -> AsyncResourceList:
        resource = await self.get(url, **query)
        if not isinstance(resource, AsyncResourceList):
            raise ClientError(f"GET {url} answered an object where a list was expected")
        return resource

    async def root(self, **query: Any) -> AsyncItem:
        return await self.get_item(self.url, **query)

    async def login(self, username: str, password: str) -> None:
        """See :meth:`webapi_kit.client.Client.login`."""
        try:
            root = await self.root()
            target = root.href("session") if root.has_link("session") else self.url
        except NotLoggedIn:
            target = self.url
        check_session_started(await self.request("GET", target, auth=httpx.BasicAuth(username, password)))
