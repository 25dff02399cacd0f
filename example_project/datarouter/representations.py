"""Feeds and subscriptions as the seed shows them: links are plain absolute URL strings.

Passwords are never shown: endpoint passwords are stored hashed, and
delivery passwords, stored as given for the worker's use, stay write-only.
"""

from __future__ import annotations

from typing import Any

from .models import Feed, Subscription

__all__ = ["feed_links", "feed_representation", "subscription_representation", "subscription_url"]


def feed_links(feed: Feed, base: str) -> dict[str, str]:
    return {
        "self": f"{base}feed/{feed.pk}",
        "publish": f"{base}publish/{feed.pk}",
        "subscribe": f"{base}subscribe/{feed.pk}",
        "log": f"{base}feedlog/{feed.pk}",
    }


def feed_representation(feed: Feed, base: str) -> dict[str, Any]:
    """``base`` is the native surface's absolute URL, ending in ``/``."""
    return {
        "name": feed.name,
        "version": feed.version,
        "description": feed.description,
        "business_description": feed.business_description,
        "authorization": {
            "classification": feed.classification,
            "endpoint_ids": [{"id": entry["id"]} for entry in feed.endpoint_ids],
            "endpoint_addrs": list(feed.endpoint_addrs),
        },
        "suspend": feed.suspended,
        "groupid": feed.group_id,
        "publisher": feed.publisher,
        "deleted": feed.deleted,
        "links": feed_links(feed, base),
    }


def subscription_url(sub: Subscription, base: str) -> str:
    return f"{base}subs/{sub.pk}"


def subscription_representation(sub: Subscription, base: str) -> dict[str, Any]:
    return {
        "delivery": {"url": sub.delivery_url, "user": sub.delivery_user, "use100": sub.use100},
        "metadataOnly": sub.metadata_only,
        "follow_redirect": sub.follow_redirect,
        "suspend": sub.suspended,
        "groupid": sub.group_id,
        "subscriber": sub.subscriber,
        "links": {
            "self": subscription_url(sub, base),
            "feed": f"{base}feed/{sub.feed_id}",
            "log": f"{base}sublog/{sub.pk}",
        },
    }
