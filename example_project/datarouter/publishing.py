"""Publishing rules: who may publish to a feed, what metadata looks like, recording a publish."""

from __future__ import annotations

import base64
import binascii
import ipaddress
import json
import re
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from webapi_kit.errors import DoesNotExist, MalformedRequest, NotLoggedIn, PermissionDenied, RateLimitExceeded
from webapi_kit.throttling import window_counter

from . import passwords, storage
from .conf import number
from .logs import record_publish
from .models import Delivery, Feed, Publication
from .validation import parse_network

__all__ = ["Publish", "authorize", "check_meta", "content_type", "feed_for_publish", "meta_problem", "record"]

MAX_META_LENGTH = 4096
# What no header value can hold (a tab can).
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
REALM = 'Basic realm="datarouter"'


@dataclass
class Publish:
    """What is known about one publish request once it is accepted."""

    feed: Feed
    file_id: str
    method: str
    endpoint_id: str
    source_ip: str
    content_type: str
    meta: str
    request_uri: str


def feed_for_publish(feed_id: str) -> Feed:
    """The feed by id, deleted ones included (they answer 403, unknown ones 404)."""
    try:
        return Feed.objects.get(pk=int(feed_id))
    except (Feed.DoesNotExist, ValueError):
        raise DoesNotExist(f"Feed {feed_id} does not exist") from None


def _basic_credentials(header: str | None) -> tuple[str, str] | None:
    if not header:
        return None
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, sep, password = decoded.partition(":")
    return (user, password) if sep else None


def _address_allowed(address: str, allowed: list[str]) -> bool:
    if not allowed:
        return True
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for entry in allowed:
        try:
            network = parse_network(entry)
        except ValueError:
            continue
        if ip.version == network.version and ip in network:
            return True
    return False


def _failure_key(feed: Feed, source_ip: str) -> str:
    return f"datarouter:publish-failures:{feed.pk}:{source_ip}"


def _failure_limit() -> tuple[int, int]:
    return int(number("DATAROUTER_LOGIN_FAILURES")), max(1, int(number("DATAROUTER_LOGIN_WINDOW")))


def _check_failures(feed: Feed, source_ip: str) -> None:
    """429 once this address failed too often on this feed: checked before the
    password, so that guessing on cannot tell a right password from a wrong one."""
    limit, window = _failure_limit()
    count, reset = window_counter(_failure_key(feed, source_ip), window, increment=False)
    if count >= limit:
        raise RateLimitExceeded("Too many failed publish logins; try again later", retry_after=reset, limit=limit)


def _upgrade_hash(feed: Feed, user: str, old: str, password: str) -> None:
    """Replace an older, costly hash by the endpoint hasher's (unless the feed changed meanwhile)."""
    with transaction.atomic():
        current = Feed.objects.select_for_update().filter(pk=feed.pk).values_list("endpoint_ids", flat=True).first()
        if current is None:
            return
        entries = [dict(entry) for entry in current]
        for entry in entries:
            if entry.get("id") == user and entry.get("password") == old:
                entry["password"] = passwords.hash_password(password)
                Feed.objects.filter(pk=feed.pk).update(endpoint_ids=entries)
                return


def authorize(feed: Feed, authorization: str | None, source_ip: str) -> str:
    """The endpoint id publishing, or 401 (no credentials) / 403 (refused) / 429 (too many failures)."""
    credentials = _basic_credentials(authorization)
    if credentials is None:
        raise NotLoggedIn("Publishing needs HTTP Basic credentials of one of the feed's endpoint ids",
                          www_authenticate=REALM)
    user, password = credentials
    if feed.deleted:
        raise PermissionDenied(f"Feed {feed.pk} has been deleted")
    _check_failures(feed, source_ip)
    # Endpoint ids are unique within a feed (validation sees to it).
    stored = next((entry.get("password", "") for entry in feed.endpoint_ids if entry.get("id") == user), None)
    if not passwords.verify(password, stored):
        window_counter(_failure_key(feed, source_ip), _failure_limit()[1])
        raise PermissionDenied("The credentials are not those of an endpoint id of this feed")
    assert stored is not None
    if not passwords.is_current(stored):
        _upgrade_hash(feed, user, stored, password)
    if not _address_allowed(source_ip, feed.endpoint_addrs):
        raise PermissionDenied(f"Publishing from {source_ip} is not allowed for this feed")
    if feed.suspended:
        raise PermissionDenied(f"Feed {feed.pk} is suspended")
    return user


def header_text(name: str, value: str) -> str:
    """A request header as the text its bytes spell in UTF-8 (WSGI hands them over as Latin-1).

    What is stored is then what a subscriber is sent, byte for byte; bytes
    that are not UTF-8 are refused rather than kept garbled.
    """
    try:
        raw = value.encode("latin-1")
    except UnicodeEncodeError:  # not from WSGI: already text
        return value
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedRequest(f"{name} is not UTF-8 text") from None


def forwardable(name: str, value: str) -> str:
    """``value`` as a header a delivery can carry: spaces at the ends dropped, no control characters.

    (Leading and trailing spaces are not part of a header's value in HTTP.)
    """
    value = value.strip(" \t")
    if _CONTROL.search(value):
        raise MalformedRequest(f"{name} must not contain control characters or line breaks")
    return value


def content_type(value: str) -> str:
    """The publisher's ``Content-Type``, as deliveries will send it."""
    return forwardable("Content-Type", header_text("Content-Type", value))


def meta_problem(meta: str) -> str | None:
    """Why an ``X-ATT-DR-META`` value is not a flat JSON object of scalars, or ``None`` when it is.

    Its JSON may not break lines either: deliveries send it as a header.
    """
    if len(meta) > MAX_META_LENGTH:
        return f"X-ATT-DR-META is longer than {MAX_META_LENGTH} characters"
    if _CONTROL.search(meta):
        return "X-ATT-DR-META must not contain control characters or line breaks"
    try:
        value = json.loads(meta)
    except ValueError as exc:
        return f"X-ATT-DR-META is not valid JSON: {exc}"
    if not isinstance(value, dict):
        return "X-ATT-DR-META must be a JSON object"
    for key, item in value.items():
        if isinstance(item, (dict, list)):
            return f'X-ATT-DR-META member "{key}" must be a string, number, true, false or null'
        if isinstance(item, float) and item != item:  # NaN sneaks through json.loads
            return f'X-ATT-DR-META member "{key}" is not a number'
    return None


def check_meta(meta: str | None) -> str:
    """The ``X-ATT-DR-META`` header's text if it is a flat JSON object of scalars, else 400."""
    if meta is None:
        return ""
    meta = header_text("X-ATT-DR-META", meta).strip(" \t")
    problem = meta_problem(meta)
    if problem is not None:
        raise MalformedRequest(problem)
    return meta


def record(publish: Publish, storage_name: str, length: int) -> Publication:
    """Store the publication, one delivery per subscription, and the ``pub`` log record."""
    now = timezone.now()
    with transaction.atomic():
        publication = Publication.objects.create(
            feed=publish.feed,
            file_id=publish.file_id,
            method=publish.method,
            content_type=publish.content_type,
            content_length=length,
            meta=publish.meta,
            source_ip=publish.source_ip,
            endpoint_id=publish.endpoint_id,
            storage_name=storage_name,
            created_at=now,
        )
        Delivery.objects.bulk_create(
            Delivery(publication=publication, subscription=sub, next_attempt_at=now)
            for sub in publish.feed.subscriptions.all()
        )
        record_publish(publication, publish.request_uri, now)
    # A feed without subscriptions keeps nothing.
    storage.release_finished([publication.pk])
    return publication
