"""Conditional writes on the native surface, whose resources have no model: RFC 9110 preconditions."""

from __future__ import annotations

from django.utils.http import http_date

import pytest

from datarouter.models import Feed, Publication

from .conftest import DR, FEED_TYPE, feed_body, feed_id

pytestmark = pytest.mark.django_db

PRECONDITION_FAILED = {"error": "The object has changed since the given version"}


def _feed(dr: DR) -> tuple[int, str]:
    fid = feed_id(dr.feed())
    response = dr.request("GET", f"feed/{fid}")
    assert response.status_code == 200
    return fid, response["ETag"]


def test_a_put_with_the_current_etag_goes_ahead_and_a_stale_one_is_412(dr: DR) -> None:
    fid, etag = _feed(dr)
    changed = dr.request("PUT", f"feed/{fid}", feed_body(description="First"), content_type=FEED_TYPE,
                         **{"If-Match": etag})
    assert changed.status_code == 200, changed.content
    stale = dr.request("PUT", f"feed/{fid}", feed_body(description="Lost"), content_type=FEED_TYPE,
                       **{"If-Match": etag})
    assert (stale.status_code, stale.json()) == (412, PRECONDITION_FAILED)
    assert stale["Content-Type"] == "application/json"
    assert Feed.objects.get(pk=fid).description == "First"
    # A fresh GET's tag is current again.
    fresh = dr.request("GET", f"feed/{fid}")["ETag"]
    assert dr.request("DELETE", f"feed/{fid}", **{"If-Match": fresh}).status_code == 204


@pytest.mark.parametrize("header", ["*", "current"])
def test_if_none_match_refuses_to_overwrite(dr: DR, header: str) -> None:
    fid, etag = _feed(dr)
    response = dr.request("PUT", f"feed/{fid}", feed_body(description="Over"), content_type=FEED_TYPE,
                          **{"If-None-Match": etag if header == "current" else header})
    assert (response.status_code, response.json()) == (412, PRECONDITION_FAILED)
    assert Feed.objects.get(pk=fid).description == "Jettydemo"


def test_if_unmodified_since_is_ignored_without_a_last_modified(dr: DR) -> None:
    fid, etag = _feed(dr)
    assert dr.request("DELETE", f"feed/{fid}", **{"If-Unmodified-Since": http_date(0)}).status_code == 204
    assert Feed.objects.get(pk=fid).deleted


def test_delete_with_a_stale_etag_keeps_the_feed(dr: DR) -> None:
    fid, _ = _feed(dr)
    response = dr.request("DELETE", f"feed/{fid}", **{"If-Match": '"stale"'})
    assert (response.status_code, response.json()) == (412, PRECONDITION_FAILED)
    assert not Feed.objects.get(pk=fid).deleted


def test_if_match_on_a_missing_feed_is_its_404(dr: DR) -> None:
    response = dr.request("PUT", "feed/999", feed_body(), content_type=FEED_TYPE, **{"If-Match": '"x"'})
    assert response.status_code == 404


def test_a_publish_has_nothing_to_match(dr: DR) -> None:
    """No GET answers at a publish URL: If-Match has no current version to match, If-None-Match: * passes."""
    fid, _ = _feed(dr)
    refused = dr.publish(fid, "f", b"data", **{"If-Match": "*"})
    assert (refused.status_code, refused.json()) == (412, PRECONDITION_FAILED)
    assert not Publication.objects.exists()
    assert dr.publish(fid, "f", b"data", **{"If-None-Match": "*"}).status_code == 204
