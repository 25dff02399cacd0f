"""Making one attempt: send the stored request, report what came of it."""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import socket
import ssl
import time
from collections.abc import Sequence
from urllib.parse import urlsplit

import httpx
from django.utils import timezone

from retry import conf
from retry.working import Claim, Outcome

__all__ = ["BLOCKED", "send"]

#: The error recorded for an attempt refused by ``RETRY_BLOCKED_NETWORKS``.
BLOCKED = "blocked target"


#: A response body up to this size (declared by ``Content-Length``) is read to keep the connection.
_REUSE_BODY_LIMIT = 64 * 1024
#: How long reading it may take before the connection is given up instead.
_REUSE_READ_SECONDS = 1.0


class _Blocked(Exception):
    """The target resolves to a blocked address."""


async def send(
    client: httpx.AsyncClient, claim: Claim, timeout: float, networks: Sequence[conf.Network] | None = None
) -> Outcome:
    """Send ``claim``'s request once; never raises for network failures.

    Only the status matters: a small body is read (so that the connection can
    be kept alive and reused), a large one is not (it must not hold a slot).
    ``timeout`` bounds the attempt up to its status, connecting included,
    not just each read. ``networks`` are the blocked networks
    (``conf.blocked_networks()`` when not given; a worker parses them once).
    """
    if networks is None:
        networks = conf.blocked_networks()
    started_at = timezone.now()
    clock = time.monotonic()
    status_code: int | None = None
    error = ""
    final = False
    response: httpx.Response | None = None
    try:
        async with asyncio.timeout(timeout):
            await _check_target(claim.url, networks)
            request = client.build_request(
                claim.method,
                claim.url,
                # A list of pairs keeps a header with several values as several headers.
                headers=claim.headers,
                content=claim.body or None,
            )
            response = await client.send(request, stream=True)
    except _Blocked:
        # Retrying cannot change where a name points for long enough to matter.
        error, final = BLOCKED, True
    except socket.gaierror as exc:
        error = f"connection failed: {_reason(exc)}"
    except (TimeoutError, httpx.TimeoutException):
        error = f"timeout: no response within {timeout:g} s"
    except httpx.ConnectError as exc:
        # Refused connections, DNS failures and TLS errors all end up here.
        error = f"connection failed: {_reason(exc)}"
    except (httpx.HTTPError, httpx.InvalidURL, ssl.SSLError, OSError, ValueError) as exc:
        error = f"{type(exc).__name__}: {_reason(exc)}"
    if response is not None:
        status_code = response.status_code
        await _release(response)
    return Outcome(
        started_at=started_at,
        finished_at=timezone.now(),
        duration=round(time.monotonic() - clock, 6),
        status_code=status_code,
        error=error,
        final=final,
    )


async def _check_target(url: str, networks: Sequence[conf.Network]) -> None:
    """Raise :class:`_Blocked` if the URL's host resolves to a blocked address.

    Names are resolved here, just before sending, because acceptance could
    only judge IP literals and a name may point anywhere by now. Every
    address counts: the connection may use any of them. (httpx resolves the
    name again to connect, so a name re-pointed within that instant is not
    caught; pinning the address would need a custom transport.)
    """
    if not networks:
        return
    parts = urlsplit(url)
    # An IP literal needs no resolving (and no trip to the resolver's thread pool).
    literal = _literal_verdict(parts.hostname or "", tuple(networks))
    if literal is not None:
        if literal:
            raise _Blocked()
        return
    port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    infos = await asyncio.get_running_loop().getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    if any(conf.is_blocked(str(info[4][0]), networks) for info in infos):
        raise _Blocked()


async def _release(response: httpx.Response) -> None:
    """Close ``response``, reading its body first when it is small, so the connection goes back to the pool.

    An unread body leaves the connection mid-message, and it is closed: the
    next attempt to that host would pay for connecting again.
    """
    try:
        length = int(response.headers.get("Content-Length", ""))
    except ValueError:
        length = -1
    try:
        if 0 <= length <= _REUSE_BODY_LIMIT:
            # An empty body is already in hand: no timer for it (the commonest answer).
            async with asyncio.timeout(_REUSE_READ_SECONDS if length else None):
                async for _ in response.aiter_raw():  # raw: nothing is decoded or kept
                    pass
    except (TimeoutError, httpx.HTTPError, OSError):
        pass  # the status is known; only the connection is lost
    finally:
        await response.aclose()


@functools.lru_cache(maxsize=4096)
def _literal_verdict(host: str, networks: tuple[conf.Network, ...]) -> bool | None:
    """Whether an IP-literal host is blocked; ``None`` for a name (it must be resolved each time)."""
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return None
    return conf.is_blocked(host, networks)


def _reason(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text[:500]
