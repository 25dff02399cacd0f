"""GET /feedlog/{feedId} and /sublog/{subId}: order, fields, every filter, 400 and 406."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from datarouter.models import LogRecord

from .conftest import DR, feed_id, sub_id

pytestmark = pytest.mark.django_db

LOG_LIST = "application/vnd.att-dr.log-list"


def _record(fid: int, type: str, sid: int | None = None, ago: float = 0, **fields: Any) -> LogRecord:
    defaults: dict[str, Any] = dict(
        type=type, date=timezone.now() - datetime.timedelta(seconds=ago), feed_id=fid, subscription_id=sid,
        publish_id="7", request_uri="http://x/f", method="PUT", content_type="text/plain", content_length=3,
    )
    defaults.update(fields)
    return LogRecord.objects.create(**defaults)


@pytest.fixture
def logged(dr: DR) -> tuple[int, int]:
    fid = feed_id(dr.feed())
    sid = sub_id(dr.sub(fid))
    _record(fid, "exp", sid, ago=1, expiry_reason="notRetryable", attempts=1)
    _record(fid, "del", sid, ago=2, delivery_id="LOGIN", status_code=400)
    _record(fid, "del", sid, ago=3, delivery_id="LOGIN", status_code=503, publish_id="6")
    _record(fid, "pub", ago=4, source_ip="127.0.0.1", endpoint_id="user", status_code=204)
    _record(fid, "exp", sid, ago=5, expiry_reason="retriesExhausted", attempts=4, publish_id="5")
    _record(fid, "del", sid, ago=6, delivery_id="LOGIN", status_code=-1, publish_id="5")
    _record(fid, "del", sid, ago=7, delivery_id="LOGIN", status_code=302, publish_id="5")
    _record(fid, "pub", ago=90_000, source_ip="127.0.0.1", endpoint_id="user", status_code=204, publish_id="1")
    return fid, sid


def _get(dr: DR, path: str, accept: str | None = None) -> Any:
    extra = {"Accept": accept} if accept else {}
    return dr.request("GET", path, user=None, **extra)


def test_feedlog_order_and_fields(dr: DR, logged: tuple[int, int]) -> None:
    fid, _ = logged
    response = _get(dr, f"feedlog/{fid}")
    assert response.status_code == 200
    assert response["Content-Type"] == LOG_LIST
    records = response.json()
    assert [r["type"] for r in records] == ["pub", "del", "del", "del", "del", "exp", "exp"]
    pub = records[0]
    assert set(pub) == {"type", "date", "publishId", "requestURI", "method", "contentType", "contentLength",
                        "sourceIp", "endpointId", "statusCode"}
    assert pub["date"].endswith("Z") and len(pub["date"]) == len("2024-01-02T03:04:05.678Z")
    assert set(records[1]) == {"type", "date", "publishId", "requestURI", "method", "contentType", "contentLength",
                               "deliveryId", "statusCode"}
    assert [r["statusCode"] for r in records[1:5]] == [302, -1, 503, 400]  # oldest first within a type
    assert set(records[5]) == {"type", "date", "publishId", "requestURI", "method", "contentType", "contentLength",
                               "expiryReason", "attempts"}
    assert records[5] == {**records[5], "expiryReason": "retriesExhausted", "attempts": 4}


def test_sublog_has_no_publish_records(dr: DR, logged: tuple[int, int]) -> None:
    _, sid = logged
    records = _get(dr, f"sublog/{sid}").json()
    assert [r["type"] for r in records] == ["del", "del", "del", "del", "exp", "exp"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("type=pub", [("pub", 204)]),
        ("type=exp", [("exp", None), ("exp", None)]),
        ("publishId=5", [("del", 302), ("del", -1), ("exp", None)]),
        ("statusCode=204", [("pub", 204)]),
        ("statusCode=-1", [("del", -1)]),
        ("statusCode=Success", [("pub", 204)]),
        ("statusCode=redirect", [("del", 302)]),
        ("statusCode=FAILURE", [("del", 503), ("del", 400)]),
        ("expiryReason=notRetryable", [("exp", None)]),
        ("type=del&statusCode=Failure", [("del", 503), ("del", 400)]),
    ],
)
def test_filters(dr: DR, logged: tuple[int, int], query: str, expected: list[tuple[str, int | None]]) -> None:
    fid, _ = logged
    records = _get(dr, f"feedlog/{fid}?{query}").json()
    assert [(r["type"], r.get("statusCode")) for r in records] == expected


def test_default_window_is_24_hours_and_start_end(dr: DR, logged: tuple[int, int]) -> None:
    fid, _ = logged
    assert len(_get(dr, f"feedlog/{fid}?type=pub").json()) == 1
    start = (timezone.now() - datetime.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    records = _get(dr, f"feedlog/{fid}?type=pub&start={start}").json()
    assert [r["publishId"] for r in records] == ["1", "7"]
    end = (timezone.now() - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S+00:00").replace("+", "%2B")
    records = _get(dr, f"feedlog/{fid}?start={start}&end={end}").json()
    assert [r["publishId"] for r in records] == ["1"]


@pytest.mark.parametrize(
    "query",
    ["color=red", "type=put", "statusCode=abc", "statusCode=1000", "start=yesterday", "end=2024-01-02T03:04:05",
     "expiryReason=tired", "type=pub&type=del", "publishId=abc", "publishId=-5", "publishId=%C2%B2"],
)
def test_unknown_parameters_and_bad_values_are_400(dr: DR, logged: tuple[int, int], query: str) -> None:
    fid, sid = logged
    for path in (f"feedlog/{fid}", f"sublog/{sid}"):
        response = _get(dr, f"{path}?{query}")
        assert response.status_code == 400, (path, query)
        assert set(response.json()) == {"error"}


def test_unknown_feed_or_subscription_is_404(dr: DR) -> None:
    assert _get(dr, "feedlog/999").status_code == 404
    assert _get(dr, "sublog/999").status_code == 404


@pytest.mark.parametrize(
    ("accept", "status"),
    [(None, 200), ("*/*", 200), (LOG_LIST, 200), ("application/*", 200),
     ("application/json", 406), ("text/html", 406), (f"{LOG_LIST};q=0", 406)],
)
def test_accept(dr: DR, logged: tuple[int, int], accept: str | None, status: int) -> None:
    fid, _ = logged
    assert _get(dr, f"feedlog/{fid}", accept).status_code == status


def test_bad_publish_id_is_400(dr: DR, logged: tuple[int, int]) -> None:
    fid, _ = logged
    response = _get(dr, f"feedlog/{fid}?publishId=abc")
    assert (response.status_code, response.json()) == (400, {"error": 'publishId: "abc" is not a publish id (digits)'})


def test_every_bad_filter_is_reported_at_once(dr: DR, logged: tuple[int, int]) -> None:
    fid, _ = logged
    response = _get(dr, f"feedlog/{fid}?type=x&publishId=abc&statusCode=zz&start=soon&color=red")
    assert response.status_code == 400
    assert response.json() == {"error": "; ".join([
        "color: Unknown parameter",
        'type: "x" is not one of: pub, del, exp',
        'publishId: "abc" is not a publish id (digits)',
        'statusCode: "zz" is not an HTTP status code, -1, Success, Redirect or Failure',
        'start: "soon" is not an RFC 3339 date-time (e.g. 2024-01-02T03:04:05Z)',
    ])}
