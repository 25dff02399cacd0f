"""The services' /api/ pages have forms a person can use, and JSON clients see no change.

The service handlers read their own bodies (their service layers check
every value); :func:`webapi_kit.browsable.form_fields` draws their forms,
and each service reads what a form sends: JSON text for nested objects,
``"true"``/``"false"`` for a checkbox, digits for a number. The browser
test (``tests/browser/test_service_forms.py``) drives the same forms in
Chromium.
"""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

import pytest
from django.test import Client
from lxml import html as lxml_html

from datarouter.models import Feed
from queuey import services as queuey_services
from queuey.models import Queue
from tests.example_project.users import make_user

pytestmark = pytest.mark.django_db

CHROMIUM = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
AUTHORIZATION = {"classification": "public", "endpoint_ids": [{"id": "pub1", "password": "pw-of-pub1"}]}


@pytest.fixture
def browser() -> Client:
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT=CHROMIUM)
    client.force_login(make_user("alice"))
    return client


def _page(client: Client, url: str) -> Any:
    response = client.get(url)
    assert response.status_code == HTTPStatus.OK
    return lxml_html.fromstring(response.content)


def _inputs(doc: Any, form_id: str) -> dict[str, tuple[str, bool]]:
    """Each input of a form: its widget and whether it is marked required."""
    form = doc.get_element_by_id(form_id)
    required = set(form.xpath(".//label[span[@class='req']]/text()"))
    shown = {}
    for element in form.xpath(".//input[not(@type='hidden')]|.//textarea|.//select"):
        widget = element.get("type") if element.tag == "input" else element.tag
        shown[element.get("name")] = (widget, element.get("name") in required)
    return shown


def _token(doc: Any) -> str:
    return str(doc.xpath("//input[@name='csrfmiddlewaretoken']/@value")[0])


def test_each_tree_has_create_forms_drawn_from_its_form_fields(browser: Client) -> None:
    retry = _page(browser, "/api/retry/requests/")
    assert _inputs(retry, "form-post") == {"request": ("textarea", True), "intervals": ("textarea", False)}
    assert not retry.xpath("//*[@id='formless']")

    feeds = _page(browser, "/api/datarouter/feeds/")
    assert _inputs(feeds, "form-post") == {
        "name": ("text", True), "version": ("text", True), "authorization": ("textarea", True),
        "description": ("textarea", True), "business_description": ("textarea", True),
        "group_id": ("number", False), "suspend": ("checkbox", False),
    }


def test_a_queue_form_in_the_users_own_application(browser: Client) -> None:
    user = make_user("bob")
    queuey_services.create_application("bob-shop", owner=user)
    browser.force_login(user)
    doc = _page(browser, "/api/queuey/applications/bob-shop/queues/")
    assert _inputs(doc, "form-post") == {
        "name": ("text", False), "partitions": ("number", False), "type": ("select", False),
        "consistency": ("select", False), "principles": ("text", False),
    }
    response = browser.post("/api/queuey/applications/bob-shop/queues/", {
        "csrfmiddlewaretoken": _token(doc), "name": "jobs", "partitions": "2", "type": "public",
        "consistency": "", "principles": "app:bob-shop",
    })
    assert response.status_code == HTTPStatus.SEE_OTHER
    queue = Queue.objects.get()
    # A bad name is reported beside the name input (the service calls it queue_name).
    again = browser.post("/api/queuey/applications/bob-shop/queues/", {"csrfmiddlewaretoken": _token(doc), "name": "jobs"})
    assert again.status_code == HTTPStatus.BAD_REQUEST
    shown = lxml_html.fromstring(again.content).xpath("//ul[@id='errors-post-name']/li/text()")
    assert shown == ["A queue named 'jobs' already exists"]
    assert (queue.name, queue.partitions, queue.type, queue.principle_list) == ("jobs", 2, "public", ["app:bob-shop"])

    # The update form shows the current values; a number left empty is left as it is.
    doc = _page(browser, "/api/queuey/applications/bob-shop/queues/jobs/")
    assert doc.get_element_by_id("id-put-partitions").get("value") == "2"
    assert doc.get_element_by_id("id-put-principles").get("value") == "app:bob-shop"
    response = browser.post("/api/queuey/applications/bob-shop/queues/jobs/", {
        "csrfmiddlewaretoken": _token(doc), "_method": "PUT", "partitions": "", "type": "user",
        "consistency": "", "principles": "app:bob-shop",
    })
    assert response.status_code == HTTPStatus.SEE_OTHER
    queue.refresh_from_db()
    assert (queue.partitions, queue.type) == (2, "user")


