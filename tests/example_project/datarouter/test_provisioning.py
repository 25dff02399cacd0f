"""Feeds and subscriptions on the native surface: every acceptance case of the spec."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from datarouter import passwords
from datarouter.models import Feed, Subscription

from .conftest import DR, FEED_TYPE, SUB_TYPE, feed_body, feed_id, sub_body, sub_id

pytestmark = pytest.mark.django_db

HOST = "http://testserver/datarouter/"


def test_create_feed_answers_201_with_location_and_the_feed(dr: DR) -> None:
    response = dr.create_feed()
    assert response.status_code == 201
    fid = Feed.objects.get().pk
    assert response["Location"] == f"{HOST}feed/{fid}"
    assert response["Content-Type"] == FEED_TYPE
    assert response.json() == {
        "name": "Jettydemo",
        "version": "v1.0.0",
        "description": "Jettydemo",
        "business_description": "Jettydemo",
        "authorization": {
            "classification": "unclassified",
            "endpoint_ids": [{"id": "user"}],
            "endpoint_addrs": [],
        },
        "suspend": False,
        "groupid": 0,
        "publisher": "alice",
        "deleted": False,
        "links": {
            "self": f"{HOST}feed/{fid}",
            "publish": f"{HOST}publish/{fid}",
            "subscribe": f"{HOST}subscribe/{fid}",
            "log": f"{HOST}feedlog/{fid}",
        },
    }


def test_endpoint_passwords_are_stored_hashed(dr: DR) -> None:
    dr.feed()
    stored = Feed.objects.get().endpoint_ids
    assert stored[0]["id"] == "user"
    assert stored[0]["password"].startswith("datarouter_pbkdf2_sha256$20000$")
    assert passwords.verify("password", stored[0]["password"])
    assert not passwords.verify("wrong", stored[0]["password"])


TOO_BIG = 99999999999999999999999
RANGE = "Must be between -9223372036854775808 and 9223372036854775807"


@pytest.mark.parametrize("name", ["group-id", "groupid", "group_id"])
@pytest.mark.parametrize("value", [TOO_BIG, -TOO_BIG, 2**63])
def test_group_id_beyond_64_bits_is_400_naming_the_field(dr: DR, client: Client, name: str, value: int) -> None:
    response = dr.create_feed(feed_body(**{name: value}))
    assert (response.status_code, response.json()) == (400, {"error": f"{name}: {RANGE}"})
    api = client.post("/api/datarouter/feeds/", json.dumps(feed_body(**{name: value})),
                      content_type="application/json", headers={"X-ATT-DR-ON-BEHALF-OF": "alice"})
    assert api.status_code == 400
    assert api.json() == {
        "stat": "fail",
        "err": {"code": 105, "msg": "One or more fields had errors", "type": "request-field-error"},
        "fields": {name: [RANGE]},
    }
    fid = feed_id(dr.feed())
    body = sub_body()
    del body["groupid"]
    sub = dr.subscribe(fid, {**body, name: value})
    assert (sub.status_code, sub.json()) == (400, {"error": f"{name}: {RANGE}"})
    assert Subscription.objects.count() == 0


def test_group_id_at_the_64_bit_bounds_is_stored(dr: DR) -> None:
    fid = feed_id(dr.feed(groupid=2**63 - 1))
    assert Feed.objects.get(pk=fid).group_id == 2**63 - 1
    sub = dr.sub(fid, sub_body(groupid=-(2**63)))
    assert sub["groupid"] == -(2**63)


def test_delivery_user_with_a_colon_is_400(dr: DR) -> None:
    fid = feed_id(dr.feed())
    body = sub_body()
    body["delivery"]["user"] = "LOG:IN"
    response = dr.subscribe(fid, body)
    assert (response.status_code, response.json()) == (400, {"error": 'delivery.user: May not contain ":"'})
    assert Subscription.objects.count() == 0


@pytest.mark.parametrize(
    "content_type",
    [
        "application/vnd.att-dr.feed",
        "application/vnd.dmaap-dr.feed",
        "application/vnd.att-dr.feed; version=1.0",
        "application/vnd.dmaap-dr.feed; version=2.0",
    ],
)
def test_feed_media_types_accepted(dr: DR, content_type: str) -> None:
    assert dr.create_feed(content_type=content_type).status_code == 201


@pytest.mark.parametrize(
    "content_type",
    ["application/json", "application/vnd.att-dr.subscription", "application/vnd.att-dr.feed; version=3.0", "text/plain"],
)
def test_wrong_media_type_is_415(dr: DR, content_type: str) -> None:
    response = dr.create_feed(content_type=content_type)
    assert response.status_code == 415
    assert set(response.json()) == {"error"}


def test_missing_media_type_is_415(dr: DR) -> None:
    response = dr.request("POST", "", feed_body(), content_type="")
    assert response.status_code == 415
    empty = dr.request("POST", "", content_type="")
    assert empty.status_code == 415


def test_malformed_json_is_400_with_the_reason(dr: DR) -> None:
    response = dr.create_feed('{"name": ')
    assert response.status_code == 400
    assert response.json()["error"].startswith("The request body is not valid JSON")
    not_object = dr.create_feed("[1, 2]")
    assert not_object.status_code == 400
    assert not_object.json() == {"error": "The JSON body must be an object"}


def test_missing_on_behalf_of_is_400(dr: DR) -> None:
    response = dr.create_feed(user=None)
    assert response.status_code == 400
    assert response.json() == {"error": "Missing X-ATT-DR-ON-BEHALF-OF header"}


def test_dmaap_on_behalf_of_is_accepted(dr: DR) -> None:
    response = dr.create_feed(user=None, **{"X-DMAAP-DR-ON-BEHALF-OF": "bob"})
    assert response.status_code == 201
    assert response.json()["publisher"] == "bob"


def test_on_behalf_of_longer_than_8_is_400(dr: DR) -> None:
    response = dr.create_feed(user="ninechars")
    assert response.status_code == 400
    assert "at most 8" in response.json()["error"]


def _auth(**changes: Any) -> dict[str, Any]:
    auth: dict[str, Any] = {"classification": "unclassified", "endpoint_addrs": [],
                            "endpoint_ids": [{"id": "user", "password": "password"}]}
    auth.update(changes)
    return auth


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": "x" * 21}, "name"),
        ({"name": ""}, "name"),
        ({"version": "v" * 21}, "version"),
        ({"description": "d" * 257}, "description"),
        ({"business_description": "b" * 257}, "business_description"),
        ({"description": 5}, "description"),
        ({"authorization": None}, "authorization"),
        ({"authorization": "open"}, "authorization"),
        ({"authorization": _auth(endpoint_ids=[])}, "authorization.endpoint_ids"),
        ({"authorization": _auth(endpoint_ids=[{"id": "user"}])}, "authorization.endpoint_ids[0].password"),
        ({"authorization": _auth(endpoint_addrs=["300.1.1.1"])}, "authorization.endpoint_addrs[0]"),
        ({"authorization": _auth(endpoint_addrs=["10.0.0.0/33"])}, "authorization.endpoint_addrs[0]"),
        ({"authorization": _auth(classification="")}, "authorization.classification"),
        ({"suspend": "yes"}, "suspend"),
        ({"groupid": "one"}, "groupid"),
        ({"group-id": True}, "group-id"),
    ],
)
def test_feed_field_errors_are_400_naming_the_field(dr: DR, changes: dict[str, Any], field: str) -> None:
    body = feed_body(**changes)
    response = dr.create_feed(body)
    assert response.status_code == 400
    assert response.json()["error"].startswith(f"{field}: ")
    assert not Feed.objects.exists()


@pytest.mark.parametrize("missing", ["name", "version", "description", "business_description", "authorization"])
def test_required_feed_fields(dr: DR, missing: str) -> None:
    body = feed_body()
    del body[missing]
    response = dr.create_feed(body)
    assert response.status_code == 400
    assert response.json() == {"error": f"{missing}: This field is required"}


def test_feed_accepts_ipv4_ipv6_and_cidrs_and_group_id(dr: DR) -> None:
    addrs = ["172.18.0.3", "10.0.0.0/8", "::1", "2001:db8::/32"]
    feed = dr.feed(feed_body(authorization=_auth(endpoint_addrs=addrs), **{"group-id": 7}))
    assert feed["authorization"]["endpoint_addrs"] == addrs
    assert feed["groupid"] == 7


def test_same_name_and_version_is_400_even_after_delete(dr: DR) -> None:
    first = dr.feed()
    again = dr.create_feed()
    assert again.status_code == 400
    assert again.json() == {"error": 'name: A feed named "Jettydemo" with version "v1.0.0" already exists'}
    assert dr.request("DELETE", f"feed/{feed_id(first)}").status_code == 204
    assert dr.create_feed().status_code == 400
    assert dr.create_feed(feed_body(version="v2")).status_code == 201


def test_changeowner_has_no_effect(dr: DR) -> None:
    feed = dr.feed()
    body = feed_body(changeowner=True)
    response = dr.request("PUT", f"feed/{feed_id(feed)}", body, content_type=FEED_TYPE, user="bob")
    assert response.status_code == 403
    assert Feed.objects.get().publisher == "alice"


def test_get_feed(dr: DR) -> None:
    feed = dr.feed()
    response = dr.request("GET", f"feed/{feed_id(feed)}")
    assert response.status_code == 200
    assert response.json() == feed
    # Feeds are there to be found: any on-behalf-of user may read one.
    assert dr.request("GET", f"feed/{feed_id(feed)}", user="bob").status_code == 200


def test_get_feed_needs_on_behalf_of(dr: DR) -> None:
    feed = dr.feed()
    assert dr.request("GET", f"feed/{feed_id(feed)}", user=None).status_code == 400


def test_unknown_feed_is_404(dr: DR) -> None:
    for method in ("GET", "PUT", "DELETE"):
        response = dr.request(method, "feed/999", feed_body(), content_type=FEED_TYPE)
        assert response.status_code == 404, method
        assert response.json() == {"error": "Feed 999 does not exist"}


def test_update_feed(dr: DR) -> None:
    feed = dr.feed()
    body = feed_body(description="Updated decription", business_description="Updated business description",
                     suspend=True, groupid=3)
    body["authorization"]["endpoint_addrs"] = ["172.18.0.3", "192.167.3.42"]
    response = dr.request("PUT", f"feed/{feed_id(feed)}", body, content_type=FEED_TYPE)
    assert response.status_code == 200
    updated = response.json()
    assert updated["description"] == "Updated decription"
    assert updated["business_description"] == "Updated business description"
    assert updated["suspend"] is True
    assert updated["groupid"] == 3
    assert updated["authorization"]["endpoint_addrs"] == ["172.18.0.3", "192.167.3.42"]
    assert dr.request("GET", f"feed/{feed_id(feed)}").json() == updated


def test_update_may_leave_out_known_passwords(dr: DR) -> None:
    feed = dr.feed()
    stored = Feed.objects.get().endpoint_ids[0]["password"]
    body = feed_body()
    body["authorization"]["endpoint_ids"] = [{"id": "user"}]
    assert dr.request("PUT", f"feed/{feed_id(feed)}", body, content_type=FEED_TYPE).status_code == 200
    assert Feed.objects.get().endpoint_ids[0]["password"] == stored
    body["authorization"]["endpoint_ids"] = [{"id": "newcomer"}]
    response = dr.request("PUT", f"feed/{feed_id(feed)}", body, content_type=FEED_TYPE)
    assert response.status_code == 400
    assert response.json() == {"error": "authorization.endpoint_ids[0].password: Required for a new endpoint id"}


@pytest.mark.parametrize("field", ["name", "version"])
def test_update_cannot_change_name_or_version(dr: DR, field: str) -> None:
    feed = dr.feed()
    response = dr.request("PUT", f"feed/{feed_id(feed)}", feed_body(**{field: "other"}), content_type=FEED_TYPE)
    assert response.status_code == 400
    assert response.json() == {"error": f"{field}: May not be changed"}


def test_update_feed_checks(dr: DR) -> None:
    feed = dr.feed()
    path = f"feed/{feed_id(feed)}"
    assert dr.request("PUT", path, feed_body(), content_type="application/json").status_code == 415
    assert dr.request("PUT", path, feed_body(), content_type=FEED_TYPE, user=None).status_code == 400
    assert dr.request("PUT", path, "{oops", content_type=FEED_TYPE).status_code == 400
    other = dr.request("PUT", path, feed_body(), content_type=FEED_TYPE, user="bob")
    assert other.status_code == 403
    assert other.json() == {"error": f"Feed {feed_id(feed)} belongs to another publisher"}


def test_delete_feed(dr: DR) -> None:
    feed = dr.feed()
    path = f"feed/{feed_id(feed)}"
    assert dr.request("DELETE", path, user="bob").status_code == 403
    response = dr.request("DELETE", path)
    assert response.status_code == 204
    assert response.content == b""
    assert dr.request("GET", path).status_code == 404
    assert dr.request("PUT", path, feed_body(), content_type=FEED_TYPE).status_code == 404
    assert dr.request("DELETE", path).status_code == 404
    assert dr.subscribe(feed_id(feed)).status_code == 404


def test_wrong_methods_are_405(dr: DR) -> None:
    feed = dr.feed()
    assert dr.request("GET", "").status_code == 405
    response = dr.request("POST", f"feed/{feed_id(feed)}", feed_body(), content_type=FEED_TYPE)
    assert response.status_code == 405
    assert "PUT" in response["Allow"]
    assert dr.request("PATCH", f"feed/{feed_id(feed)}").status_code == 405
    assert dr.request("DELETE", f"subscribe/{feed_id(feed)}").status_code == 405
    assert dr.request("POST", f"feedlog/{feed_id(feed)}").status_code == 405


def test_unknown_urls_are_404(dr: DR) -> None:
    assert dr.request("GET", "nowhere").status_code == 404
    assert dr.request("GET", "feed/abc").status_code == 404


# ----------------------------------------------------------------------------
# Subscriptions


def test_subscribe(dr: DR) -> None:
    fid = feed_id(dr.feed())
    response = dr.subscribe(fid, sub_body(), user="carol")
    assert response.status_code == 201
    sid = Subscription.objects.get().pk
    assert response["Location"] == f"{HOST}subs/{sid}"
    assert response["Content-Type"] == SUB_TYPE
    assert response.json() == {
        "delivery": {"url": "http://172.18.0.3:7070/", "user": "LOGIN", "use100": False},
        "metadataOnly": False,
        "follow_redirect": False,
        "suspend": False,
        "groupid": 1,
        "subscriber": "carol",
        "links": {"self": f"{HOST}subs/{sid}", "feed": f"{HOST}feed/{fid}", "log": f"{HOST}sublog/{sid}"},
    }
    # Stored as given (the worker presents it), never shown.
    assert Subscription.objects.get().delivery_password == "PASSWORD"
    assert "PASSWORD" not in response.content.decode()


def test_subscribe_with_dmaap_type_and_metadata_only_spelling(dr: DR) -> None:
    fid = feed_id(dr.feed())
    body = sub_body(metadata_only=True, follow_redirect=True)
    del body["metadataOnly"]
    response = dr.request("POST", f"subscribe/{fid}", body,
                          content_type="application/vnd.dmaap-dr.subscription; version=2.0")
    assert response.status_code == 201
    assert response.json()["metadataOnly"] is True
    assert response.json()["follow_redirect"] is True


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"metadataOnly": False}, "delivery"),
        ({"delivery": "http://x/"}, "delivery"),
        ({"delivery": {"url": "ftp://x/", "user": "u", "password": "p", "use100": True}}, "delivery.url"),
        ({"delivery": {"url": "not a url", "user": "u", "password": "p", "use100": True}}, "delivery.url"),
        ({"delivery": {"url": "http://x/", "password": "p", "use100": True}}, "delivery.user"),
        ({"delivery": {"url": "http://x/", "user": "u", "use100": True}}, "delivery.password"),
        ({"delivery": {"url": "http://x/", "user": "u", "password": "p"}}, "delivery.use100"),
        ({"delivery": {"url": "http://x/", "user": "u", "password": "p", "use100": "yes"}}, "delivery.use100"),
        ({**sub_body(), "metadataOnly": 1}, "metadataOnly"),
        ({**sub_body(), "follow_redirect": "no"}, "follow_redirect"),
        ({**sub_body(), "groupid": 1.5}, "groupid"),
    ],
)
def test_subscription_field_errors(dr: DR, body: dict[str, Any], field: str) -> None:
    fid = feed_id(dr.feed())
    response = dr.subscribe(fid, body)
    assert response.status_code == 400
    assert response.json()["error"].startswith(f"{field}: ")


def test_subscribe_checks(dr: DR) -> None:
    fid = feed_id(dr.feed())
    assert dr.subscribe(999).status_code == 404
    assert dr.subscribe(fid, user=None).status_code == 400
    wrong = dr.request("POST", f"subscribe/{fid}", sub_body(), content_type=FEED_TYPE)
    assert wrong.status_code == 415
    assert dr.request("POST", f"subscribe/{fid}", "{", content_type=SUB_TYPE).status_code == 400


def test_list_subscriptions(dr: DR) -> None:
    fid = feed_id(dr.feed())
    first, second = dr.sub(fid), dr.sub(fid, user="bob")
    response = dr.request("GET", f"subscribe/{fid}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.att-dr.subscription-list"
    assert response.json() == [first["links"]["self"], second["links"]["self"]]
    assert dr.request("GET", "subscribe/999").status_code == 404


def test_get_update_delete_subscription(dr: DR) -> None:
    fid = feed_id(dr.feed())
    sub = dr.sub(fid)
    path = f"subs/{sub_id(sub)}"
    assert dr.request("GET", path).json() == sub
    update = sub_body("http://192.0.0.1:7070/", groupid=2, suspend=True)
    update["delivery"].update(user="NEW_LOGIN", password="NEW_PASSWORD", use100=True)
    response = dr.request("PUT", path, update, content_type=SUB_TYPE)
    assert response.status_code == 200
    assert response.json()["delivery"] == {"url": "http://192.0.0.1:7070/", "user": "NEW_LOGIN", "use100": True}
    assert response.json()["suspend"] is True
    assert Subscription.objects.get().delivery_password == "NEW_PASSWORD"
    # Leaving the password out keeps it.
    del update["delivery"]["password"]
    assert dr.request("PUT", path, update, content_type=SUB_TYPE).status_code == 200
    assert Subscription.objects.get().delivery_password == "NEW_PASSWORD"
    assert dr.request("DELETE", path).status_code == 204
    assert dr.request("GET", path).status_code == 404
    assert dr.request("PUT", path, update, content_type=SUB_TYPE).status_code == 404


def test_only_the_subscriber_changes_a_subscription(dr: DR) -> None:
    sub = dr.sub(feed_id(dr.feed()))
    path = f"subs/{sub_id(sub)}"
    other = dr.request("PUT", path, sub_body(), content_type=SUB_TYPE, user="bob")
    assert other.status_code == 403
    assert other.json() == {"error": f"Subscription {sub_id(sub)} belongs to another subscriber"}
    assert dr.request("DELETE", path, user="bob").status_code == 403
    assert dr.request("PUT", path, sub_body(), content_type=FEED_TYPE).status_code == 415
    assert dr.request("PUT", path, sub_body(), content_type=SUB_TYPE, user=None).status_code == 400
    assert dr.request("POST", path, sub_body(), content_type=SUB_TYPE).status_code == 405
    assert dr.request("GET", "subs/999").status_code == 404


def test_deleting_a_feed_deletes_its_subscriptions(dr: DR) -> None:
    fid = feed_id(dr.feed())
    sub = dr.sub(fid)
    assert dr.request("DELETE", f"feed/{fid}").status_code == 204
    assert dr.request("GET", f"subs/{sub_id(sub)}").status_code == 404
