"""What reads may show of a stored request: header names, never secrets.

The ``X-Owner-ID`` header is a label the caller picks, not a credential (the
seed has no authentication), so anyone who knows or guesses an owner id can
read that owner's requests. Reads therefore never reveal what the request
carries to its target: values of sensitive headers are replaced by
:data:`REDACTED`, and the body by its length. The worker still sends the
stored originals; only the read surfaces (native and /api/) go through here.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["REDACTED", "is_sensitive", "redacted_headers"]

REDACTED = "[redacted]"

#: Headers known to carry credentials.
_SENSITIVE_NAMES = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "x-auth-token"}
)
#: Parts of a name that suggest a credential in a header nobody listed.
_SENSITIVE_PARTS = ("token", "secret", "key", "auth", "password")


def is_sensitive(name: str) -> bool:
    """Whether a header's values are hidden from reads (case-insensitive)."""
    lowered = name.lower()
    return lowered in _SENSITIVE_NAMES or any(part in lowered for part in _SENSITIVE_PARTS)


def redacted_headers(pairs: Sequence[Sequence[str]]) -> dict[str, list[str]]:
    """Stored ``[[name, value], ...]`` pairs in the seed's ``{name: [values]}`` shape, secrets hidden.

    A hidden header keeps one ``"[redacted]"`` per value, so a reader still
    sees how many values were sent.
    """
    grouped: dict[str, list[str]] = {}
    for name, value in pairs:
        grouped.setdefault(name, []).append(REDACTED if is_sensitive(name) else value)
    return grouped
