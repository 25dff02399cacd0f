"""Making one attempt: send the stored request, report what came of it."""

from __future__ import annotations

import asyncio
import ssl
import time

import httpx
from django.utils import timezone

from retry.services import Claim, Outcome

__all__ = ["send"]


async def send(client: httpx.AsyncClient, claim: Claim, timeout: float) -> Outcome:
    """Send ``claim``'s request once; never raises for network failures.

    The response body is not read: only the status matters, and a large body
    must not hold a slot. ``timeout`` bounds the whole attempt, connecting
    included, not just each read.
    """
    started_at = timezone.now()
    clock = time.monotonic()
    status_code: int | None = None
    error = ""
    try:
        async with asyncio.timeout(timeout):
            request = client.build_request(
                claim.method,
                claim.url,
                # A list of pairs keeps a header with several values as several headers.
                headers=claim.headers,
                content=claim.body or None,
            )
            response = await client.send(request, stream=True)
            status_code = response.status_code
            await response.aclose()
    except (TimeoutError, httpx.TimeoutException):
        error = f"timeout: no response within {timeout:g} s"
    except httpx.ConnectError as exc:
        # Refused connections, DNS failures and TLS errors all end up here.
        error = f"connection failed: {_reason(exc)}"
    except (httpx.HTTPError, httpx.InvalidURL, ssl.SSLError, OSError, ValueError) as exc:
        error = f"{type(exc).__name__}: {_reason(exc)}"
    return Outcome(
        started_at=started_at,
        finished_at=timezone.now(),
        duration=round(time.monotonic() - clock, 6),
        status_code=status_code,
        error=error,
    )


def _reason(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text[:500]
