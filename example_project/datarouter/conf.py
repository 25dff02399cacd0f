"""The data router's tunable numbers, from the environment, else settings, else defaults.

The environment wins so that tests can hand a worker subprocess tiny values
(``DATAROUTER_RETRY_INITIAL=0.2``) without a settings module of their own.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

__all__ = ["attempt_bound", "number"]

DEFAULTS: dict[str, float] = {
    # Delivery retries: first wait, growth factor, longest wait, age at which a file expires.
    "DATAROUTER_RETRY_INITIAL": 10.0,
    "DATAROUTER_RETRY_FACTOR": 2.0,
    "DATAROUTER_RETRY_MAX": 3600.0,
    "DATAROUTER_MAX_AGE": 86400.0,
    # Seconds a subscriber has to answer one delivery request.
    "DATAROUTER_DELIVERY_TIMEOUT": 60.0,
    # How long a claimed delivery stays claimed; must outlast one attempt.
    "DATAROUTER_LEASE": 90.0,
    # Time kept back from the lease to record an attempt's outcome: a whole
    # attempt (redirects included) is cut off at LEASE - LEASE_MARGIN, and the
    # lease must exceed DELIVERY_TIMEOUT by at least this much.
    "DATAROUTER_LEASE_MARGIN": 10.0,
    # How often an idle worker looks for due deliveries.
    "DATAROUTER_POLL_INTERVAL": 0.5,
    # The largest file a publisher may send, in bytes (bodies stream to storage).
    "DATAROUTER_MAX_FILE_SIZE": 8 * 2**30,
    # Deliveries in flight at once per worker: 500 a second to subscribers
    # answering in 100 ms needs 50; the rest absorbs slower subscribers.
    "DATAROUTER_CONCURRENCY": 200,
    # Seconds finished deliveries (and publications whose deliveries are all
    # finished) are kept before the worker removes them.
    "DATAROUTER_RETENTION": 7 * 86400,
    # Days of log records kept (whole UTC days, as the original data router
    # keeps its logs by day).
    "DATAROUTER_LOG_DAYS": 30,
    # Failed publish logins allowed per (feed, source address) in each window
    # of LOGIN_WINDOW seconds before publishing answers 429.
    "DATAROUTER_LOGIN_FAILURES": 10,
    "DATAROUTER_LOGIN_WINDOW": 900,
}


def number(name: str) -> float:
    """The value of one of :data:`DEFAULTS`'s names."""
    raw = os.environ.get(name)
    if raw not in (None, ""):
        return float(raw)
    return float(getattr(settings, name, DEFAULTS[name]))


def attempt_bound() -> float:
    """Seconds one whole delivery attempt may take: the lease less its margin.

    Raises ``ImproperlyConfigured`` unless the lease exceeds the per-request
    timeout by the margin: otherwise a slow but legal transfer would outlive
    its lease and another worker would send the same file at the same time.
    """
    lease = number("DATAROUTER_LEASE")
    margin = number("DATAROUTER_LEASE_MARGIN")
    timeout = number("DATAROUTER_DELIVERY_TIMEOUT")
    if margin <= 0 or lease < timeout + margin:
        raise ImproperlyConfigured(
            f"DATAROUTER_LEASE ({lease:g} s) must be at least DATAROUTER_DELIVERY_TIMEOUT ({timeout:g} s) "
            f"plus DATAROUTER_LEASE_MARGIN ({margin:g} s, more than 0)"
        )
    return lease - margin
