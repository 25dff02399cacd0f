"""The benchmark site: one model, every framework, one SQLite database in WAL mode.

``BENCH_FRAMEWORKS`` (comma-separated) limits the site to some frameworks,
so a gunicorn serving one framework loads only that one's code; by default
every framework installed in the running environment is mounted.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

if os.environ.get("BENCH_HIDE_ORJSON"):
    # Measure webapi_kit without orjson though it is installed.
    sys.modules["orjson"] = None  # type: ignore[assignment]

from benchsite.frameworks import selected_frameworks  # noqa: E402

SECRET_KEY = "benchmarks-only"
DEBUG = False
ALLOWED_HOSTS = ["*"]
USE_TZ = True
TIME_ZONE = "UTC"
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

FRAMEWORKS = selected_frameworks()

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "benchsite.items",
]
if "drf" in FRAMEWORKS:
    INSTALLED_APPS.append("rest_framework")
if "tastypie" in FRAMEWORKS:
    INSTALLED_APPS.append("tastypie")
if "webapi_kit" in FRAMEWORKS:
    INSTALLED_APPS.append("webapi_kit")
if "djblets" in FRAMEWORKS:
    # djblets' cache helpers import the sites framework.
    INSTALLED_APPS.append("django.contrib.sites")
    SITE_ID = 1
    # djblets counts every API request against a per-client rate limit
    # (1000/h anonymous): the benchmark would time 429s. No other framework
    # here throttles, so neither does djblets.
    API_ANONYMOUS_LIMIT_RATE = None
    API_AUTHENTICATED_LIMIT_RATE = None

# What a typical API site runs; the same for every framework.
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]

ROOT_URLCONF = "benchsite.urls"
WSGI_APPLICATION = "benchsite.wsgi.application"

# One database file per virtualenv (benchmarks/.work/<env>/bench.sqlite3).
DB_PATH = os.environ.get("BENCH_DB", str(Path(sys.prefix) / "bench.sqlite3"))
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": DB_PATH,
        # Two gunicorn workers write during the create benchmark: wait, never fail.
        "OPTIONS": {"timeout": 30},
        "CONN_MAX_AGE": None,
    }
}

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "ERROR"}}

REST_FRAMEWORK = {
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework_xml.renderers.XMLRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser", "rest_framework.parsers.FormParser"],
}

TASTYPIE_DEFAULT_FORMATS = ["json", "xml"]
TASTYPIE_FULL_DEBUG = False
API_LIMIT_PER_PAGE = 25

WEBAPI_KIT: dict[str, object] = {}
