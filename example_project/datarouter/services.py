"""Provisioning rules: feeds and subscriptions, shared by the native surface and /api/.

Visibility, the one rule of both surfaces: feeds, subscriptions and
published files are shown to any identified user — one named by the
on-behalf-of header — (feeds are meant to be found by would-be
subscribers), to nobody anonymous; every read goes through the
``visible_*`` functions, which take that user. Each surface refuses an
anonymous read in its own dialect before asking: natively 400, as the seed
says; on /api/ 401 with an ``X-ATT-DR-ON-BEHALF-OF`` challenge. Passwords
are never shown on either (endpoint passwords are stored hashed; delivery
passwords are write-only). The native ``feedlog``/``sublog`` stay open
because the seed's own examples read them without the header.

Changing or deleting a feed or a subscription is for the user who created
it only (403 for anyone else).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from webapi_kit.errors import DoesNotExist, FieldError, PermissionDenied

from . import storage
from .media import MAX_USER_LENGTH
from .models import Delivery, Feed, Publication, Subscription
from .passwords import hash_password
from .validation import GROUP_ID_NAMES, EndpointId, FeedInput, SubscriptionInput, clean_feed

__all__ = [
    "change_feed",
    "create_feed",
    "create_subscription",
    "delete_feed",
    "delete_subscription",
    "feed_subscriptions",
    "get_feed",
    "get_subscription",
    "update_feed",
    "update_subscription",
    "user_for_login",
    "visible_feed",
    "visible_feeds",
    "visible_publications",
    "visible_subscription",
    "visible_subscriptions",
]


def user_for_login(username: str) -> str:
    """The on-behalf-of user a site user acts as: the same name, if datarouter can hold it."""
    if len(username) > MAX_USER_LENGTH:
        raise PermissionDenied(
            f"Datarouter user names have at most {MAX_USER_LENGTH} characters; {username!r} cannot act here"
        )
    return username


def visible_feeds(reader: str) -> QuerySet[Feed]:
    """The feeds ``reader`` (an on-behalf-of user, never anonymous) may see: every live one."""
    return Feed.objects.filter(deleted=False)


def visible_subscriptions(reader: str) -> QuerySet[Subscription]:
    """The subscriptions ``reader`` may see: those of the feeds they see."""
    return Subscription.objects.filter(feed__in=visible_feeds(reader))


def visible_publications(reader: str) -> QuerySet[Publication]:
    """The published files ``reader`` may see: those of the feeds they see."""
    return Publication.objects.filter(feed__in=visible_feeds(reader))


def visible_feed(feed_id: str | int, reader: str) -> Feed:
    """One of :func:`visible_feeds`, or 404."""
    try:
        return visible_feeds(reader).get(pk=int(feed_id))
    except (Feed.DoesNotExist, ValueError):
        raise DoesNotExist(f"Feed {feed_id} does not exist") from None


def visible_subscription(sub_id: str | int, reader: str) -> Subscription:
    """One of :func:`visible_subscriptions`, or 404."""
    try:
        return visible_subscriptions(reader).select_related("feed").get(pk=int(sub_id))
    except (Subscription.DoesNotExist, ValueError):
        raise DoesNotExist(f"Subscription {sub_id} does not exist") from None


def get_feed(feed_id: str | int) -> Feed:
    """A live feed, or 404 (deleted feeds are gone for every purpose but their name)."""
    try:
        return Feed.objects.get(pk=int(feed_id), deleted=False)
    except (Feed.DoesNotExist, ValueError):
        raise DoesNotExist(f"Feed {feed_id} does not exist") from None


def _check_publisher(feed: Feed, user: str) -> None:
    if feed.publisher != user:
        raise PermissionDenied(f"Feed {feed.pk} belongs to another publisher")


def _hashed_ids(ids: list[EndpointId], current: list[dict[str, str]]) -> list[dict[str, str]]:
    kept = {entry["id"]: entry["password"] for entry in current}
    result: list[dict[str, str]] = []
    missing: dict[str, list[str]] = {}
    for index, endpoint in enumerate(ids):
        if endpoint.password is not None:
            result.append({"id": endpoint.id, "password": hash_password(endpoint.password)})
        elif endpoint.id in kept:
            result.append({"id": endpoint.id, "password": kept[endpoint.id]})
        else:
            missing[f"authorization.endpoint_ids[{index}].password"] = ["Required for a new endpoint id"]
    if missing:
        raise FieldError(missing)
    return result


def create_feed(user: str, data: FeedInput) -> Feed:
    assert data.name is not None and data.version is not None
    feed = Feed(
        name=data.name,
        version=data.version,
        description=data.description,
        business_description=data.business_description,
        classification=data.classification,
        endpoint_ids=_hashed_ids(data.endpoint_ids, []),
        endpoint_addrs=data.endpoint_addrs,
        suspended=data.suspend,
        group_id=data.group_id,
        publisher=user,
    )
    duplicate = FieldError({"name": [f'A feed named "{data.name}" with version "{data.version}" already exists']})
    # Deleted feeds count too: a name+version is never reused.
    if Feed.objects.filter(name=data.name, version=data.version).exists():
        raise duplicate
    try:
        with transaction.atomic():
            feed.save()
    except IntegrityError:  # a concurrent create of the same name+version
        raise duplicate from None
    return feed


def update_feed(feed_id: str | int, user: str, data: FeedInput) -> Feed:
    with transaction.atomic():
        feed = get_feed(feed_id)
        _check_publisher(feed, user)
        changed = {
            name: "May not be changed"
            for name, value, current in (("name", data.name, feed.name), ("version", data.version, feed.version))
            if value is not None and value != current
        }
        if changed:
            raise FieldError({name: [msg] for name, msg in changed.items()})
        feed.description = data.description
        feed.business_description = data.business_description
        feed.classification = data.classification
        feed.endpoint_ids = _hashed_ids(data.endpoint_ids, feed.endpoint_ids)
        feed.endpoint_addrs = data.endpoint_addrs
        feed.suspended = data.suspend
        feed.group_id = data.group_id
        feed.save()
    return feed


def change_feed(feed_id: str | int, user: str, changes: Mapping[str, Any]) -> Feed:
    """The ``/api/`` dialect's ``PUT``: only the fields ``changes`` holds change.

    (The native ``PUT`` replaces the feed, as the seed's does: :func:`update_feed`.)
    """
    with transaction.atomic():
        feed = get_feed(feed_id)
        _check_publisher(feed, user)
        return update_feed(feed_id, user, clean_feed(_with_current_values(feed, changes), creating=False))


def _with_current_values(feed: Feed, changes: Mapping[str, Any]) -> dict[str, Any]:
    """``changes`` completed with the feed's current value of every field it leaves out."""
    current: dict[str, Any] = {
        "description": feed.description,
        "business_description": feed.business_description,
        "suspend": feed.suspended,
    }
    if not any(name in changes for name in GROUP_ID_NAMES):
        current["group_id"] = feed.group_id
    authorization = {
        "classification": feed.classification,
        # An id given without a password keeps its stored one (_hashed_ids).
        "endpoint_ids": [{"id": entry["id"]} for entry in feed.endpoint_ids],
        "endpoint_addrs": list(feed.endpoint_addrs),
    }
    completed = {**current, **changes}
    given = changes.get("authorization")
    if isinstance(given, dict):
        completed["authorization"] = {**authorization, **given}
    elif "authorization" not in changes:
        completed["authorization"] = authorization
    return completed


def delete_feed(feed_id: str | int, user: str) -> None:
    """Mark the feed deleted and drop its subscriptions and undelivered files."""
    with transaction.atomic():
        feed = get_feed(feed_id)
        _check_publisher(feed, user)
        feed.deleted = True
        feed.save(update_fields=["deleted", "updated_at"])
        publication_ids = list(
            Delivery.objects.filter(subscription__feed=feed).values_list("publication_id", flat=True).distinct()
        )
        feed.subscriptions.all().delete()
    storage.release_finished(publication_ids)


def feed_subscriptions(feed_id: str | int, reader: str) -> QuerySet[Subscription]:
    """The subscriptions of one visible feed (404 for others), oldest first."""
    feed = visible_feed(feed_id, reader)
    return visible_subscriptions(reader).filter(feed=feed).order_by("pk")


def get_subscription(sub_id: str | int) -> Subscription:
    try:
        return Subscription.objects.select_related("feed").get(pk=int(sub_id), feed__deleted=False)
    except (Subscription.DoesNotExist, ValueError):
        raise DoesNotExist(f"Subscription {sub_id} does not exist") from None


def _check_subscriber(sub: Subscription, user: str) -> None:
    if sub.subscriber != user:
        raise PermissionDenied(f"Subscription {sub.pk} belongs to another subscriber")


def _apply(sub: Subscription, data: SubscriptionInput) -> None:
    sub.delivery_url = data.url
    sub.delivery_user = data.user
    if data.password is not None:
        sub.delivery_password = data.password
    sub.use100 = data.use100
    sub.metadata_only = data.metadata_only
    sub.follow_redirect = data.follow_redirect
    sub.suspended = data.suspend
    sub.group_id = data.group_id


def create_subscription(feed_id: str | int, user: str, data: SubscriptionInput) -> Subscription:
    feed = get_feed(feed_id)
    sub = Subscription(feed=feed, subscriber=user)
    _apply(sub, data)
    sub.save()
    return sub


def update_subscription(sub_id: str | int, user: str, data: SubscriptionInput) -> Subscription:
    with transaction.atomic():
        sub = get_subscription(sub_id)
        _check_subscriber(sub, user)
        _apply(sub, data)
        sub.save()
    return sub


def delete_subscription(sub_id: str | int, user: str) -> None:
    """Delete the subscription; files only it was still waiting for leave storage."""
    with transaction.atomic():
        sub = get_subscription(sub_id)
        _check_subscriber(sub, user)
        publication_ids = list(sub.deliveries.values_list("publication_id", flat=True))
        sub.delete()
    storage.release_finished(publication_ids)
