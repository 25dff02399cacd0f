"""The service layer's errors, independent of either HTTP surface.

Each carries the seed's error map (``{key: message}``): a bad field
(``"ttl"``, ``"1.partition"``) or an error name (``"InvalidQueueName"``).
The native surface shows the map as is; the /api/ surface translates the
error into its own dialect.
"""

from __future__ import annotations

from http import HTTPStatus

__all__ = ["Invalid", "NotFound", "QueueyError", "Unauthorized"]


class QueueyError(Exception):
    status: HTTPStatus = HTTPStatus.BAD_REQUEST

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{key}: {msg}" for key, msg in self.errors.items()))

    @classmethod
    def named(cls, key: str, msg: str) -> QueueyError:
        return cls({key: msg})


class Invalid(QueueyError):
    """Bad input: ``400``."""

    status = HTTPStatus.BAD_REQUEST


class NotFound(QueueyError):
    """No such application, queue or message: ``404``."""

    status = HTTPStatus.NOT_FOUND


class Unauthorized(QueueyError):
    """No key, or a key that does not grant this: ``401 InvalidApplicationKey``."""

    status = HTTPStatus.UNAUTHORIZED

    def __init__(self, msg: str = "A valid application key is required") -> None:
        super().__init__({"InvalidApplicationKey": msg})
