"""``/api/<service>/status/``: each service's backlog, for staff users, from real rows."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from lxml import etree

from datarouter.models import Delivery
from queuey import services as queuey_services
from queuey.models import Message, Queue
from retry import services as retry_services
from retry.models import RetryRequest
from tests.example_project.datarouter.conftest import DR, feed_id, sub_body
from tests.example_project.users import basic, challenges, make_user

pytestmark = pytest.mark.django_db

SERVICES = ("retry", "queuey", "datarouter")
#: When the oldest due unit of every service fell due: far enough back that a slow run does not matter.
LATE = datetime.timedelta(minutes=10)


@pytest.fixture(autouse=True)
def _fresh_counts() -> None:
    cache.clear()


@pytest.fixture
def staff() -> Client:
    make_user("operator", is_staff=True)
    client = Client()
    client.defaults.update(basic("operator"))
    return client


def _retry_rows(oldest: datetime.datetime) -> None:
    """3 due (the oldest at ``oldest``), 2 leased to a worker, 1 not due yet, 1 finished."""
    for _ in range(7):
        retry_services.accept_request("ops", {"intervals": [0], "request": {"url": "http://target.example/", "method": "POST"}})
    rows = list(RetryRequest.objects.order_by("pk"))
    now = timezone.now()
    for row, due_at in zip(rows[:3], (oldest, oldest + datetime.timedelta(minutes=1), now)):
        RetryRequest.objects.filter(pk=row.pk).update(next_due_at=due_at)
    RetryRequest.objects.filter(pk__in=[r.pk for r in rows[3:5]]).update(
        next_due_at=oldest, claim_token="t" * 32, claimed_until=now + datetime.timedelta(minutes=5)
    )
    RetryRequest.objects.filter(pk=rows[5].pk).update(next_due_at=now + datetime.timedelta(hours=1))
    RetryRequest.objects.filter(pk=rows[6].pk).update(state="succeeded", next_due_at=None, finished_at=now)


def _queuey_rows(oldest: datetime.datetime) -> None:
    """3 expired (the oldest at ``oldest``), 1 live: the purge has no leases."""
    app, _ = queuey_services.create_application("ops")
    queue = Queue.objects.create(application=app, name="q")
    messages = queuey_services.store_messages(queue, [{"body": str(i)} for i in range(4)], batch=True)
    for message, expired_at in zip(messages[:3], (oldest, oldest + datetime.timedelta(minutes=1), timezone.now())):
        Message.objects.filter(pk=message.pk).update(expires_at=expired_at)


def _datarouter_rows(client: Client, oldest: datetime.datetime) -> None:
    """4 deliveries to one subscriber: 3 due (the oldest at ``oldest``), 1 leased."""
    dr = DR(client)
    fid = feed_id(dr.feed())
    dr.sub(fid, sub_body("http://127.0.0.1:9/"))
    for name in ("a", "b", "c", "d"):
        assert dr.publish(fid, name).status_code == 204
    rows = list(Delivery.objects.order_by("pk"))
    assert len(rows) == 4
    for row, due_at in zip(rows[:3], (oldest, oldest + datetime.timedelta(minutes=1), timezone.now())):
        Delivery.objects.filter(pk=row.pk).update(next_attempt_at=due_at)
    Delivery.objects.filter(pk=rows[3].pk).update(
        next_attempt_at=oldest, claim_token="t" * 32, claimed_until=timezone.now() + datetime.timedelta(minutes=5)
    )


def _rows(service: str, oldest: datetime.datetime) -> None:
    if service == "retry":
        _retry_rows(oldest)
    elif service == "queuey":
        _queuey_rows(oldest)
    else:
        _datarouter_rows(Client(), oldest)


EXPECTED = {"retry": (3, 2), "queuey": (3, 0), "datarouter": (3, 1)}


@pytest.mark.parametrize("service", SERVICES)
def test_staff_read_what_is_due_leased_and_how_late(staff: Client, service: str) -> None:
    oldest = (timezone.now() - LATE).replace(microsecond=250000)
    _rows(service, oldest)
    asked = timezone.now()
    response = staff.get(f"/api/{service}/status/")
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == f"application/vnd.webapi-kit.example.{service}_status+json"
    payload = response.json()
    status = payload[f"{service}_status"]
    lateness = status.pop("lateness_seconds")
    due, leased = EXPECTED[service]
    assert payload == {"stat": "ok", f"{service}_status": {
        "due": due,
        "leased": leased,
        "oldest_due_at": oldest.isoformat().replace("+00:00", "Z"),
        "links": {"self": {"method": "GET", "href": f"http://testserver/api/{service}/status/"}},
    }}
    # Between the request and now, give or take the rounding to milliseconds.
    earliest = (asked - oldest).total_seconds() - 0.0005
    assert earliest <= lateness <= (timezone.now() - oldest).total_seconds() + 0.0005
    assert round(lateness, 3) == lateness


@pytest.mark.parametrize("service", SERVICES)
def test_nothing_due_is_zero_and_null_and_a_stable_etag(staff: Client, service: str) -> None:
    first = staff.get(f"/api/{service}/status/")
    assert first.json()[f"{service}_status"] == {
        "due": 0, "leased": 0, "oldest_due_at": None, "lateness_seconds": 0,
        "links": {"self": {"method": "GET", "href": f"http://testserver/api/{service}/status/"}},
    }
    again = staff.get(f"/api/{service}/status/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert (again.status_code, again.content, again["ETag"]) == (304, b"", first["ETag"])


def test_a_change_in_the_backlog_is_a_new_etag(staff: Client) -> None:
    etag = staff.get("/api/queuey/status/")["ETag"]
    _queuey_rows(timezone.now() - LATE)
    changed = staff.get("/api/queuey/status/", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert changed.json()["queuey_status"]["due"] == 3


@pytest.mark.parametrize("service", SERVICES)
def test_xml_too(staff: Client, service: str) -> None:
    oldest = (timezone.now() - LATE).replace(microsecond=0)
    _rows(service, oldest)
    response = staff.get(f"/api/{service}/status/", HTTP_ACCEPT="application/xml")
    assert response.status_code == 200
    assert response["Content-Type"] == f"application/vnd.webapi-kit.example.{service}_status+xml"
    root = etree.fromstring(response.content)
    status = root.find(f"{service}_status")
    assert root.findtext("stat") == "ok"
    due, leased = EXPECTED[service]
    assert (status.findtext("due"), status.findtext("leased")) == (str(due), str(leased))
    assert status.findtext("oldest_due_at") == oldest.isoformat().replace("+00:00", "Z")
    assert float(status.findtext("lateness_seconds")) >= LATE.total_seconds()


@pytest.mark.parametrize("service", SERVICES)
def test_anyone_but_staff_is_refused_in_the_envelope(service: str) -> None:
    make_user("alice")
    url = f"/api/{service}/status/"
    refused = Client().get(url, **basic("alice"))
    assert (refused.status_code, refused.json()) == (
        403, {"stat": "fail", "err": {"code": 101, "msg": "Only staff users may read a service's status",
                                 "type": "resource-permission-denied"}},
    )
    anonymous = Client().get(url)
    assert anonymous.status_code == 401
    assert anonymous.json()["err"]["type"] == "auth-not-logged-in"
    assert challenges(anonymous)[0].startswith("Basic")
    # A service's own header names no site user.
    header = {"retry": {"HTTP_X_OWNER_ID": "ops"}, "queuey": {}, "datarouter": {"HTTP_X_ATT_DR_ON_BEHALF_OF": "ops"}}
    assert Client().get(url, **header[service]).status_code == 401


def test_only_get(staff: Client) -> None:
    for method in ("post", "put", "delete"):
        response = getattr(staff, method)("/api/retry/status/", "{}", content_type="application/json")
        assert response.status_code == 405, method
    assert staff.options("/api/retry/status/")["Allow"] == "GET, HEAD, OPTIONS"


def test_linked_from_the_root(staff: Client) -> None:
    links = staff.get("/api/").json()["links"]
    for service in SERVICES:
        assert links[f"{service}_status"] == {"method": "GET", "href": f"http://testserver/api/{service}/status/"}


def test_described_in_the_openapi_document(client: Client) -> None:
    document = json.loads(client.get("/api/openapi.json").content)
    get = document["paths"]["/retry/status/"]["get"]
    assert set(get["responses"]) >= {"200", "401", "403"}
    schema = document["components"]["schemas"]["retry_status"]
    assert set(schema["properties"]) == {"due", "leased", "oldest_due_at", "lateness_seconds", "_expanded", "links"}
    assert schema["properties"]["due"]["type"] == ["integer", "null"]
    assert {"basic": []} in get["security"] and {} not in get["security"]
