"""``{"status": "ok", ...}`` / ``{"status": "error", "error_msg": {key: msg}}``."""

from __future__ import annotations

from typing import Any

from webapi_kit.envelopes import StatusEnvelope
from webapi_kit.errors import FieldError, WebAPIError

__all__ = ["QueueyEnvelope"]

# The framework's own errors (raised before a handler runs) under the keys
# the seed's clients know.
_KEYS = {
    "malformed-request": "InvalidParameter",
    "request-too-large": "body",
    "unsupported-media-type": "InvalidParameter",
    "auth-login-failed": "InvalidApplicationKey",
    "auth-not-logged-in": "InvalidApplicationKey",
    "resource-does-not-exist": "NotFound",
    "method-not-allowed": "InvalidParameter",
    "not-acceptable": "InvalidParameter",
}


class QueueyEnvelope(StatusEnvelope):
    """The seed's envelope: errors keyed by field or by error name."""

    def error(self, error: WebAPIError) -> Any:
        if isinstance(error, FieldError) or "error_key" in error.extra:
            return super().error(error)
        return {"status": "error", "error_msg": {_KEYS.get(error.type, error.type): error.msg}}
