"""Publishing: credentials, addresses, metadata, storage, publish ids."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.hashers import make_password

from datarouter import passwords
from datarouter.models import Delivery, Feed, LogRecord, Publication

from .conftest import DR, FEED_TYPE, basic, feed_body, feed_id

pytestmark = pytest.mark.django_db


def _feed(dr: DR, addrs: list[str] | None = None, **changes: Any) -> int:
    body = feed_body(**changes)
    body["authorization"]["endpoint_addrs"] = addrs or []
    body["authorization"]["endpoint_ids"].append({"id": "second", "password": "pw2"})
    return feed_id(dr.feed(body))


def _stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT) / "datarouter"
    return sorted(root.iterdir()) if root.exists() else []


def test_publish_answers_204_with_increasing_publish_ids(dr: DR) -> None:
    fid = _feed(dr)
    first = dr.publish(fid, "sampleFile", b"one", **{"X-ATT-DR-META": '{"filetype":"txt"}'})
    assert first.status_code == 204
    assert first.content == b""
    second = dr.publish(fid, "other", b"two", auth=basic("second", "pw2"))
    assert second.status_code == 204
    assert int(second["X-ATT-DR-PUBLISH-ID"]) > int(first["X-ATT-DR-PUBLISH-ID"])
    publication = Publication.objects.get(pk=first["X-ATT-DR-PUBLISH-ID"])
    assert (publication.file_id, publication.method, publication.content_length) == ("sampleFile", "PUT", 3)
    assert publication.meta == '{"filetype":"txt"}'
    assert publication.endpoint_id == "user"


def test_feed_without_subscriptions_keeps_no_file(dr: DR) -> None:
    fid = _feed(dr)
    assert dr.publish(fid, "f", b"data").status_code == 204
    assert _stored_files() == []
    assert Publication.objects.get().storage_name == ""


def test_file_is_stored_for_each_subscription(dr: DR) -> None:
    fid = _feed(dr)
    dr.sub(fid)
    dr.sub(fid, user="bob")
    response = dr.publish(fid, "f", b"x" * 200_000)
    assert response.status_code == 204
    [stored] = _stored_files()
    assert stored.read_bytes() == b"x" * 200_000
    assert Delivery.objects.filter(status=Delivery.PENDING).count() == 2


def test_pub_log_record(dr: DR) -> None:
    fid = _feed(dr)
    response = dr.publish(fid, "sampleFile", b"abc", content_type="text/plain")
    record = LogRecord.objects.get()
    assert (record.type, record.publish_id, record.method, record.content_type, record.content_length) == (
        "pub", response["X-ATT-DR-PUBLISH-ID"], "PUT", "text/plain", 3
    )
    assert record.request_uri == f"http://testserver/datarouter/publish/{fid}/sampleFile"
    assert (record.source_ip, record.endpoint_id, record.status_code) == ("127.0.0.1", "user", 204)


def test_delete_publishes_a_deletion(dr: DR) -> None:
    fid = _feed(dr)
    dr.sub(fid)
    response = dr.publish(fid, "sampleFile", b"", method="DELETE")
    assert response.status_code == 204
    publication = Publication.objects.get()
    assert (publication.method, publication.storage_name, publication.content_length) == ("DELETE", "", 0)
    assert Delivery.objects.count() == 1


def test_no_credentials_is_401(dr: DR) -> None:
    fid = _feed(dr)
    response = dr.publish(fid, "f", auth="")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Basic")
    assert set(response.json()) == {"error"}
    assert dr.publish(fid, "f", auth="Bearer abc").status_code == 401
    assert dr.publish(fid, "f", auth="Basic !!!").status_code == 401


@pytest.mark.parametrize("auth", [basic("user", "wrong"), basic("nobody", "password"), basic("second", "password")])
def test_wrong_credentials_are_403(dr: DR, auth: str) -> None:
    fid = _feed(dr)
    response = dr.publish(fid, "f", auth=auth)
    assert response.status_code == 403
    assert response.json() == {"error": "The credentials are not those of an endpoint id of this feed"}
    assert not Publication.objects.exists()


@pytest.mark.parametrize(
    ("addrs", "source", "status"),
    [
        (["172.18.0.3", "192.167.3.42"], "172.18.0.3", 204),
        (["172.18.0.3", "192.167.3.42"], "172.18.0.4", 403),
        (["10.0.0.0/8"], "10.200.1.1", 204),
        (["10.0.0.0/8"], "11.0.0.1", 403),
        (["2001:db8::/32"], "2001:db8::17", 204),
        (["2001:db8::/32"], "2001:db9::1", 403),
        (["::1"], "::1", 204),
        (["::1"], "127.0.0.1", 403),
        (["127.0.0.1"], "::ffff:127.0.0.1", 204),
    ],
)
def test_endpoint_addresses(dr: DR, addrs: list[str], source: str, status: int) -> None:
    fid = _feed(dr, addrs)
    assert dr.publish(fid, "f", remote_addr=source).status_code == status


def test_suspended_feed_is_403(dr: DR) -> None:
    fid = _feed(dr, suspend=True)
    response = dr.publish(fid, "f")
    assert response.status_code == 403
    assert response.json() == {"error": f"Feed {fid} is suspended"}


def test_deleted_feed_is_403(dr: DR) -> None:
    fid = _feed(dr)
    assert dr.request("DELETE", f"feed/{fid}").status_code == 204
    response = dr.publish(fid, "f")
    assert response.status_code == 403
    assert response.json() == {"error": f"Feed {fid} has been deleted"}


def test_unknown_feed_or_missing_file_id_is_404(dr: DR) -> None:
    fid = _feed(dr)
    assert dr.publish(999, "f").status_code == 404
    assert dr.client.put(f"/datarouter/publish/{fid}", b"x", headers={"Authorization": basic()}).status_code == 404
    assert dr.client.put(f"/datarouter/publish/{fid}/", b"x", headers={"Authorization": basic()}).status_code == 404


def test_other_methods_are_405(dr: DR) -> None:
    fid = _feed(dr)
    response = dr.publish(fid, "f", method="POST")
    assert response.status_code == 405
    assert response["Allow"] == "PUT, DELETE, OPTIONS"


@pytest.mark.parametrize(
    "meta",
    [
        '{"compressionType":"gzip","id": 1234, "transferred":true, "size":null}',
        "{}",
        '{"x": -1.5e3, "y": false}',
    ],
)
def test_valid_metadata(dr: DR, meta: str) -> None:
    assert dr.publish(_feed(dr), "f", **{"X-ATT-DR-META": meta}).status_code == 204


@pytest.mark.parametrize(
    "meta",
    ['{"nested": {"a": 1}}', '{"list": [1]}', "[1]", '"text"', "{oops", '{"a": NaN}',
     json.dumps({"k": "v" * 4100})],
)
def test_bad_metadata_is_400(dr: DR, meta: str) -> None:
    response = dr.publish(_feed(dr), "f", **{"X-ATT-DR-META": meta})
    assert response.status_code == 400
    assert "X-ATT-DR-META" in response.json()["error"]


@pytest.mark.parametrize(
    ("header", "value", "message"),
    [
        # Bytes that are not UTF-8 (a Latin-1 é), as a WSGI server hands them over.
        ("X-ATT-DR-META", '{"a": "caf\xe9"}', "X-ATT-DR-META is not UTF-8 text"),
        ("X-ATT-DR-META", '{"a":\n1}', "X-ATT-DR-META must not contain control characters or line breaks"),
        ("X-ATT-DR-META", '{"a": "\x01"}', "X-ATT-DR-META must not contain control characters or line breaks"),
    ],
)
def test_metadata_a_delivery_could_not_send_is_400_and_nothing_is_stored(
    dr: DR, header: str, value: str, message: str
) -> None:
    fid = _feed(dr)
    dr.sub(fid)
    response = dr.publish(fid, "f", **{header: value})
    assert (response.status_code, response.json()) == (400, {"error": message})
    assert not Publication.objects.exists()
    assert not Delivery.objects.exists()
    assert _stored_files() == []


@pytest.mark.parametrize(
    ("content_type", "message"),
    [
        ("text/plain; title=caf\xe9", "Content-Type is not UTF-8 text"),
        ("text/plain; a=\x7f", "Content-Type must not contain control characters or line breaks"),
    ],
)
def test_a_content_type_a_delivery_could_not_send_is_400(dr: DR, content_type: str, message: str) -> None:
    fid = _feed(dr)
    dr.sub(fid)
    response = dr.publish(fid, "f", content_type=content_type)
    assert (response.status_code, response.json()) == (400, {"error": message})
    assert not Publication.objects.exists()
    assert _stored_files() == []


def test_spaces_around_header_values_are_not_part_of_them(dr: DR) -> None:
    fid = _feed(dr)
    assert dr.publish(fid, "f", content_type=" text/plain ", **{"X-ATT-DR-META": ' {"a": 1}\t'}).status_code == 204
    publication = Publication.objects.get()
    assert (publication.meta, publication.content_type) == ('{"a": 1}', "text/plain")


def test_dmaap_meta_header_is_accepted(dr: DR) -> None:
    fid = _feed(dr)
    assert dr.publish(fid, "f", **{"X-DMAAP-DR-META": '{"a": 1}'}).status_code == 204
    assert Publication.objects.get().meta == '{"a": 1}'


def test_metadata_of_exactly_4096_characters_is_accepted(dr: DR) -> None:
    meta = json.dumps({"k": "v" * (4096 - 9)})
    assert len(meta) == 4096
    assert dr.publish(_feed(dr), "f", **{"X-ATT-DR-META": meta}).status_code == 204


def test_publish_after_update_uses_new_credentials(dr: DR) -> None:
    fid = _feed(dr)
    body = feed_body()
    body["authorization"]["endpoint_ids"] = [{"id": "user", "password": "changed"}]
    assert dr.request("PUT", f"feed/{fid}", body, content_type=FEED_TYPE).status_code == 200
    assert dr.publish(fid, "f").status_code == 403
    assert dr.publish(fid, "f", auth=basic("user", "changed")).status_code == 204


def test_a_file_over_the_size_limit_is_413_and_leaves_nothing(dr: DR, monkeypatch: pytest.MonkeyPatch) -> None:
    fid = _feed(dr)
    monkeypatch.setenv("DATAROUTER_MAX_FILE_SIZE", "10")
    response = dr.publish(fid, "big", b"x" * 11)
    assert response.status_code == 413
    assert response.json() == {"error": "The request body is larger than the limit of 10 bytes"}
    assert not Publication.objects.exists()
    assert dr.publish(fid, "small", b"x" * 10).status_code == 204


REFUSED = {"error": "The credentials are not those of an endpoint id of this feed"}


def test_unknown_id_and_wrong_password_cost_one_hash_and_answer_alike(
    dr: DR, monkeypatch: pytest.MonkeyPatch
) -> None:
    fid = _feed(dr)
    checks: list[str] = []
    original = passwords.EndpointPasswordHasher.verify

    def counted(self: passwords.EndpointPasswordHasher, password: str, encoded: str) -> bool:
        checks.append(password)
        return original(self, password, encoded)

    monkeypatch.setattr(passwords.EndpointPasswordHasher, "verify", counted)
    unknown = dr.publish(fid, "f", auth=basic("nobody", "guess"))
    assert checks == ["guess"]  # a dummy hash is checked: the time does not tell the id is unknown
    wrong = dr.publish(fid, "f", auth=basic("user", "guess"))
    assert checks == ["guess", "guess"]
    assert (unknown.status_code, unknown.json()) == (wrong.status_code, wrong.json()) == (403, REFUSED)


def test_a_publish_is_cheap(dr: DR) -> None:
    fid = _feed(dr)
    dr.publish(fid, "warm-up")
    timings = []
    for index in range(5):
        started = time.perf_counter()
        assert dr.publish(fid, f"f{index}").status_code == 204
        timings.append(time.perf_counter() - started)
    # Django's default PBKDF2 alone takes 300-1000 ms; the endpoint hasher a few.
    assert sorted(timings)[2] < 0.1, timings


def test_hashes_made_by_djangos_hasher_still_verify_and_are_upgraded(dr: DR, settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    fid = _feed(dr)
    legacy = make_password("password")
    Feed.objects.filter(pk=fid).update(endpoint_ids=[{"id": "user", "password": legacy}])
    assert dr.publish(fid, "f", auth=basic("user", "wrong")).status_code == 403
    assert Feed.objects.get(pk=fid).endpoint_ids == [{"id": "user", "password": legacy}]
    assert dr.publish(fid, "f").status_code == 204
    [entry] = Feed.objects.get(pk=fid).endpoint_ids
    assert passwords.is_current(entry["password"])
    assert dr.publish(fid, "g").status_code == 204


def test_failed_logins_per_feed_and_address_are_limited(dr: DR, settings: Any) -> None:
    settings.DATAROUTER_LOGIN_FAILURES = 3
    settings.DATAROUTER_LOGIN_WINDOW = 900
    fid = _feed(dr)
    other = feed_id(dr.feed(feed_body(version="v2")))
    for _ in range(3):
        assert dr.publish(fid, "f", auth=basic("user", "guess"), remote_addr="10.0.0.1").status_code == 403
    # Past the limit even the right password is refused, so guessing on tells nothing.
    for auth in (basic("user", "guess"), basic()):
        refused = dr.publish(fid, "f", auth=auth, remote_addr="10.0.0.1")
        assert refused.status_code == 429
        assert refused.json() == {"error": "Too many failed publish logins; try again later"}
        assert 1 <= int(refused["Retry-After"]) <= 900
    assert dr.publish(fid, "f", remote_addr="10.0.0.2").status_code == 204
    assert dr.publish(other, "f", remote_addr="10.0.0.1").status_code == 204
