"""Settings of the example project.

SQLite (``example_project/db.sqlite3``) unless ``DATABASE_URL`` names another
database (``postgres://user@127.0.0.1:5432/name``); the local-memory cache
unless ``REDIS_URL`` names a Redis server, which several server processes
then share for throttling.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "example-project-not-for-production")
DEBUG = os.environ.get("DJANGO_DEBUG", "") == "1"
ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS", "*").split(",")
USE_TZ = True
TIME_ZONE = "UTC"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "webapi_kit",
    "webapi_kit.tokens",
    "worker",
    "retry",
    "queuey",
    "datarouter",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # WhiteNoise: the admin's CSS and scripts whatever DEBUG is (runserver only serves them with DEBUG on).
    "config.staticfiles.StaticFilesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
# The services' seeds have paths without trailing slashes (/health, /feed/1).
APPEND_SLASH = False

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

DATABASES = {
    "default": dj_database_url.config(default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}", conn_max_age=60),
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Web servers and the worker share the file: WAL, transactions that take
    # the write lock up front, and 30 s of waiting for it (config/sqlite).
    DATABASES["default"]["ENGINE"] = "config.sqlite"
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 30
    # Tests run real worker processes, which need the test database on disk.
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("TEST_DB_NAME", str(BASE_DIR / "test_db.sqlite3"))}
elif os.environ.get("TEST_DB_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": os.environ["TEST_DB_NAME"]}

if os.environ.get("REDIS_URL"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["REDIS_URL"]}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

STATIC_URL = "static/"
# Static files come straight from the apps (no collectstatic step): WhiteNoise
# indexes them when the process starts.
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = os.environ.get("MEDIA_ROOT", str(BASE_DIR / "media"))

WEBAPI_KIT = {
    "MAX_BODY_SIZE": 10 * 1024 * 1024,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # httpx logs every request it sends at INFO: a line per retry attempt or
    # delivery, which costs a worker more CPU than the attempt's own bookkeeping.
    "loggers": {"httpx": {"level": "WARNING"}},
}
