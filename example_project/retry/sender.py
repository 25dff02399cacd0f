"""Making one attempt: send the stored request, report what came of it."""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import Sequence
from urllib.parse import urlsplit

import aiohttp
from django.utils import timezone

from retry import conf
from retry.working import Claim, Outcome
from retry.targets import BlockedTarget, is_blocked_error, literal_blocked
from worker import outbound

__all__ = ["BLOCKED", "send"]

#: The error recorded for an attempt refused by ``RETRY_BLOCKED_NETWORKS``.
BLOCKED = "blocked target"


async def send(
    session: aiohttp.ClientSession, claim: Claim, timeout: float, networks: Sequence[conf.Network] = ()
) -> Outcome:
    """Send ``claim``'s request once; never raises for network failures.

    Only the status matters: a small body is read so that the connection is
    reused, a large one is not (it must not hold a slot). ``timeout`` bounds
    the whole attempt, connecting included, not just each read. A host that
    is an IP literal in one of the blocked ``networks`` is not contacted;
    names are judged by the session's resolver (:mod:`retry.targets`).
    """
    started_at = timezone.now()
    clock = time.monotonic()
    status_code: int | None = None
    error = ""
    final = False
    try:
        async with asyncio.timeout(timeout):
            if networks and literal_blocked(urlsplit(claim.url).hostname or "", tuple(networks)):
                raise BlockedTarget(claim.url)
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
    except BlockedTarget:
        # Retrying cannot change where a name points for long enough to matter.
        error, final = BLOCKED, True
    except aiohttp.ClientConnectorError as exc:
        if is_blocked_error(exc):
            error, final = BLOCKED, True
        else:
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


def _reason(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text[:500]
