"""webapi_kit's settings: one ``WEBAPI_KIT`` dict, read through one object.

``api_settings.MAX_RESULTS_DEFAULT`` reads ``settings.WEBAPI_KIT
["MAX_RESULTS_DEFAULT"]`` or the default below. The object re-reads Django's
settings when they change (``override_settings`` in tests), so nothing caches
a stale value.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.utils.module_loading import import_string

__all__ = ["DEFAULTS", "APISettings", "api_settings"]

DEFAULTS: dict[str, Any] = {
    # Pagination of lists.
    "MAX_RESULTS_DEFAULT": 25,
    "MAX_RESULTS_CAP": 200,
    # Request bodies larger than this are refused with 413.
    "MAX_BODY_SIZE": 10 * 1024 * 1024,
    # Raw bodies larger than this are spooled to a temporary file.
    "RAW_BODY_MEMORY_LIMIT": 2 * 1024 * 1024,
    # "auto": orjson when installed, else the standard library; "orjson"; "stdlib"
    # (byte for byte djblets' spacing).
    "JSON_BACKEND": "auto",
    # JSON request bodies nested deeper than this are refused with 400.
    "MAX_JSON_DEPTH": 32,
    # The formats of an API that is given no renderers, in order of preference.
    # The last is the browsable HTML API (webapi_kit.browsable): leave it out,
    # or pass API(browsable=False), to offer JSON and XML only.
    "RENDERER_CLASSES": [
        "webapi_kit.renderers.JSONRenderer",
        "webapi_kit.renderers.XMLRenderer",
        "webapi_kit.browsable.HTMLRenderer",
    ],
    # Policies applied to every resource that does not set its own.
    "AUTHENTICATION_CLASSES": [
        "webapi_kit.authentication.SessionAuthentication",
        "webapi_kit.authentication.BasicAuthentication",
    ],
    "PERMISSION_CLASSES": [],
    "THROTTLE_CLASSES": [],
    # Rates for the built-in throttles, e.g. {"anon": "100/hour", "user": "1000/hour"}.
    "THROTTLE_RATES": {},
    # Name of the Django cache that throttles count in.
    "THROTTLE_CACHE": "default",
    # Failed logins allowed per username and per address before 429.
    "LOGIN_FAILURE_LIMIT": "10/15m",
    # The realm named in WWW-Authenticate for HTTP Basic.
    "AUTH_REALM": "Web API",
    # API login sessions (API(login_sessions=True)): their own cookie, kept
    # apart from the browser login's (see docs/guide/auth.rst).
    "LOGIN_SESSION_COOKIE_NAME": "webapi_sessionid",
    "LOGIN_SESSION_COOKIE_SAMESITE": "Strict",
}

_IMPORT_STRINGS = {"AUTHENTICATION_CLASSES", "PERMISSION_CLASSES", "RENDERER_CLASSES", "THROTTLE_CLASSES"}


class APISettings:
    """Attribute access to ``settings.WEBAPI_KIT`` with defaults."""

    def __init__(self, defaults: dict[str, Any] | None = None) -> None:
        self._defaults = defaults if defaults is not None else DEFAULTS
        self._loaded: set[str] = set()

    def __getattr__(self, name: str) -> Any:
        # Called only until a setting is loaded: then it is an instance
        # attribute, read without this method (settings are read per request).
        if name.startswith("_") or name not in self._defaults:
            raise AttributeError(f"Unknown webapi_kit setting: {name!r}")
        user = getattr(settings, "WEBAPI_KIT", {}) or {}
        value = user.get(name, self._defaults[name])
        if name in _IMPORT_STRINGS:
            value = [import_string(item) if isinstance(item, str) else item for item in value]
        setattr(self, name, value)
        self._loaded.add(name)
        return value

    def reload(self) -> None:
        for name in self._loaded:
            delattr(self, name)
        self._loaded.clear()


api_settings = APISettings()


def _reload(*, setting: str, **kwargs: Any) -> None:
    if setting == "WEBAPI_KIT":
        api_settings.reload()


setting_changed.connect(_reload)
