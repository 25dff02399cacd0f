"""Endpoint passwords: hashed at rest, cheap enough to check on every publish.

Django's default hasher (PBKDF2, a million iterations) is made for people
logging in now and then; a publisher sends a file, with its password, many
times a second, and each check would cost 0.3–1 s of CPU. Endpoint
passwords are machine secrets, so a dedicated PBKDF2 of modest cost is used.
Hashes made before it (Django's ``make_password``) still verify, and are
replaced by the cheaper kind on the next successful publish.
"""

from __future__ import annotations

from functools import cache

from django.contrib.auth.hashers import PBKDF2PasswordHasher, check_password

__all__ = ["EndpointPasswordHasher", "hash_password", "is_current", "verify"]


class EndpointPasswordHasher(PBKDF2PasswordHasher):
    """PBKDF2-SHA256 with 20 000 iterations: a few milliseconds per check."""

    algorithm = "datarouter_pbkdf2_sha256"
    iterations = 20_000


_HASHER = EndpointPasswordHasher()


def hash_password(password: str) -> str:
    """A salted hash of ``password``, for storing in ``Feed.endpoint_ids``."""
    return _HASHER.encode(password, _HASHER.salt())


def is_current(encoded: str) -> bool:
    """Whether ``encoded`` was made by :func:`hash_password` (not an older hasher)."""
    return encoded.startswith(_HASHER.algorithm + "$")


@cache
def _dummy_hash() -> str:
    return hash_password("not the password of any endpoint")


def verify(password: str, encoded: str | None) -> bool:
    """Whether ``password`` matches ``encoded``.

    ``encoded=None`` (an endpoint id the feed does not have) still costs one
    hash against a fixed dummy, so the time taken does not tell an unknown
    id from a wrong password.
    """
    if encoded is None:
        _HASHER.verify(password, _dummy_hash())
        return False
    if is_current(encoded):
        return _HASHER.verify(password, encoded)
    return check_password(password, encoded)
