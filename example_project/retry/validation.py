"""Checking a submitted retry request, reporting every problem at once.

The seed's wire format reports problems as ``{"type", "message"}`` pairs:
header problems first, then body problems in the order of the body's fields
(``intervals``, ``request``, ``request.url``, ``request.method``,
``request.headers``, ``request.body``). Both surfaces use this module, so
they accept and refuse exactly the same requests.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit


from retry import conf
from retry.targets import literal_blocked
from worker import outbound

__all__ = ["MalformedBody", "Problem", "ValidRequest", "validate_owner", "validate_payload"]

OWNER_HEADER = "X-Owner-ID"
OWNER_MAX_LENGTH = 255

# RFC 9110 section 5.6.2: methods and header names are tokens.
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
# Field values may not carry line breaks or NUL (RFC 9110 section 5.5).
_BAD_VALUE_CHARS = re.compile(r"[\r\n\x00]")
# What the worker can re-send as a header value (RFC 9110 section 5.5, less
# obs-text): visible ASCII, spaces and tabs inside, none at either end.
_FIELD_VALUE = re.compile(r"(?:[\x21-\x7e](?:[\x20\x09\x21-\x7e]*[\x21-\x7e])?)?")


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a submission, as the seed reports it."""

    type: str
    message: str
    #: The header or body field at fault ("X-Owner-ID", "request.url"; "" for the body as a whole).
    field: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"type": self.type, "message": self.message}


@dataclass(frozen=True, slots=True)
class MalformedBody:
    """A body that could not be decoded as JSON, and why."""

    reason: str


@dataclass(frozen=True, slots=True)
class ValidRequest:
    """A submission that passed every check, in the shape it is stored in."""

    intervals: list[int]
    method: str
    url: str
    headers: list[list[str]]
    body: bytes


def validate_owner(owner_id: str | None) -> tuple[str | None, list[Problem]]:
    """The owner named by the ``X-Owner-ID`` header, or the problems with it."""
    owner = (owner_id or "").strip()
    if not owner:
        return None, [Problem("header_missing", f"Header '{OWNER_HEADER}' is missing", OWNER_HEADER)]
    if len(owner) > OWNER_MAX_LENGTH:
        return None, [
            Problem(
                "invalid_header",
                f"Header '{OWNER_HEADER}' must be at most {OWNER_MAX_LENGTH} characters",
                OWNER_HEADER,
            )
        ]
    return owner, []


def validate_payload(payload: Any) -> tuple[ValidRequest | None, list[Problem]]:
    """The cleaned submission, or every problem with it in field order.

    ``payload`` is the decoded JSON body, or a :class:`MalformedBody` when the
    body was not JSON. ``null`` counts as absent for the optional fields.
    """
    if isinstance(payload, MalformedBody):
        return None, [_invalid(f"The body is not valid JSON: {payload.reason}")]
    if not isinstance(payload, dict):
        return None, [_invalid("The body must be a JSON object")]

    problems: list[Problem] = []
    intervals = _intervals(payload.get("intervals"), problems)
    request = payload.get("request")
    if request is None:
        problems.append(_invalid("'request' is required", "request"))
        return None, problems
    if not isinstance(request, dict):
        problems.append(_invalid("'request' must be an object", "request"))
        return None, problems
    url = _url(request.get("url"), problems)
    method = _method(request.get("method"), problems)
    headers = _headers(request.get("headers"), problems)
    body = _body(request.get("body"), problems)
    if headers is not None and body is not None:
        _content_length(headers, body, problems)
    if problems or intervals is None or url is None or method is None or headers is None or body is None:
        return None, problems
    return ValidRequest(intervals=intervals, method=method, url=url, headers=headers, body=body), []


def _invalid(message: str, field: str = "") -> Problem:
    return Problem("invalid_body", message, field)


