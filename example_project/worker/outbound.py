"""The HTTP client the workers send with: aiohttp, sending only the headers each service means to send.

Why aiohttp and not httpx: with the hundreds of connections a worker keeps
open to reach 1 000 requests a second against targets that take 100 ms to
answer, httpcore's pool spends its time matching requests to connections
(``_assign_requests_to_connections`` is quadratic in the connections): on
our 2-core machines 500 concurrent requests cost it 8–12 ms of CPU each and
it managed about 50 a second; aiohttp sent the same load at 1 600 a second
for 0.2 ms each. (httpx stays the client of :mod:`webapi_kit.client`, where a
few connections at a time is the norm.)

aiohttp puts ``Accept``, ``Accept-Encoding``, ``User-Agent`` and, for a body,
``Content-Type`` on every request. A retried request must reach its target
as it was submitted, and a delivery must carry what the Data Router guide
lists, so those defaults go. What stays is a ``User-Agent`` naming the
service (``webapi_kit-retry/0.1.0``), so a target's logs say who is calling;
a header the request itself carries (a stored request's own
``User-Agent``) replaces it. Cookies a target sets are never kept: one
target's cookie must not travel with the next request.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re

import aiohttp
import yarl
from aiohttp.abc import AbstractResolver

import webapi_kit

__all__ = ["TRANSPORT_ERRORS", "read_small_body", "session", "url", "user_agent"]

#: What sending can raise when the network or the peer fails (never a bug of ours).
TRANSPORT_ERRORS = (aiohttp.ClientError, OSError, asyncio.TimeoutError)

#: aiohttp's own defaults, which no service asked for.
_UNASKED = ("Accept", "Accept-Encoding", "User-Agent", "Content-Type")
#: A response body up to this size is read so that the connection can be reused.
_REUSE_BODY_LIMIT = 64 * 1024


def user_agent(service: str) -> str:
    """The ``User-Agent`` of ``service``'s outbound requests."""
    return f"webapi_kit-{service}/{webapi_kit.__version__}"


def session(
    service: str, *, connections: int, timeout: float, resolver: AbstractResolver | None = None
) -> aiohttp.ClientSession:
    """A session for ``service`` keeping at most ``connections`` open; ``timeout`` bounds each request.

    Call it inside the running event loop (aiohttp binds the session to it).
    Redirects are never followed here: each service decides what a 3xx means.
    ``resolver`` replaces aiohttp's for host names (see :mod:`retry.targets`).
    """
    connector = aiohttp.TCPConnector(
        limit=connections, limit_per_host=0, enable_cleanup_closed=True, resolver=resolver
    )
    return aiohttp.ClientSession(
        connector=connector,
        headers={"User-Agent": user_agent(service)},
        skip_auto_headers=_UNASKED,
        cookie_jar=aiohttp.DummyCookieJar(),
        timeout=aiohttp.ClientTimeout(total=timeout),
        auto_decompress=False,
        trust_env=False,
    )


def url(text: str) -> yarl.URL:
    """``text`` as the URL aiohttp sends to: what acceptance checks a URL against.

    Raises ``ValueError`` for one that could never be sent as given: not an
    absolute http(s) URL, a control character or a space anywhere (yarl
    would quietly drop or escape it, and send somewhere else than was
    asked), or a host that is neither an IP address nor a DNS name once
    IDNA-encoded (``a<b.example`` resolves nowhere, ever).
    """
    if _UNSENDABLE.search(text):
        raise ValueError("a URL may not hold spaces or control characters")
    parsed = yarl.URL(text)
    host = parsed.raw_host or ""
    if not parsed.is_absolute() or parsed.scheme not in ("http", "https") or not host:
        raise ValueError("not an absolute http or https URL")
    if not (_is_ip(host) or _DNS_NAME.fullmatch(host)):
        raise ValueError("the host is not an IP address or a DNS name")
    return parsed


_UNSENDABLE = re.compile(r"[\x00-\x20\x7f]")
#: Letters, digits, hyphens (and the underscores real names carry), in labels of 1–63, 253 in all.
_DNS_NAME = re.compile(r"(?=.{1,253}\.?$)(?:[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?\.)*"
                       r"[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?\.?")


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    return True


async def read_small_body(response: aiohttp.ClientResponse) -> None:
    """Read a small declared body so the connection goes back to the pool; leave a large one.

    Only the status matters to the workers. An unread body leaves the
    connection mid-message and aiohttp closes it: the next request would pay
    for a new connection. A large body must not hold a slot, so it is not read.
    """
    length = response.content_length
    if length is not None and length <= _REUSE_BODY_LIMIT:
        try:
            await response.read()
        except TRANSPORT_ERRORS:
            pass  # the status is known; only the connection is lost
