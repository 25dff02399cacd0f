"""The native surface: the seed's POST /requests/ and GET /health, plus reads and cancels."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from retry.models import RetryRequest, State
from tests.example_project.retry.helpers import SEED_BODY, SUBMIT_URL, errors, payload, submit

pytestmark = pytest.mark.django_db

URL = "http://target.example/hook"


def test_seed_example_as_written_is_accepted(client: Client) -> None:
    response = submit(client, SEED_BODY)

    assert response.status_code == 200
    assert response.content == b"{}"
    assert response["Content-Type"] == "application/json"
    stored = RetryRequest.objects.get()
    assert stored.owner_id == "1234"
    assert (stored.method, stored.url, stored.intervals) == ("GET", "http://www.example.org", [60, 300, 900])
    assert stored.headers == [["X-Foo", "Bar"], ["X-Foo", "Baz"], ["X-Quux", "Corge"], ["X-Quux", "Grault"]]
    assert bytes(stored.body) == b""
    assert stored.state == State.PENDING
    # Nothing is due at once: the first attempt waits for the first interval.
    assert stored.next_attempt == 0
    assert stored.next_due_at == stored.accepted_at + timedelta(seconds=60)
    assert response["Location"] == f"http://testserver/retry/requests/{stored.pk}/"


@pytest.mark.parametrize("content_type", ["application/json", "text/plain", "application/json; charset=utf-8"])
def test_any_content_type_is_read_as_json(client: Client, content_type: str) -> None:
    response = client.post(SUBMIT_URL, SEED_BODY, content_type=content_type, HTTP_X_OWNER_ID="1")
    assert (response.status_code, response.content) == (200, b"{}")


def test_intervals_default_to_the_seeds(client: Client) -> None:
    response = submit(client, {"request": {"url": URL, "method": "POST", "body": "héllo"}})

    assert response.status_code == 200
    stored = RetryRequest.objects.get()
    assert stored.intervals == [30, 300, 900]
    assert stored.next_due_at == stored.accepted_at + timedelta(seconds=30)
    assert bytes(stored.body) == "héllo".encode()


def test_null_optional_fields_count_as_absent(client: Client) -> None:
    body = {"intervals": None, "request": {"url": URL, "method": "GET", "headers": None, "body": None}}
    assert submit(client, body).status_code == 200
    stored = RetryRequest.objects.get()
    assert (stored.intervals, stored.headers, bytes(stored.body)) == ([30, 300, 900], [], b"")


def test_zero_interval_is_allowed(client: Client) -> None:
    assert submit(client, payload(URL, [0, 5])).status_code == 200


UNSENDABLE_VALUE = "'request.headers.%s' values must be printable ASCII, without control characters or spaces at either end"


def _invalid(message: str) -> dict[str, str]:
    return {"type": "invalid_body", "message": message}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("not json", [_invalid("The body is not valid JSON: Expecting value: line 1 column 1 (char 0)")]),
        ("", [_invalid("The body is not valid JSON: the body is empty")]),
        ("[1, 2]", [_invalid("The body must be a JSON object")]),
        ('"text"', [_invalid("The body must be a JSON object")]),
        ({"intervals": []} | payload(URL), [_invalid("'intervals' must not be empty")]),
        ({"intervals": 30} | payload(URL), [_invalid("'intervals' must be a list of whole numbers of seconds")]),
        ({"intervals": [30, -1]} | payload(URL), [_invalid("'intervals[1]' must not be negative")]),
        ({"intervals": [1.5]} | payload(URL), [_invalid("'intervals[0]' must be a whole number of seconds, not 1.5")]),
        ({"intervals": ["30"]} | payload(URL), [_invalid("'intervals[0]' must be a whole number of seconds, not \"30\"")]),
        ({"intervals": [True]} | payload(URL), [_invalid("'intervals[0]' must be a whole number of seconds, not true")]),
        ({"intervals": [10**12]} | payload(URL), [_invalid("'intervals[0]' must be at most 31622400 seconds")]),
        ({"intervals": [1] * 101} | payload(URL), [_invalid("'intervals' may hold at most 100 intervals")]),
        ({}, [_invalid("'request' is required")]),
        ({"request": "GET /"}, [_invalid("'request' must be an object")]),
        ({"request": {"method": "GET"}}, [_invalid("'request.url' is required")]),
        ({"request": {"url": 5, "method": "GET"}}, [_invalid("'request.url' must be a string")]),
        (payload("ftp://x.example/"), [_invalid("'request.url' must be an http or https URL, not \"ftp://x.example/\"")]),
        (payload("http://"), [_invalid("'request.url' must be an http or https URL, not \"http://\"")]),
        (payload("http://x:port/"), [_invalid("'request.url' must be an http or https URL, not \"http://x:port/\"")]),
        ({"request": {"url": URL}}, [_invalid("'request.method' is required")]),
        (
            {"request": {"url": URL, "method": "GE T"}},
            [_invalid("'request.method' must be an HTTP method such as GET or POST, not \"GE T\"")],
        ),
        (
            payload(URL, headers=["X-Foo", "Bar"]),
            [_invalid("'request.headers' must be an object mapping header names to lists of values")],
        ),
        (payload(URL, headers={"X-Foo": "Bar"}), [_invalid("'request.headers.X-Foo' must be a list of strings")]),
        (payload(URL, headers={"X-Foo": ["Bar", 1]}), [_invalid("'request.headers.X-Foo' must be a list of strings")]),
        (payload(URL, headers={"X Foo": ["Bar"]}), [_invalid("'request.headers' has an invalid header name \"X Foo\"")]),
        *(
            (payload(URL, headers={"X-Foo": [value]}), [_invalid(UNSENDABLE_VALUE % "X-Foo")])
            # Nothing the worker's HTTP client could put on the wire as it was given.
            for value in ("a\r\nX-Evil: 1", "caf\u00e9", "a\x01b", "\x7f", " padded", "padded\t", "\u2603")
        ),
        (
            payload(URL, headers={"Transfer-Encoding": ["chunked"]}),
            [_invalid("'request.headers.Transfer-Encoding' cannot be re-sent: the body goes with a Content-Length")],
        ),
        (
            payload(URL, headers={"Content-Length": ["99"]}, body="abc"),
            [_invalid("'request.headers.Content-Length' must be the body's length, 3")],
        ),
        # Host names the worker's client cannot IDNA-encode or that no DNS name can be, and a DEL.
        (payload("http://exa\u200bmple.example/"), [_invalid("'request.url' must be an http or https URL, not \"http://exa\u200bmple.example/\"")]),
        (payload("http://a<b.example/"), [_invalid("'request.url' must be an http or https URL, not \"http://a<b.example/\"")]),
        (payload("http://x.example/\x7f"), [_invalid("'request.url' must be an http or https URL, not \"http://x.example/\x7f\"")]),
        (payload(URL, body={"a": 1}), [_invalid("'request.body' must be a string")]),
    ],
)
def test_each_bad_input_is_an_invalid_body(client: Client, body: Any, expected: list[dict[str, str]]) -> None:
    response = submit(client, body)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert errors(response) == expected
    assert not RetryRequest.objects.exists()


def test_missing_owner_header(client: Client) -> None:
    response = submit(client, SEED_BODY, owner=None)
    assert response.status_code == 400
    assert errors(response) == [{"type": "header_missing", "message": "Header 'X-Owner-ID' is missing"}]


def test_over_long_owner_header(client: Client) -> None:
    response = submit(client, SEED_BODY, owner="x" * 256)
    assert response.status_code == 400
    assert errors(response) == [
        {"type": "invalid_header", "message": "Header 'X-Owner-ID' must be at most 255 characters"}
    ]


def test_every_problem_is_reported_at_once_headers_first_then_fields_in_order(client: Client) -> None:
    body = {
        "request": {"body": 5, "headers": {"X-A": "b"}, "method": 7, "url": "mailto:a@b"},
        "intervals": [-1, "x"],
    }
    response = submit(client, body, owner=None)

    assert response.status_code == 400
    assert errors(response) == [
        {"type": "header_missing", "message": "Header 'X-Owner-ID' is missing"},
        _invalid("'intervals[0]' must not be negative"),
        _invalid("'intervals[1]' must be a whole number of seconds, not \"x\""),
        _invalid("'request.url' must be an http or https URL, not \"mailto:a@b\""),
        _invalid("'request.method' must be an HTTP method such as GET or POST, not 7"),
        _invalid("'request.headers.X-A' must be a list of strings"),
        _invalid("'request.body' must be a string"),
    ]


def test_header_problem_comes_before_a_body_that_is_not_json(client: Client) -> None:
    response = submit(client, "{oops", owner=None)
    assert [error["type"] for error in errors(response)] == ["header_missing", "invalid_body"]


def test_health(client: Client) -> None:
    response = client.get("/retry/health")
    assert (response.status_code, response.content, response["Content-Type"]) == (200, b"{}", "application/json")


def test_unknown_url_is_a_404_in_the_seeds_format(client: Client) -> None:
    response = client.get("/retry/nothing-here")
    assert response.status_code == 404
    assert errors(response) == [{"type": "not_found", "message": "Object does not exist"}]


def test_wrong_method_is_a_405_in_the_seeds_format(client: Client) -> None:
    response = client.put("/retry/health")
    assert response.status_code == 405
    assert [error["type"] for error in errors(response)] == ["method_not_allowed"]


# ----------------------------------------------------------------------
# Beyond the seed: an owner's requests natively.


def _accept(client: Client, owner: str = "1234", **request: Any) -> RetryRequest:
    assert submit(client, payload(URL, [10, 20], **request), owner=owner).status_code == 200
    return RetryRequest.objects.latest("pk")


def test_native_list_shows_the_owners_requests_only(client: Client) -> None:
    mine = _accept(client, headers={"X-A": ["1", "2"]}, body="b")
    _accept(client, owner="other")

    response = client.get(SUBMIT_URL, HTTP_X_OWNER_ID="1234")

    assert response.status_code == 200
    data = json.loads(response.content)
    assert data == {
        "requests": [
            {
                "id": mine.pk,
                "state": "pending",
                "accepted_at": _iso(mine.accepted_at),
                "intervals": [10, 20],
                "next_attempt_at": _iso(mine.next_due_at),
                "finished_at": None,
                "request": {"url": URL, "method": "GET", "headers": {"X-A": ["1", "2"]}, "body_size": 1},
                "attempts": [],
            }
        ],
        "total_results": 1,
    }


def test_native_list_filters_by_state_and_pages(client: Client) -> None:
    first = _accept(client)
    second = _accept(client)
    RetryRequest.objects.filter(pk=first.pk).update(state=State.GAVE_UP)

    gave_up = json.loads(client.get(SUBMIT_URL + "?state=gave_up", HTTP_X_OWNER_ID="1234").content)
    assert [item["id"] for item in gave_up["requests"]] == [first.pk]

    page = json.loads(client.get(SUBMIT_URL + "?max-results=1", HTTP_X_OWNER_ID="1234").content)
    assert [item["id"] for item in page["requests"]] == [second.pk]
    assert page["total_results"] == 2
    assert page["next"] == "http://testserver/retry/requests/?start=1&max-results=1"

    bad = client.get(SUBMIT_URL + "?state=lost", HTTP_X_OWNER_ID="1234")
    assert bad.status_code == 400
    assert errors(bad) == [
        {"type": "invalid_query", "message": "'state' must be one of: pending, succeeded, gave_up, cancelled"}
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("start=-1", [("invalid_query", "'start': \"-1\" must be at least 0")]),
        ("max-results=x", [("invalid_query", "'max-results': \"x\" is not an integer")]),
        (
            "state=lost&start=a",
            [
                ("invalid_query", "'state' must be one of: pending, succeeded, gave_up, cancelled"),
                ("invalid_query", "'start': \"a\" is not an integer"),
            ],
        ),
    ],
)
def test_native_bad_query_parameters_are_invalid_query(
    client: Client, query: str, expected: list[tuple[str, str]]
) -> None:
    response = client.get(f"{SUBMIT_URL}?{query}", HTTP_X_OWNER_ID="1234")

    assert response.status_code == 400
    assert errors(response) == [{"type": type_, "message": message} for type_, message in expected]


SECRET_HEADERS = {
    "Authorization": ["Bearer secret"],
    "proxy-authorization": ["Basic c2VjcmV0"],
    "Cookie": ["session=secret"],
    "Set-Cookie": ["a=secret", "b=secret"],
    "X-Api-Key": ["secret"],
    "X-Auth-Token": ["secret"],
    "X-Github-TOKEN": ["secret"],
    "X-Client-Secret": ["secret"],
    "Signing-Key": ["secret"],
    "X-Authentication": ["secret"],
    "X-Password": ["secret"],
    "X-Foo": ["Bar", "Baz"],
    "Content-Type": ["application/json"],
}
REDACTED_HEADERS = {
    name: (values if name in ("X-Foo", "Content-Type") else ["[redacted]"] * len(values))
    for name, values in SECRET_HEADERS.items()
}


def test_native_reads_redact_secrets_and_hide_the_body(client: Client) -> None:
    mine = _accept(client, headers=SECRET_HEADERS, body='{"password": "hunter2"}')
    item_url = f"{SUBMIT_URL}{mine.pk}/"
    expected = {"url": URL, "method": "GET", "headers": REDACTED_HEADERS, "body_size": 23}

    listed = json.loads(client.get(SUBMIT_URL, HTTP_X_OWNER_ID="1234").content)
    shown = json.loads(client.get(item_url, HTTP_X_OWNER_ID="1234").content)
    cancelled = json.loads(client.delete(item_url, HTTP_X_OWNER_ID="1234").content)

    assert listed["requests"][0]["request"] == expected
    assert shown["request"] == expected
    assert cancelled["request"] == expected
    # What is stored (and sent) is untouched.
    mine.refresh_from_db()
    assert ["Authorization", "Bearer secret"] in mine.headers
    assert bytes(mine.body) == b'{"password": "hunter2"}'


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "https://169.254.0.1:8443/",
        "http://[fe80::1]/",
        "http://[::ffff:169.254.169.254]/",
    ],
)
def test_a_blocked_literal_target_is_refused(client: Client, url: str) -> None:
    response = submit(client, payload(url))

    assert response.status_code == 400
    assert errors(response) == [_invalid(f"'request.url' \"{url}\" is not an allowed target")]
    assert not RetryRequest.objects.exists()


def test_blocked_networks_are_a_setting(client: Client, settings: Any) -> None:
    settings.RETRY_BLOCKED_NETWORKS = ["10.0.0.0/8"]

    assert submit(client, payload("http://169.254.169.254/")).status_code == 200
    assert submit(client, payload("http://127.0.0.1:9/")).status_code == 200
    refused = submit(client, payload("http://10.1.2.3/"))
    assert errors(refused) == [_invalid("'request.url' \"http://10.1.2.3/\" is not an allowed target")]


def test_loopback_and_names_are_allowed_by_default(client: Client) -> None:
    for url in ("http://127.0.0.1:8000/", "http://[::1]/", "http://metadata.example/"):
        assert submit(client, payload(url)).status_code == 200, url


def test_native_reads_need_the_owner_header(client: Client) -> None:
    response = client.get(SUBMIT_URL)
    assert response.status_code == 400
    assert errors(response) == [{"type": "header_missing", "message": "Header 'X-Owner-ID' is missing"}]


def test_native_item_and_cancel(client: Client) -> None:
    mine = _accept(client)
    item_url = f"{SUBMIT_URL}{mine.pk}/"

    shown = json.loads(client.get(item_url, HTTP_X_OWNER_ID="1234").content)
    assert (shown["id"], shown["state"], shown["attempts"]) == (mine.pk, "pending", [])

    cancelled = client.delete(item_url, HTTP_X_OWNER_ID="1234")
    assert cancelled.status_code == 200
    assert json.loads(cancelled.content)["state"] == "cancelled"
    mine.refresh_from_db()
    assert (mine.state, mine.next_due_at) == (State.CANCELLED, None)
    # Cancelling twice is harmless.
    assert client.delete(item_url, HTTP_X_OWNER_ID="1234").status_code == 200


def test_native_cancel_takes_preconditions(client: Client) -> None:
    """The native resources have no model: the precondition is judged against what GET answers."""
    mine = _accept(client)
    item_url = f"{SUBMIT_URL}{mine.pk}/"
    etag = client.get(item_url, HTTP_X_OWNER_ID="1234")["ETag"]
    for headers in ({"HTTP_IF_MATCH": '"stale"'}, {"HTTP_IF_NONE_MATCH": "*"}, {"HTTP_IF_NONE_MATCH": etag}):
        refused = client.delete(item_url, HTTP_X_OWNER_ID="1234", **headers)
        assert refused.status_code == 412, headers
        assert refused["Content-Type"] == "application/json"
        assert errors(refused) == [
            {"type": "precondition_failed", "message": "The object has changed since the given version"}
        ]
        mine.refresh_from_db()
        assert mine.state == State.PENDING
    # Another owner's request is not there, whatever the condition.
    assert client.delete(item_url, HTTP_X_OWNER_ID="other", HTTP_IF_MATCH=etag).status_code == 404
    assert client.delete(item_url, HTTP_X_OWNER_ID="1234", HTTP_IF_MATCH=etag).status_code == 200
    mine.refresh_from_db()
    assert mine.state == State.CANCELLED


def test_native_cancel_of_a_finished_request_is_a_conflict(client: Client) -> None:
    mine = _accept(client)
    RetryRequest.objects.filter(pk=mine.pk).update(state=State.SUCCEEDED)

    response = client.delete(f"{SUBMIT_URL}{mine.pk}/", HTTP_X_OWNER_ID="1234")

    assert response.status_code == 409
    assert errors(response) == [
        {
            "type": "already_finished",
            "message": "The request has already finished (succeeded); there is nothing to cancel",
        }
    ]


@pytest.mark.parametrize("method", ["get", "delete"])
def test_native_other_owners_requests_are_not_found(client: Client, method: str) -> None:
    theirs = _accept(client, owner="other")
    for url in (f"{SUBMIT_URL}{theirs.pk}/", f"{SUBMIT_URL}99999999999999999999999/"):
        response = getattr(client, method)(url, HTTP_X_OWNER_ID="1234")
        assert response.status_code == 404
        assert [error["type"] for error in errors(response)] == ["not_found"]
    theirs.refresh_from_db()
    assert theirs.state == State.PENDING


def _iso(value: Any) -> str:
    text: str = value.isoformat().replace("+00:00", "Z")
    return text
