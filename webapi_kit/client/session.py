"""What the sync and async clients share: configuration, request building, answers.

A request goes: build (``Accept``, query options, body, ``If-None-Match``
from the ETag cache, CSRF header for a session) → send (the flavour's own
loop, which waits on ``429``) → :meth:`SessionBase.answer` (``304`` from the
cache, decode JSON/XML, raise the API's errors).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

import httpx

from webapi_kit.client.errors import ClientError, TransportError
from webapi_kit.client.payloads import Answer, decode, raise_for_error
from webapi_kit.client.resources import Unpacked, unpack
from webapi_kit.client.wire import (
    BodyFormat,
    Cached,
    ETagCache,
    RetryPolicy,
    accept_header,
    build_body,
    query_params,
    with_query,
)

__all__ = ["Prepared", "SessionBase", "check_session_started"]

_UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: Django's default CSRF cookie; a session login needs its value echoed on writes.
CSRF_COOKIE = "csrftoken"


@dataclass
class Prepared:
    """A request ready to send, and the cached answer it may be served from."""

    method: str
    url: str
    kwargs: dict[str, Any]
    cached: Cached | None
    accept: str


class SessionBase:
    """Options and the sans-I/O steps; :class:`Client` and :class:`AsyncClient` add the sending."""

    def __init__(
        self,
        url: str,
        *,
        format: Literal["json", "xml"] = "json",
        body_format: BodyFormat = "json",
        retry: RetryPolicy | None = None,
        cache_size: int = 256,
    ) -> None:
        if not urlsplit(url).scheme:
            raise ValueError(f"the API's root must be an absolute URL, not {url!r}")
        #: The API's root URL: the only URL a user gives; everything else comes from links.
        self.url = url
        self.format = format
        self.body_format = body_format
        self.retry = retry or RetryPolicy()
        self.cache = ETagCache(cache_size)

    def prepare(
        self,
        method: str,
        url: str,
        *,
        query: Mapping[str, Any] | None = None,
        fields: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        cookies: httpx.Cookies,
        auth: httpx.Auth | None = None,
    ) -> Prepared:
        method = method.upper()
        accept = accept_header(self.format)
        full_url = with_query(url, query_params(query or {}))
        out: dict[str, str] = {"Accept": accept}
        body = build_body(fields or {}, self.body_format)
        if body.content_type:
            out["Content-Type"] = body.content_type
        cached = None
        if method == "GET":
            cached = self.cache.get(full_url, accept)
            if cached is not None:
                out["If-None-Match"] = cached.etag
        if method in _UNSAFE:
            token = cookies.get(CSRF_COOKIE)
            if token:
                out["X-CSRFToken"] = token
                if full_url.startswith("https:"):
                    out["Referer"] = self.url
        out.update(headers or {})
        kwargs: dict[str, Any] = {"headers": out, **body.kwargs()}
        if auth is not None:
            kwargs["auth"] = auth
        return Prepared(method, full_url, kwargs, cached, accept)

    def answer(self, prepared: Prepared, response: httpx.Response) -> Answer:
        """Decode an answer (or serve a 304 from the cache) and raise for errors."""
        if response.status_code == 304 and prepared.cached is not None:
            return prepared.cached.answer
        answer = decode(
            status=response.status_code, method=prepared.method, url=prepared.url,
            headers=response.headers, body=response.content,
        )
        raise_for_error(answer)
        if prepared.method == "GET":
            self.cache.store(prepared.url, prepared.accept, answer)
        return answer

    @staticmethod
    def unpack(answer: Answer) -> Unpacked:
        return unpack(answer)

    @staticmethod
    def transport_error(prepared: Prepared, exc: httpx.HTTPError) -> ClientError:
        """A failure to get an answer, with what was being done."""
        if isinstance(exc, httpx.RemoteProtocolError):
            msg = f"{prepared.method} {prepared.url}: the server broke the connection or the protocol ({exc})"
        elif isinstance(exc, httpx.TimeoutException):
            msg = f"{prepared.method} {prepared.url}: timed out ({type(exc).__name__})"
        else:
            msg = f"{prepared.method} {prepared.url}: {type(exc).__name__}: {exc}"
        return TransportError(msg, method=prepared.method, url=prepared.url)


def check_session_started(answer: Answer) -> None:
    """A login's answer must set a cookie: otherwise later calls would be anonymous."""
    if not answer.headers.get("set-cookie"):
        raise ClientError(
            f"{answer.method} {answer.url} accepted the credentials but started no session (no cookie was set)"
        )