def test_a_feed_form_sends_text_that_the_service_reads(browser: Client) -> None:
    doc = _page(browser, "/api/datarouter/feeds/")
    form = {
        "csrfmiddlewaretoken": _token(doc), "name": "weather", "version": "1", "description": "",
        "business_description": "", "authorization": json.dumps(AUTHORIZATION), "group_id": "x",
        "suspend": ["false", "true"],  # the hidden "false", then the ticked box
    }
    refused = browser.post("/api/datarouter/feeds/", form)
    assert refused.status_code == HTTPStatus.BAD_REQUEST
    refused_doc = lxml_html.fromstring(refused.content)
    assert refused_doc.get_element_by_id("errors-post-group_id").text_content().strip() == '"x" is not an integer'
    assert not Feed.objects.exists()


def test_queue_name_errors_name_the_field_the_client_sent(client: Client) -> None:
    user = make_user("dave")
    queuey_services.create_application("dave-shop", owner=user)
    client.force_login(user)
    for field in ("name", "queue_name"):
        response = client.post("/api/queuey/applications/dave-shop/queues/", json.dumps({field: "a/b"}),
                               content_type="application/json", HTTP_ACCEPT="application/json")
        assert response.status_code == HTTPStatus.BAD_REQUEST
        assert json.loads(response.content)["fields"] == {field: ["Must be text without '/' or control characters"]}

    created = browser.post("/api/datarouter/feeds/", {**form, "group_id": "12"})
    assert created.status_code == HTTPStatus.SEE_OTHER
    feed = Feed.objects.get()
    assert (feed.name, feed.suspended, feed.group_id, feed.publisher) == ("weather", True, 12, "alice")

    # The update form: "suspend" is a choice whose empty value leaves the feed as it is.
    url = f"/api/datarouter/feeds/{feed.pk}/"
    doc = _page(browser, url)
    assert doc.xpath("//select[@id='id-put-suspend']/option/@value") == ["", "true", "false"]
    for suspend, expected in (("", True), ("false", False)):
        changed = browser.post(url, {"csrfmiddlewaretoken": _token(doc), "_method": "PUT", "suspend": suspend,
                                     "authorization": "", "group_id": "", "description": f"now {expected}"})
        assert changed.status_code == HTTPStatus.SEE_OTHER
        feed.refresh_from_db()
        assert (feed.suspended, feed.description, feed.group_id) == (expected, f"now {expected}", 12)

    # Members of the authorization object are reported beside its text area.
    bad = browser.post("/api/datarouter/feeds/", {**form, "name": "other", "group_id": "",
                                                  "authorization": '{"endpoint_ids": []}'})
    assert bad.status_code == HTTPStatus.BAD_REQUEST
    messages = lxml_html.fromstring(bad.content).xpath("//ul[@id='errors-post-authorization']/li/text()")
    assert messages == [
        "authorization.classification: This field is required",
        "authorization.endpoint_ids: Must be a list of at least one {id, password}",
    ]


def test_json_clients_still_meet_the_services_own_rules(client: Client) -> None:
    make_user("carol")
    client.login(username="carol", password="correct horse battery")
    body = {"name": "f", "version": "1", "description": "", "business_description": "", "authorization": AUTHORIZATION,
            "suspend": "true", "group_id": "12"}
    response = client.post("/api/datarouter/feeds/", json.dumps(body), content_type="application/json",
                           HTTP_ACCEPT="application/json")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert json.loads(response.content)["fields"] == {"suspend": ["Must be true or false"], "group_id": ["Must be an integer"]}
    assert not Feed.objects.exists()


def test_queue_name_errors_name_the_field_the_client_sent(client: Client) -> None:
    user = make_user("dave")
    queuey_services.create_application("dave-shop", owner=user)
    client.force_login(user)
    for field in ("name", "queue_name"):
        response = client.post("/api/queuey/applications/dave-shop/queues/", json.dumps({field: "a/b"}),
                               content_type="application/json", HTTP_ACCEPT="application/json")
        assert response.status_code == HTTPStatus.BAD_REQUEST
        assert json.loads(response.content)["fields"] == {field: ["Must be text without '/' or control characters"]}
