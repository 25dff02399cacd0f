"""The /api/ surface: an owner's requests, their attempts, cancel, all linked from the root."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from retry.models import Attempt, RetryRequest, State
from webapi_kit.testing import APIClient, assert_api_error, assert_links
from webapi_kit.testing.client import Body
from tests.example_project.users import challenges

pytestmark = pytest.mark.django_db

OWNER = {"HTTP_X_OWNER_ID": "1234"}
URL = "http://target.example/hook"


def _make(owner: str = "1234", state: str = State.PENDING, **fields: Any) -> RetryRequest:
    now = timezone.now()
    defaults: dict[str, Any] = {
        "method": "POST",
        "url": URL,
        "headers": [["X-A", "1"], ["X-A", "2"]],
        "body": b"payload",
        "intervals": [1, 2],
        "accepted_at": now,
        "next_due_at": now + timedelta(seconds=1) if state == State.PENDING else None,
    }
    return RetryRequest.objects.create(owner_id=owner, state=state, **(defaults | fields))


def _get(client: Client, url: str, **headers: str) -> tuple[int, Any]:
    response = client.get(url, **(OWNER | headers))
    return response.status_code, json.loads(response.content)


@pytest.fixture
def owner(api_client: APIClient) -> APIClient:
    """The dialect's test client, calling as owner 1234."""
    api_client.authenticate(headers={"X-Owner-ID": "1234"})
    return api_client


def test_reachable_from_the_root_by_links(owner: APIClient) -> None:
    request = _make()
    Attempt.objects.create(request=request, index=0, scheduled_at=request.accepted_at, started_at=request.accepted_at)

    listing = owner.follow(owner.api_get("/api/"), "retry_requests")
    item_links = assert_links(listing.items[0], ["self", "delete", "retry_attempts"], exact=True)
    item = owner.follow(listing.items[0], "self")
    attempts = owner.follow(item, "retry_attempts")

    assert item_links["delete"] == {"method": "DELETE", "href": f"http://testserver/api/retry/requests/{request.pk}/"}
    assert item["stat"] == "ok"
    assert attempts["stat"] == "ok"
    assert [a["index"] for a in attempts.items] == [0]


def test_item_payload(client: Client) -> None:
    request = _make()
    status, data = _get(client, f"/api/retry/requests/{request.pk}/")

    assert status == 200
    item = data["retry_request"]
    assert {k: v for k, v in item.items() if k != "links"} == {
        "id": request.pk,
        "state": "pending",
        "method": "POST",
        "url": URL,
        "headers": {"X-A": ["1", "2"]},
        "body_size": 7,
        "intervals": [1, 2],
        "accepted_at": request.accepted_at.isoformat().replace("+00:00", "Z"),
        "next_attempt_at": request.next_due_at.isoformat().replace("+00:00", "Z") if request.next_due_at else None,
        "finished_at": None,
    }


def test_list_is_paged_and_filtered_by_state(owner: APIClient) -> None:
    pending = _make()
    done = _make(state=State.SUCCEEDED)
    _make(owner="other")

    everything = owner.api_get("/api/retry/requests/")
    assert [r["id"] for r in everything.items] == [done.pk, pending.pk]
    assert everything["total_results"] == 2

    succeeded = owner.api_get("/api/retry/requests/", {"state": "succeeded"})
    assert [r["id"] for r in succeeded.items] == [done.pk]

    page = owner.api_get("/api/retry/requests/", {"max-results": 1})
    assert [r["id"] for r in page.items] == [done.pk]
    assert page.links["next"]["href"] == "http://testserver/api/retry/requests/?start=1&max-results=1"

    bad = owner.api_get("/api/retry/requests/", {"state": "lost"}, expected_status=400)
    assert_api_error(bad, 105, fields=["state"])


def test_attempts_child_list(client: Client) -> None:
    request = _make()
    now = timezone.now()
    Attempt.objects.create(
        request=request, index=0, scheduled_at=now, started_at=now, finished_at=now, duration=0.25, status_code=500
    )
    Attempt.objects.create(
        request=request, index=1, scheduled_at=now, started_at=now, finished_at=now, duration=2.0, error="timeout: x"
    )

    status, data = _get(client, f"/api/retry/requests/{request.pk}/attempts/")

    assert status == 200
    assert [(a["index"], a["status_code"], a["error"], a["duration"]) for a in data["retry_attempts"]] == [
        (0, 500, "", 0.25),
        (1, None, "timeout: x", 2.0),
    ]
    attempt_id = data["retry_attempts"][0]["id"]
    status, one = _get(client, f"/api/retry/requests/{request.pk}/attempts/{attempt_id}/")
    assert (status, one["retry_attempt"]["status_code"]) == (200, 500)


def test_an_owner_never_sees_another_owners_requests(client: Client) -> None:
    theirs = _make(owner="other")
    attempt = Attempt.objects.create(
        request=theirs, index=0, scheduled_at=theirs.accepted_at, started_at=theirs.accepted_at
    )
    for url in (
        f"/api/retry/requests/{theirs.pk}/",
        f"/api/retry/requests/{theirs.pk}/attempts/",
        f"/api/retry/requests/{theirs.pk}/attempts/{attempt.pk}/",
    ):
        status, data = _get(client, url)
        assert (status, data["err"]["code"]) == (404, 100), url
    response = client.delete(f"/api/retry/requests/{theirs.pk}/", **OWNER)
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.state == State.PENDING


