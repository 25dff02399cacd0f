"""A person logged in through the page writes through the forms of each service's tree.

In Chromium, against a live server of the example project: a retry request,
a queuey queue in the person's own application and a datarouter feed are
created through the generated forms; bad submits show the API's per-field
errors beside the inputs; a queue and a feed are updated, a queue, a feed
and a retry request deleted; then the person logs out. Each step checks what
the page shows (status, errors, the payload) and what is stored.
Screenshots go to ``tests/output/screenshots/`` (``2x-``: retry, ``3x-``:
queuey, ``4x-``: datarouter).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth.models import User
from selenium.webdriver.support.ui import Select

from datarouter.models import Feed
from queuey import services as queuey_services
from queuey.models import Queue
from retry.models import RetryRequest, State
from tests.browser.steps import Browser, log_in

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

TARGET = "https://example.com/hook"


def _errors(browser: Browser, form: str, name: str) -> list[str]:
    return [item.text for item in browser.els(f"#errors-{form}-{name} li")]


def _fill_text(browser: Browser, field_id: str, text: str) -> None:
    """Type into a text area (``send_keys`` types JSON's braces and newlines as they are)."""
    browser.fill(field_id, text)
    assert browser.el(f"#{field_id}").get_attribute("value") == text


def test_retry_request_create_with_field_errors_then_cancel(browser: Browser, alice: User) -> None:
    browser.open("/api/retry/requests/")
    assert browser.status == "401 Unauthorized"
    assert not browser.els("#form-post")
    log_in(browser, "alice", "correct horse")
    assert browser.driver.current_url == browser.base_url + "/api/retry/requests/"
    assert browser.status == "200 OK"
    assert browser.el("label[for=id-post-request] .req")  # marked required
    browser.shot("20-retry-requests")

    # A bad submit: the service's messages, those about members of the
    # JSON object shown beside the text area that holds it.
    bad_request = '{"url": "ftp://example.com/x", "method": "GET"}'
    _fill_text(browser, "id-post-request", bad_request)
    _fill_text(browser, "id-post-intervals", "[-5]")
    browser.submit("#form-post")
    assert browser.status == "400 Bad Request"
    assert _errors(browser, "post", "request") == [
        "'request.url' must be an http or https URL, not \"ftp://example.com/x\""
    ]
    assert _errors(browser, "post", "intervals") == ["'intervals[0]' must not be negative"]
    assert browser.el("#id-post-request").get_attribute("value") == bad_request
    assert browser.el("#id-post-intervals").get_attribute("value") == "[-5]"
    assert browser.payload["fields"]["request.url"] == _errors(browser, "post", "request")
    assert not RetryRequest.objects.exists()
    browser.shot("21-retry-field-errors")

    body = {"url": TARGET, "method": "POST", "headers": {"Content-Type": ["text/plain"]}, "body": "hello"}
    _fill_text(browser, "id-post-request", json.dumps(body))
    _fill_text(browser, "id-post-intervals", "[5, 60]")
    browser.submit("#form-post")
    created = RetryRequest.objects.get()
    assert (created.owner_id, created.method, created.url, created.intervals, bytes(created.body)) == (
        "alice", "POST", TARGET, [5, 60], b"hello"
    )
    assert created.headers == [["Content-Type", "text/plain"]]
    assert browser.driver.current_url == f"{browser.base_url}/api/retry/requests/{created.pk}/"
    assert browser.status == "200 OK"
    shown = browser.payload["retry_request"]
    assert (shown["url"], shown["method"], shown["intervals"], shown["state"], shown["body_size"]) == (
        TARGET, "POST", [5, 60], "pending", 5
    )
    browser.shot("22-retry-request-created")

    # DELETE cancels: the request stays, cancelled; the page goes back to the list.
    browser.click("#delete")
    assert browser.driver.current_url == browser.base_url + "/api/retry/requests/"
    created.refresh_from_db()
    assert created.state == State.CANCELLED
    assert [r["state"] for r in browser.payload["retry_requests"]] == ["cancelled"]
    browser.shot("23-retry-request-cancelled")

    browser.click("#logout")
    browser.open("/api/retry/requests/")
    assert browser.status == "401 Unauthorized"
    assert browser.els("#login") and not browser.els("#form-post")


def test_queuey_queue_create_update_delete_in_the_users_application(browser: Browser, alice: User) -> None:
    queuey_services.create_application("alice-shop", owner=alice)
    other = User.objects.create_user("bob", password="battery staple")
    queuey_services.create_application("bob-shop", owner=other)

    browser.open("/api/queuey/applications/")
    log_in(browser, "alice", "correct horse")
    # Only her own application is listed; its queues are a link away.
    assert [a["name"] for a in browser.payload["queuey_applications"]] == ["alice-shop"]
    browser.open("/api/queuey/applications/alice-shop/")
    queues_href = browser.payload["queuey_application"]["links"]["queuey_queues"]["href"]
    browser.follow(browser.driver.find_element("xpath", f"//table[@id='links']//a[@href='{queues_href}']"))
    assert browser.driver.current_url == browser.base_url + "/api/queuey/applications/alice-shop/queues/"
    assert browser.status == "200 OK"
    assert browser.el("#id-post-partitions").get_attribute("type") == "number"
    browser.shot("30-queuey-queues")

    browser.fill("id-post-name", "bad/name")
    browser.fill("id-post-partitions", "3")
    Select(browser.el("#id-post-type")).select_by_value("public")
    Select(browser.el("#id-post-consistency")).select_by_value("strong")
    browser.fill("id-post-principles", "app:bob-shop, bid:carol@example.com")
    browser.submit("#form-post")
    assert browser.status == "400 Bad Request"
    assert _errors(browser, "post", "name") == ["Must be text without '/' or control characters"]
    assert Select(browser.el("#id-post-type")).first_selected_option.text == "public"  # kept
    assert browser.el("#id-post-partitions").get_attribute("value") == "3"
    assert not Queue.objects.exists()

    browser.fill("id-post-name", "orders")
    browser.submit("#form-post")
    queue = Queue.objects.get()
    assert (queue.application.name, queue.name, queue.partitions, queue.type, queue.consistency) == (
        "alice-shop", "orders", 3, "public", "strong"
    )
    assert queue.principle_list == ["app:bob-shop", "bid:carol@example.com"]
    assert browser.driver.current_url == browser.base_url + "/api/queuey/applications/alice-shop/queues/orders/"
    assert browser.status == "200 OK"
    shown = browser.payload["queuey_queue"]
    assert (shown["name"], shown["partitions"], shown["type"], shown["principles"]) == (
        "orders", 3, "public", ["app:bob-shop", "bid:carol@example.com"]
    )
    browser.shot("31-queuey-queue-created")

    # The update form holds the current values; a bad value is the service's field error.
    browser.el(".form-put summary").click()
    assert browser.el("#id-put-partitions").get_attribute("value") == "3"
    assert Select(browser.el("#id-put-consistency")).first_selected_option.text == "strong"
    browser.fill("id-put-partitions", "500")
    browser.submit("#form-put")
    assert browser.status == "400 Bad Request"
    assert _errors(browser, "put", "partitions") == ["Must be at most 200"]
    assert browser.el("#id-put-partitions").get_attribute("value") == "500"
    queue.refresh_from_db()
    assert queue.partitions == 3
    browser.shot("32-queuey-update-field-error")

    browser.fill("id-put-partitions", "5")
    Select(browser.el("#id-put-type")).select_by_value("user")
    browser.submit("#form-put")
    assert browser.status == "200 OK"
    queue.refresh_from_db()
    assert (queue.partitions, queue.type, queue.consistency) == (5, "user", "strong")
    assert (browser.payload["queuey_queue"]["partitions"], browser.payload["queuey_queue"]["type"]) == (5, "user")
    browser.shot("33-queuey-queue-updated")

    browser.click("#delete")
    assert browser.driver.current_url == browser.base_url + "/api/queuey/applications/alice-shop/queues/"
    assert not Queue.objects.exists()
    assert browser.payload["total_results"] == 0

    # Another owner's application is not hers to write in.
    browser.open("/api/queuey/applications/bob-shop/queues/")
    assert browser.status == "404 Not Found"
    assert not browser.els("#form-post")

    browser.open("/api/queuey/applications/")
    browser.click("#logout")
    assert browser.els("#login")


def test_datarouter_feed_create_with_field_errors_update_delete(browser: Browser, alice: User) -> None:
    browser.open("/api/datarouter/feeds/")
    log_in(browser, "alice", "correct horse")
    assert browser.status == "200 OK"
    assert browser.el("#id-post-suspend").get_attribute("type") == "checkbox"
    browser.shot("40-datarouter-feeds")

    browser.fill("id-post-name", "a-name-of-twenty-five-chr")
    assert browser.el("#id-post-name").get_attribute("value") == "a-name-of-twenty-fiv"  # maxlength=20
    browser.fill("id-post-name", "  ")
    browser.fill("id-post-version", "1.0")
    _fill_text(browser, "id-post-authorization", '{"classification": "public", "endpoint_ids": []}')
    browser.fill("id-post-group_id", "1.5")
    browser.submit("#form-post")
    assert browser.status == "400 Bad Request"
    assert _errors(browser, "post", "group_id") == ['"1.5" is not an integer']
    assert not Feed.objects.exists()
    browser.fill("id-post-group_id", "7")
    browser.submit("#form-post")
    assert browser.status == "400 Bad Request"
    assert _errors(browser, "post", "name") == ["May not be empty"]
    assert _errors(browser, "post", "authorization") == [
        "authorization.endpoint_ids: Must be a list of at least one {id, password}"
    ]
    assert browser.el("#id-post-name").get_attribute("value") == "  "
    assert browser.el("#id-post-version").get_attribute("value") == "1.0"
    assert not Feed.objects.exists()
    browser.shot("41-datarouter-field-errors")

    authorization = {"classification": "public", "endpoint_ids": [{"id": "pub1", "password": "s3cret-pass"}]}
    browser.fill("id-post-name", "weather")
    _fill_text(browser, "id-post-authorization", json.dumps(authorization))
    browser.el("#id-post-suspend").click()
    browser.submit("#form-post")
    feed = Feed.objects.get()
    assert (feed.name, feed.version, feed.publisher, feed.suspended, feed.group_id, feed.classification) == (
        "weather", "1.0", "alice", True, 7, "public"
    )
    assert [entry["id"] for entry in feed.endpoint_ids] == ["pub1"]
    assert "s3cret-pass" not in json.dumps(feed.endpoint_ids)  # stored hashed
    assert browser.driver.current_url == f"{browser.base_url}/api/datarouter/feeds/{feed.pk}/"
    assert browser.status == "200 OK"
    shown: dict[str, Any] = browser.payload["datarouter_feed"]
    assert (shown["name"], shown["suspended"], shown["group_id"], shown["endpoint_ids"], shown["publisher"]) == (
        "weather", True, 7, ["pub1"], "alice"
    )
    assert "s3cret-pass" not in browser.driver.page_source
    browser.shot("42-datarouter-feed-created")

    # An update changes what was filled in; the rest (the endpoints, suspended) stays.
    browser.el(".form-put summary").click()
    assert browser.el("#id-put-name").get_attribute("value") == "weather"
    assert browser.el("#id-put-authorization").get_attribute("value") == ""
    assert Select(browser.el("#id-put-suspend")).first_selected_option.get_attribute("value") == ""  # as it is
    browser.fill("id-put-description", "Hourly observations.")
    browser.submit("#form-put")
    assert browser.status == "200 OK"
    feed.refresh_from_db()
    assert (feed.description, feed.name, feed.suspended, feed.group_id) == ("Hourly observations.", "weather", True, 7)
    assert [entry["id"] for entry in feed.endpoint_ids] == ["pub1"]
    assert browser.payload["datarouter_feed"]["description"] == "Hourly observations."
    browser.shot("43-datarouter-feed-updated")

    browser.el(".form-put summary").click()
    Select(browser.el("#id-put-suspend")).select_by_value("false")
    browser.submit("#form-put")
    feed.refresh_from_db()
    assert (feed.suspended, feed.description) == (False, "Hourly observations.")
    assert browser.payload["datarouter_feed"]["suspended"] is False

    browser.click("#delete")
    assert browser.driver.current_url == browser.base_url + "/api/datarouter/feeds/"
    feed.refresh_from_db()
    assert feed.deleted
    assert browser.payload["total_results"] == 0

    browser.click("#logout")
    assert browser.status == "401 Unauthorized"
    assert browser.els("#login")
