"""Making one attempt: send the stored request, report what came of it."""

from __future__ import annotations

import asyncio
import socket
import ssl
import time
from urllib.parse import urlsplit

import aiohttp
from django.utils import timezone

from retry import conf
from retry.services import Claim, Outcome
from worker import outbound

__all__ = ["BLOCKED", "send"]

#: The error recorded for an attempt refused by ``RETRY_BLOCKED_NETWORKS``.
BLOCKED = "blocked target"


class _Blocked(Exception):
    """The target resolves to a blocked address."""


async def send(session: aiohttp.ClientSession, claim: Claim, timeout: float) -> Outcome:
    """Send ``claim``'s request once; never raises for network failures.

    Only the status matters: a small body is read so that the connection is
    reused, a large one is not (it must not hold a slot). ``timeout`` bounds
    the whole attempt, connecting included, not just each read.
    """
    started_at = timezone.now()
    clock = time.monotonic()
    status_code: int | None = None
    error = ""
    final = False
    try:
        async with asyncio.timeout(timeout):
            await _check_target(claim.url)
            async with session.request(
                claim.method,
                claim.url,
                # A list of pairs keeps a header with several values as several headers.
                headers=claim.headers,
                data=claim.body or None,
                allow_redirects=False,
            ) as response:
                status_code = response.status
                await outbound.read_small_body(response)
    except _Blocked:
        # Retrying cannot change where a name points for long enough to matter.
        error, final = BLOCKED, True
    except (socket.gaierror, aiohttp.ClientConnectorError) as exc:
        # Refused connections, DNS failures and TLS handshakes all end up here.
        error = f"connection failed: {_reason(exc)}"
    except (TimeoutError, aiohttp.ServerTimeoutError):
        error = f"timeout: no response within {timeout:g} s"
    except (aiohttp.ClientError, ssl.SSLError, OSError, ValueError) as exc:
        error = f"{type(exc).__name__}: {_reason(exc)}"
    return Outcome(
        started_at=started_at,
        finished_at=timezone.now(),
        duration=round(time.monotonic() - clock, 6),
        status_code=status_code,
        error=error,
        final=final,
    )


async def _check_target(url: str) -> None:
    """Raise :class:`_Blocked` if the URL's host resolves to a blocked address.

    Names are resolved here, just before sending, because acceptance could
    only judge IP literals and a name may point anywhere by now. Every
    address counts: the connection may use any of them. (aiohttp resolves the
    name again to connect, so a name re-pointed within that instant is not
    caught; pinning the address would need a resolver of our own.)
    """
    networks = conf.blocked_networks()
    if not networks:
        return
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    infos = await asyncio.get_running_loop().getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    if any(conf.is_blocked(str(info[4][0]), networks) for info in infos):
        raise _Blocked()


def _reason(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text[:500]