def test_without_owner_header_the_answer_is_401_with_a_challenge(client: Client) -> None:
    response = client.get("/api/retry/requests/")
    assert response.status_code == 401
    # Basic first, so that urllib-based clients (RBTools) ask for a login.
    assert challenges(response) == ['Basic realm="Web API"', "X-Owner-ID", 'token realm="Web API"']
    assert json.loads(response.content)["err"] == {
        "code": 103, "msg": "Header 'X-Owner-ID' is missing", "type": "auth-not-logged-in"
    }


def test_cancel_by_delete(owner: APIClient) -> None:
    request = _make()

    response = owner.api_delete(f"/api/retry/requests/{request.pk}/", expected_status=200)

    assert response.item["state"] == "cancelled"
    request.refresh_from_db()
    assert (request.state, request.next_due_at) == (State.CANCELLED, None)
    assert request.finished_at is not None
    # Again: still cancelled, still 200.
    owner.api_delete(f"/api/retry/requests/{request.pk}/", expected_status=200)


@pytest.mark.parametrize("state", [State.SUCCEEDED, State.GAVE_UP])
def test_cancelling_a_finished_request_is_a_conflict(owner: APIClient, state: str) -> None:
    request = _make(state=state)

    response = owner.api_delete(f"/api/retry/requests/{request.pk}/", expected_status=409)

    assert_api_error(response, 111, msg=f"The request has already finished ({state}); there is nothing to cancel")


def test_create_through_the_api_shares_the_native_rules(owner: APIClient, settings: Any) -> None:
    body = {"intervals": [5], "request": {"url": URL, "method": "PUT", "headers": {"X-B": ["c"]}, "body": "x"}}
    response = owner.api_post("/api/retry/requests/", body)

    created = RetryRequest.objects.get()
    assert response.headers["Location"] == f"http://testserver/api/retry/requests/{created.pk}/"
    assert (created.owner_id, created.method, created.headers, bytes(created.body)) == ("1234", "PUT", [["X-B", "c"]], b"x")

    bad = owner.api_post("/api/retry/requests/", {"intervals": [], "request": {"url": "x"}}, expected_status=400)
    assert bad["fields"] == {
        "intervals": ["'intervals' must not be empty"],
        "request.url": ["'request.url' must be an http or https URL, not \"x\""],
        "request.method": ["'request.method' is required"],
    }

    settings.RETRY_LIMIT_COUNT = 1
    limited = owner.api_post("/api/retry/requests/", body, expected_status=429)
    assert_api_error(limited, msg="Only 1 requests are allowed per owner per 30 minutes")
    assert "Retry-After" in limited.headers


def test_reads_redact_secrets_and_hide_the_body(client: Client) -> None:
    request = _make(headers=[["Authorization", "Bearer secret"], ["X-Session-Token", "t"], ["X-A", "1"]])
    expected_headers = {"Authorization": ["[redacted]"], "X-Session-Token": ["[redacted]"], "X-A": ["1"]}

    _, listing = _get(client, "/api/retry/requests/")
    _, item = _get(client, f"/api/retry/requests/{request.pk}/")
    cancelled = json.loads(client.delete(f"/api/retry/requests/{request.pk}/", **OWNER).content)

    for shown in (listing["retry_requests"][0], item["retry_request"], cancelled["retry_request"]):
        assert (shown["headers"], shown["body_size"]) == (expected_headers, 7)
        assert "body" not in shown
    assert b"secret" not in client.get(f"/api/retry/requests/{request.pk}/", **OWNER).content


@pytest.mark.parametrize("body", ["multipart", "form"])
def test_create_from_a_form_with_json_text_fields(owner: APIClient, body: Body) -> None:
    form = {"request": json.dumps({"url": URL, "method": "POST", "body": "x"}), "intervals": "[1, 2]"}
    response = owner.api_post("/api/retry/requests/", form, body=body)

    created = RetryRequest.objects.get()
    assert (created.method, created.url, created.intervals, bytes(created.body)) == ("POST", URL, [1, 2], b"x")
    assert response.item["intervals"] == [1, 2]


def test_form_fields_that_are_not_json_are_field_errors(client: Client) -> None:
    response = client.post("/api/retry/requests/", {"request": "{url", "intervals": "[1,"}, **OWNER)

    assert response.status_code == 400
    assert json.loads(response.content) == {
        "stat": "fail",
        "err": {"code": 105, "msg": "One or more fields had errors", "type": "request-field-error"},
        "fields": {
            "intervals": ["'intervals' is not valid JSON: Expecting value: line 1 column 4 (char 3)"],
            "request": [
                "'request' is not valid JSON: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"
            ],
        },
    }
    assert not RetryRequest.objects.exists()


def test_form_values_go_through_the_same_rules(client: Client) -> None:
    response = client.post(
        "/api/retry/requests/", {"request": json.dumps({"url": "http://169.254.169.254/"}), "intervals": ""}, **OWNER
    )

    assert response.status_code == 400
    assert json.loads(response.content)["fields"] == {
        "request.url": ["'request.url' \"http://169.254.169.254/\" is not an allowed target"],
        "request.method": ["'request.method' is required"],
    }


def test_json_bodies_are_not_decoded_twice(client: Client) -> None:
    body = {"request": json.dumps({"url": URL, "method": "GET"})}
    response = client.post("/api/retry/requests/", json.dumps(body), content_type="application/json", **OWNER)

    assert response.status_code == 400
    assert json.loads(response.content)["fields"] == {"request": ["'request' must be an object"]}