def _intervals(value: Any, problems: list[Problem]) -> list[int] | None:
    if value is None:
        return list(conf.DEFAULT_INTERVALS)
    if not isinstance(value, list):
        problems.append(_invalid("'intervals' must be a list of whole numbers of seconds", "intervals"))
        return None
    if not value:
        problems.append(_invalid("'intervals' must not be empty", "intervals"))
        return None
    if len(value) > conf.MAX_INTERVALS:
        problems.append(_invalid(f"'intervals' may hold at most {conf.MAX_INTERVALS} intervals", "intervals"))
        return None
    ok = True
    for position, interval in enumerate(value):
        # bool is an int in Python, but `true` is not a number of seconds.
        if isinstance(interval, bool) or not isinstance(interval, int):
            problems.append(
                _invalid(f"'intervals[{position}]' must be a whole number of seconds, not {_show(interval)}", "intervals")
            )
            ok = False
        elif interval < 0:
            problems.append(_invalid(f"'intervals[{position}]' must not be negative", "intervals"))
            ok = False
        elif interval > conf.MAX_INTERVAL:
            problems.append(_invalid(f"'intervals[{position}]' must be at most {conf.MAX_INTERVAL} seconds", "intervals"))
            ok = False
    return list(value) if ok else None


def _url(value: Any, problems: list[Problem]) -> str | None:
    if value is None:
        problems.append(_invalid("'request.url' is required", "request.url"))
        return None
    if not isinstance(value, str):
        problems.append(_invalid("'request.url' must be a string", "request.url"))
        return None
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
        valid = parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
    except ValueError:  # a bad port or an unbalanced bracketed host
        valid = False
    if valid:
        try:
            # The worker's own client must be able to send to it (IDNA host names, say).
            outbound.url(value)
        except ValueError:
            valid = False
    if not valid or _BAD_VALUE_CHARS.search(value) or " " in value:
        problems.append(_invalid(f"'request.url' must be an http or https URL, not {_show(value)}", "request.url"))
        return None
    # Only an IP literal can be judged now; a name is judged when the worker resolves it (retry.targets).
    if literal_blocked(parts.hostname or "", tuple(conf.blocked_networks())):
        problems.append(_invalid(f"'request.url' {_show(value)} is not an allowed target", "request.url"))
        return None
    return value


def _method(value: Any, problems: list[Problem]) -> str | None:
    if value is None:
        problems.append(_invalid("'request.method' is required", "request.method"))
        return None
    if not isinstance(value, str) or not _TOKEN.fullmatch(value) or len(value) > 64:
        problems.append(
            _invalid(f"'request.method' must be an HTTP method such as GET or POST, not {_show(value)}", "request.method")
        )
        return None
    return value


def _headers(value: Any, problems: list[Problem]) -> list[list[str]] | None:
    if value is None:
        return []
    if not isinstance(value, Mapping):
        problems.append(
            _invalid("'request.headers' must be an object mapping header names to lists of values", "request.headers")
        )
        return None
    pairs: list[list[str]] = []
    ok = True
    for name, values in value.items():
        if not _TOKEN.fullmatch(name):
            problems.append(_invalid(f"'request.headers' has an invalid header name {_show(name)}", "request.headers"))
            ok = False
            continue
        if not isinstance(values, list) or not all(isinstance(item, str) for item in values):
            problems.append(_invalid(f"'request.headers.{name}' must be a list of strings", "request.headers"))
            ok = False
            continue
        if not all(_FIELD_VALUE.fullmatch(item) for item in values):
            problems.append(
                _invalid(
                    f"'request.headers.{name}' values must be printable ASCII, without control characters"
                    " or spaces at either end",
                    "request.headers",
                )
            )
            ok = False
            continue
        if name.lower() == "transfer-encoding":
            problems.append(
                _invalid("'request.headers.Transfer-Encoding' cannot be re-sent: the body goes with a Content-Length",
                         "request.headers")
            )
            ok = False
            continue
        pairs.extend([name, item] for item in values)
    return pairs if ok else None


def _content_length(headers: list[list[str]], body: bytes, problems: list[Problem]) -> None:
    """A ``Content-Length`` the submission gives must be the body's, or the target would wait for more."""
    given = [value for name, value in headers if name.lower() == "content-length"]
    if given and given != [str(len(body))]:
        problems.append(
            _invalid(f"'request.headers.Content-Length' must be the body's length, {len(body)}", "request.headers")
        )


def _body(value: Any, problems: list[Problem]) -> bytes | None:
    if value is None:
        return b""
    if not isinstance(value, str):
        problems.append(_invalid("'request.body' must be a string", "request.body"))
        return None
    # Lone surrogates never get here: the JSON decoder refuses them.
    return value.encode("utf-8")


def _show(value: Any) -> str:
    """A bad value as JSON, cut short so that a huge one is not echoed whole."""
    if isinstance(value, dict):
        text = "an object"
    elif isinstance(value, list):
        text = "a list"
    else:
        text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."
