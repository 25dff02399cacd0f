"""Settings for webapi_kit's own test suite.

SQLite by default; PostgreSQL when DATABASE_URL is set (CI runs both).
Redis-backed throttling tests use REDIS_URL when it answers.
"""

from __future__ import annotations

import os

import dj_database_url

SECRET_KEY = "webapi-kit-tests-only"
DEBUG = False
ALLOWED_HOSTS = ["*"]
USE_TZ = True
TIME_ZONE = "UTC"
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "webapi_kit",
    "webapi_kit.tokens",
    "tests.testapp",
]

MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]

# Tests that start real servers point them at other URLconfs.
ROOT_URLCONF = os.environ.get("DJANGO_ROOT_URLCONF", "tests.testapp.urls")

# pytest-django's live_server serves static files under this prefix.
STATIC_URL = "static/"

DATABASES = {
    "default": dj_database_url.config(default="sqlite:///" + os.path.join(os.path.dirname(__file__), "test.sqlite3")),
}

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# The byte-for-byte djblets comparisons need the standard JSON encoder;
# tests/webapi_kit/test_render_backends.py covers orjson.
WEBAPI_KIT: dict[str, object] = {"JSON_BACKEND": "stdlib"}

import tempfile

MEDIA_ROOT = tempfile.mkdtemp(prefix="webapi-kit-media-")
