"""Paging lists end to end: ``start``/``max-results``, totals, links, query cost."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, override_settings

from tests.testapp.models import Row
from webapi_kit.pagination import PageRequest, paginate, parse_page_request

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.testapp.bulk_urls")]

BASE = "http://testserver/bulk/rows/"


def rows(count: int) -> None:
    Row.objects.bulk_create([Row(n=i) for i in range(count)], batch_size=5000)


def get(client: Client, query: str = "") -> Any:
    response = client.get("/bulk/rows/" + (f"?{query}" if query else ""))
    assert response.status_code == 200, response.content
    return response.json()


def test_default_page(client: Client) -> None:
    rows(60)
    data = get(client)
    assert data["total_results"] == 60
    assert [row["n"] for row in data["rows"]] == list(range(25))
    assert data["links"]["next"] == {"method": "GET", "href": BASE + "?start=25&max-results=25"}
    assert "prev" not in data["links"]


def test_middle_and_last_page(client: Client) -> None:
    rows(60)
    middle = get(client, "start=25")
    assert [row["n"] for row in middle["rows"]] == list(range(25, 50))
    assert middle["links"]["prev"]["href"] == BASE + "?start=0&max-results=25"
    assert middle["links"]["next"]["href"] == BASE + "?start=50&max-results=25"
    last = get(client, "start=50")
    assert [row["n"] for row in last["rows"]] == list(range(50, 60))
    assert last["total_results"] == 60
    assert "next" not in last["links"]


def test_links_keep_other_query_parameters(client: Client) -> None:
    rows(30)
    data = get(client, "only-fields=n&max-results=10&tag=a&tag=b%20c&start=10")
    tail = "&only-fields=n&tag=a&tag=b+c"
    assert data["links"]["next"]["href"] == BASE + "?start=20&max-results=10" + tail
    assert data["links"]["prev"]["href"] == BASE + "?start=0&max-results=10" + tail
    assert data["links"]["self"]["href"] == BASE + "?only-fields=n&max-results=10&tag=a&tag=b%20c&start=10"
    assert data["rows"][0] == {"n": 10, "links": {"self": {"method": "GET", "href": BASE + f"{Row.objects.get(n=10).pk}/"}}}


def test_past_the_end(client: Client) -> None:
    rows(5)
    data = get(client, "start=100")
    assert (data["rows"], data["total_results"]) == ([], 5)
    assert data["links"]["prev"]["href"] == BASE + "?start=75&max-results=25"
    assert "next" not in data["links"]


def test_empty_list(client: Client) -> None:
    data = get(client)
    assert (data["rows"], data["total_results"]) == ([], 0)
    assert set(data["links"]) == {"self"}


def test_max_results_is_capped(client: Client) -> None:
    rows(250)
    data = get(client, "max-results=1000")
    assert len(data["rows"]) == 200
    assert data["links"]["next"]["href"] == BASE + "?start=200&max-results=200"


def test_max_results_zero_gives_only_the_total(client: Client) -> None:
    rows(7)
    data = get(client, "max-results=0")
    assert (data["rows"], data["total_results"]) == ([], 7)


@override_settings(WEBAPI_KIT={"MAX_RESULTS_DEFAULT": 10, "MAX_RESULTS_CAP": 15})
def test_default_and_cap_are_settings(client: Client) -> None:
    rows(40)
    assert len(get(client)["rows"]) == 10
    assert len(get(client, "max-results=30")["rows"]) == 15


@pytest.mark.parametrize(
    ("query", "fields"),
    [
        ("start=-1", {"start": ['"-1" must be at least 0']}),
        ("start=abc&max-results=x", {"start": ['"abc" is not an integer'], "max-results": ['"x" is not an integer']}),
        ("start=1_0", {"start": ['"1_0" is not an integer']}),
        ("start=%201", {"start": ['" 1" is not an integer']}),
        ("start=" + "9" * 19, {"start": [f'"{"9" * 19}" must be at most {2**62}']}),
        ("start=" + "9" * 5000, {"start": [f'"{"9" * 78}… is not an integer']}),
    ],
)
def test_bad_paging_parameters(client: Client, query: str, fields: dict[str, list[str]]) -> None:
    response = client.get("/bulk/rows/?" + query)
    assert response.status_code == 400
    assert response.json() == {
        "stat": "fail",
        "err": {"code": 105, "msg": "One or more fields had errors", "type": "request-field-error"},
        "fields": fields,
    }


def test_100_000_rows_page_in_constant_queries(client: Client, django_assert_num_queries: Any) -> None:
    rows(100_000)
    first_pk = Row.objects.values_list("pk", flat=True).first()
    assert first_pk is not None
    # A full page: its LIMIT/OFFSET query and one COUNT, wherever it is.
    for start in (0, 50_000, 99_975):
        with django_assert_num_queries(2):
            data = get(client, f"start={start}")
        assert data["total_results"] == 100_000
        assert [row["n"] for row in data["rows"]] == list(range(start, start + 25))
    # A short last page knows the total without counting.
    with django_assert_num_queries(1):
        data = get(client, "start=99990&max-results=200")
    assert (len(data["rows"]), data["total_results"]) == (10, 100_000)


def test_parse_page_request_reads_settings() -> None:
    assert parse_page_request({}) == PageRequest(0, 25)
    with override_settings(WEBAPI_KIT={"MAX_RESULTS_DEFAULT": 3}):
        assert parse_page_request({"start": "4"}) == PageRequest(4, 3)


def test_paginate_a_sequence() -> None:
    page = paginate(list(range(30)), PageRequest(start=25, max_results=10))
    assert (list(page.items), page.total_results) == ([25, 26, 27, 28, 29], 30)
    assert page.links("http://x/", {"q": "1"}) == {"prev": {"method": "GET", "href": "http://x/?start=15&max-results=10&q=1"}}
