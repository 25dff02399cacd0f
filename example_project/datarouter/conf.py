"""The data router's tunable numbers, from the environment, else settings, else defaults.

The environment wins so that tests can hand a worker subprocess tiny values
(``DATAROUTER_RETRY_INITIAL=0.2``) without a settings module of their own.
"""

from __future__ import annotations

import os

from django.conf import settings

__all__ = ["number"]

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
    # How often an idle worker looks for due deliveries.
    "DATAROUTER_POLL_INTERVAL": 0.5,
    # The largest file a publisher may send, in bytes (bodies stream to storage).
    "DATAROUTER_MAX_FILE_SIZE": 8 * 2**30,
    # Deliveries in flight at once per worker.
    "DATAROUTER_CONCURRENCY": 20,
}


def number(name: str) -> float:
    """The value of one of :data:`DEFAULTS`'s names."""
    raw = os.environ.get(name)
    if raw not in (None, ""):
        return float(raw)
    return float(getattr(settings, name, DEFAULTS[name]))
