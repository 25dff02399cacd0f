"""Settings for the server processes of the shared-count throttling test.

``THROTTLE_TEST_CACHE`` picks where the processes count: ``redis`` (at
``THROTTLE_TEST_REDIS``) or ``database`` (Django's DatabaseCache in the
SQLite file ``THROTTLE_TEST_DB``, for machines without Redis).
``THROTTLE_TEST_PREFIX`` keeps each run's counts apart.
"""

from __future__ import annotations

import os

import django

from tests.settings import *  # noqa: F403

ROOT_URLCONF = "tests.testapp.bulk_urls"

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("THROTTLE_TEST_DB", ":memory:"),
        # Take the write lock at BEGIN, so that two processes adding the same
        # cache key queue up instead of one failing with "database is locked".
        "OPTIONS": {"timeout": 30, **({"transaction_mode": "IMMEDIATE"} if django.VERSION >= (5, 1) else {})},
    }
}

_prefix = os.environ.get("THROTTLE_TEST_PREFIX", "webapi-kit-throttle-test")
if os.environ.get("THROTTLE_TEST_CACHE", "redis") == "redis":
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ.get("THROTTLE_TEST_REDIS", "redis://127.0.0.1:6379/7"),
            "KEY_PREFIX": _prefix,
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "webapi_kit_throttle_cache",
            "KEY_PREFIX": _prefix,
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    }

WEBAPI_KIT = {"THROTTLE_RATES": {"user": os.environ.get("THROTTLE_TEST_RATE", "20/hour")}}
