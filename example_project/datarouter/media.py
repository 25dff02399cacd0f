"""The seed's media types and headers, with the later DMAAP spellings accepted on requests."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import parse_header_parameters

from webapi_kit.errors import MalformedRequest, UnsupportedMediaType

__all__ = [
    "FEED",
    "LOG_LIST",
    "SUBSCRIPTION",
    "SUBSCRIPTION_LIST",
    "check_version",
    "header",
    "on_behalf_of",
    "request_types",
    "require_content_type",
]

FEED = "application/vnd.att-dr.feed"
SUBSCRIPTION = "application/vnd.att-dr.subscription"
SUBSCRIPTION_LIST = "application/vnd.att-dr.subscription-list"
LOG_LIST = "application/vnd.att-dr.log-list"

_VERSIONS = frozenset({"1.0", "2.0"})
MAX_USER_LENGTH = 8


def request_types(kind: str) -> tuple[str, str]:
    """The media types a request body of ``kind`` ("feed", "subscription") may carry."""
    return (f"application/vnd.att-dr.{kind}", f"application/vnd.dmaap-dr.{kind}")


def check_version(params: dict[str, str]) -> None:
    """``; version=1.0`` and ``2.0`` are the versions of the seed's types; anything else is 415."""
    version = params.get("version")
    if version is not None and version not in _VERSIONS:
        raise UnsupportedMediaType(f'Unsupported version "{version}"; use 1.0 or 2.0')


def require_content_type(request: HttpRequest, kind: str) -> None:
    """415 unless the request's Content-Type is the ``kind`` type (even when the body is empty)."""
    header_value = request.META.get("CONTENT_TYPE", "") or ""
    try:
        media_type, params = parse_header_parameters(header_value)
    except ValueError:
        raise UnsupportedMediaType("The Content-Type header could not be parsed") from None
    accepted = request_types(kind)
    if media_type.lower() not in accepted:
        shown = f'"{media_type}"' if media_type else "missing"
        raise UnsupportedMediaType(f"Content-Type is {shown}; expected {accepted[0]}")
    check_version({str(k).lower(): str(v) for k, v in params.items()})


def header(request: HttpRequest, suffix: str) -> str | None:
    """``X-ATT-DR-<suffix>`` or its ``X-DMAAP-DR-<suffix>`` spelling."""
    key = suffix.upper().replace("-", "_")
    value = request.META.get(f"HTTP_X_ATT_DR_{key}")
    if value is None:
        value = request.META.get(f"HTTP_X_DMAAP_DR_{key}")
    return value


def on_behalf_of(request: HttpRequest) -> str:
    """The user a provisioning request acts for; 400 when missing or too long."""
    user = header(request, "ON-BEHALF-OF")
    if user is None or not user.strip():
        raise MalformedRequest("Missing X-ATT-DR-ON-BEHALF-OF header")
    user = user.strip()
    if len(user) > MAX_USER_LENGTH:
        raise MalformedRequest(f"X-ATT-DR-ON-BEHALF-OF must be at most {MAX_USER_LENGTH} characters")
    return user
