"""Tests for webapi_kit.parsers: bodies by Content-Type, for every method."""

from __future__ import annotations

import io
import json
import time
from typing import Any

import pytest
from django.http import HttpRequest
from django.test import RequestFactory, override_settings

from webapi_kit.errors import FieldError, MalformedRequest, RequestTooLarge, UnsupportedMediaType
from webapi_kit.parsers import (
    BodyStream,
    FormParser,
    JSONParser,
    MultiPartParser,
    ParsedBody,
    RawParser,
    StreamParser,
    decode_json,
    method_override,
    parse_body,
)

rf = RequestFactory()

FIELD_PARSERS = [JSONParser(), FormParser(), MultiPartParser()]

PNG = b"\x89PNG\r\n\x1a\nfakepng"  # 15 bytes, as in djblets capture 54

MULTIPART = (
    b"--BoUnDaRyStRiNg\r\n"
    b'Content-Disposition: form-data; name="bio"\r\n'
    b"\r\n"
    b"Updated via multipart PUT\r\n"
    b"--BoUnDaRyStRiNg\r\n"
    b'Content-Disposition: form-data; name="photo"; filename="photo.png"\r\n'
    b"Content-Type: image/png\r\n"
    b"\r\n" + PNG + b"\r\n"
    b"--BoUnDaRyStRiNg--\r\n"
)
MULTIPART_TYPE = "multipart/form-data; boundary=BoUnDaRyStRiNg"


def request(method: str, body: bytes, content_type: str, **extra: Any) -> HttpRequest:
    return rf.generic(method, "/api/authors/4/", data=body, content_type=content_type, **extra)


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


# --- multipart -------------------------------------------------------------


@pytest.mark.parametrize("method", ["POST", "PUT"])
def test_multipart_fields_and_file_for_post_and_put(method: str) -> None:
    body = parse_body(request(method, MULTIPART, MULTIPART_TYPE), FIELD_PARSERS)
    try:
        assert body.media_type == "multipart/form-data"
        assert body.data == {"bio": "Updated via multipart PUT"}
        assert list(body.files) == ["photo"]
        photo = body.files["photo"]
        assert photo.name == "photo.png"
        assert photo.size == 15
        assert photo.content_type == "image/png"
        assert photo.read() == PNG
        assert body.raw is None
    finally:
        body.close()


def test_multipart_repeated_field_keeps_every_value_in_form() -> None:
    payload = (
        b'--b\r\nContent-Disposition: form-data; name="tag"\r\n\r\none\r\n'
        b'--b\r\nContent-Disposition: form-data; name="tag"\r\n\r\ntwo\r\n--b--\r\n'
    )
    body = parse_body(request("PUT", payload, "multipart/form-data; boundary=b"), FIELD_PARSERS)
    assert body.data == {"tag": "two"}
    assert body.form is not None
    assert body.form.getlist("tag") == ["one", "two"]


def test_multipart_quoted_boundary_with_special_characters() -> None:
    boundary = 'a"b\\c d'
    payload = (
        b"--" + boundary.encode() + b'\r\nContent-Disposition: form-data; name="x"\r\n\r\n1\r\n'
        b"--" + boundary.encode() + b"--\r\n"
    )
    quoted = boundary.replace("\\", "\\\\").replace('"', '\\"')
    body = parse_body(request("PUT", payload, f'multipart/form-data; boundary="{quoted}"'), FIELD_PARSERS)
    assert body.data == {"x": "1"}


def test_multipart_content_type_is_case_insensitive() -> None:
    body = parse_body(request("PUT", MULTIPART, "Multipart/Form-Data; boundary=BoUnDaRyStRiNg"), FIELD_PARSERS)
    assert body.media_type == "multipart/form-data"
    assert body.data == {"bio": "Updated via multipart PUT"}


@override_settings(FILE_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_multipart_large_file_goes_to_a_temporary_file() -> None:
    content = bytes(range(256)) * 20  # 5120 bytes, over the 1000-byte memory limit
    payload = (
        b'--b\r\nContent-Disposition: form-data; name="data"; filename="blob.bin"\r\n'
        b"Content-Type: application/octet-stream\r\n\r\n" + content + b"\r\n--b--\r\n"
    )
    body = parse_body(request("PUT", payload, "multipart/form-data; boundary=b"), FIELD_PARSERS)
    try:
        upload = body.files["data"]
        assert type(upload).__name__ == "TemporaryUploadedFile"
        assert upload.size == 5120
        assert upload.read() == content
    finally:
        body.close()


@pytest.mark.parametrize("cut", [len(MULTIPART) - 3, len(MULTIPART) - 30, 60, 20])
def test_truncated_multipart_is_malformed(cut: int) -> None:
    with pytest.raises(MalformedRequest) as info:
        parse_body(request("PUT", MULTIPART[:cut], MULTIPART_TYPE), FIELD_PARSERS)
    assert info.value.msg == "The multipart body is truncated: its closing boundary is missing"
    assert info.value.status == 400


@pytest.mark.parametrize("content_type", ["multipart/form-data", "multipart/form-data; boundary="])
def test_multipart_without_boundary_is_malformed(content_type: str) -> None:
    with pytest.raises(MalformedRequest) as info:
        parse_body(request("POST", MULTIPART, content_type), FIELD_PARSERS)
    assert info.value.msg == "The multipart body has no valid boundary in its Content-Type"


@override_settings(DATA_UPLOAD_MAX_NUMBER_FIELDS=2)
def test_multipart_with_too_many_fields_is_too_large() -> None:
    part = b'--b\r\nContent-Disposition: form-data; name="f"\r\n\r\nx\r\n'
    with pytest.raises(RequestTooLarge) as info:
        parse_body(request("POST", part * 5 + b"--b--\r\n", "multipart/form-data; boundary=b"), FIELD_PARSERS)
    assert info.value.msg == "The request has more than 2 fields"


# --- urlencoded ------------------------------------------------------------


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_urlencoded_body_for_any_method(method: str) -> None:
    body = parse_body(
        request(method, b"birth_year=1968&name=Ted+Chiang&name=T.+Chiang&empty=", "application/x-www-form-urlencoded"),
        FIELD_PARSERS,
    )
    assert body.media_type == "application/x-www-form-urlencoded"
    assert body.data == {"birth_year": "1968", "name": "T. Chiang", "empty": ""}
    assert body.form is not None
    assert body.form.getlist("name") == ["Ted Chiang", "T. Chiang"]
    assert body.files == {}


def test_urlencoded_decodes_percent_escaped_utf8() -> None:
    body = parse_body(request("PUT", b"name=J%C3%B6rg", "application/x-www-form-urlencoded"), FIELD_PARSERS)
    assert body.data == {"name": "Jörg"}


def test_urlencoded_honours_charset() -> None:
    body = parse_body(
        request("PUT", b"name=J%F6rg", "application/x-www-form-urlencoded; charset=iso-8859-1"), FIELD_PARSERS
    )
    assert body.data == {"name": "Jörg"}


def test_urlencoded_raw_bytes_use_the_charset() -> None:
    body = parse_body(
        request("PUT", b"name=J\xf6rg", "application/x-www-form-urlencoded; charset=iso-8859-1"), FIELD_PARSERS
    )
    assert body.data == {"name": "Jörg"}


@pytest.mark.parametrize("payload", [b"name=J%F6rg", b"name=J\xf6rg"])
def test_urlencoded_invalid_utf8_is_malformed(payload: bytes) -> None:
    with pytest.raises(MalformedRequest) as info:
        parse_body(request("PUT", payload, "application/x-www-form-urlencoded; charset=utf-8"), FIELD_PARSERS)
    assert info.value.msg.startswith("The form body is not valid ")


@pytest.mark.parametrize("charset", ["rot13", "base64", "hex", "zlib"])
def test_a_codec_that_is_not_a_text_encoding_is_unsupported(charset: str) -> None:
    for payload, content_type in ((b"a=1", "application/x-www-form-urlencoded"), (MULTIPART, MULTIPART_TYPE)):
        with pytest.raises(UnsupportedMediaType) as info:
            parse_body(request("PUT", payload, f"{content_type}; charset={charset}"), FIELD_PARSERS)
        assert info.value.msg == f'Unsupported charset "{charset}": not a text encoding'


def test_unknown_charset_is_unsupported() -> None:
    with pytest.raises(UnsupportedMediaType) as info:
        parse_body(request("PUT", b"a=1", "application/x-www-form-urlencoded; charset=klingon"), FIELD_PARSERS)
    assert info.value.msg == 'Unsupported charset "klingon"'


def test_body_is_cut_at_a_declared_length_shorter_than_the_stream() -> None:
    # The WSGI layer never reads past Content-Length.
    body = parse_body(
        request("PUT", b"a=1&b=2", "application/x-www-form-urlencoded", CONTENT_LENGTH="3"), FIELD_PARSERS
    )
    assert body.data == {"a": "1"}


# --- JSON ------------------------------------------------------------------


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json",
        "application/json; charset=utf-8",
        "APPLICATION/JSON",
        "application/vnd.example.org.author+json",
        "application/merge-patch+json",
    ],
)
def test_json_object(content_type: str) -> None:
    payload = json.dumps({"name": "JSON Body", "birth_year": 1967, "tags": ["a"], "x": None}).encode()
    body = parse_body(request("POST", payload, content_type), FIELD_PARSERS)
    assert body.media_type == content_type.split(";")[0].lower()
    assert body.data == {"name": "JSON Body", "birth_year": 1967, "tags": ["a"], "x": None}
    assert body.json == body.data
    assert body.files == {}


def test_json_duplicate_keys_last_wins_and_huge_numbers_are_kept() -> None:
    body = parse_body(request("PUT", b'{"a": 1, "a": 2, "big": 123456789012345678901234567890}', "application/json"), FIELD_PARSERS)
    assert body.data == {"a": 2, "big": 123456789012345678901234567890}


def test_json_accepts_a_utf8_bom() -> None:
    body = parse_body(request("PUT", b'\xef\xbb\xbf{"a": "\xc3\xa9"}', "application/json"), FIELD_PARSERS)
    assert body.data == {"a": "é"}


@pytest.mark.parametrize("payload", [b"[1, 2]", b'"text"', b"3", b"null"])
def test_json_non_object_is_refused_by_default(payload: bytes) -> None:
    with pytest.raises(MalformedRequest) as info:
        parse_body(request("POST", payload, "application/json"), FIELD_PARSERS)
    assert info.value.msg == "The JSON body must be an object"


def test_json_non_object_allowed_when_asked() -> None:
    body = parse_body(request("POST", b"[1, 2]", "application/json"), [JSONParser(require_object=False)])
    assert body.json == [1, 2]
    assert body.data == {}


LONE_SURROGATE = "The request body is not valid JSON: a string holds a lone surrogate (\\u%s), which is not Unicode text"


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b'{"a": ', "The request body is not valid JSON: Expecting value: line 1 column 7 (char 6)"),
        (b"{'a': 1}", "The request body is not valid JSON: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"),
        (b'{"a": NaN}', "The request body is not valid JSON: NaN is not a valid JSON value"),
        (b'{"a": -Infinity}', "The request body is not valid JSON: -Infinity is not a valid JSON value"),
        (b'{"a": 1e400}', "The request body is not valid JSON: the number 1e400 is out of range"),
        (b'{"a": "\xff"}', "The request body is not valid JSON: it is not UTF-8 (invalid start byte at byte 7)"),
        (b'{"a": "\xc3"}', "The request body is not valid JSON: it is not UTF-8 (invalid continuation byte at byte 7)"),
        # The offset counts the byte order mark, as a hex dump of the body would.
        (b'\xef\xbb\xbf{"a": "\xff"}', "The request body is not valid JSON: it is not UTF-8 (invalid start byte at byte 10)"),
        (b'\xef\xbb\xbf\xef\xbb\xbf{}', "The request body is not valid JSON: Expecting value: line 1 column 1 (char 0)"),
        # Lone surrogates, in a value, a key or deep in a list: valid JSON, but no UTF-8 can hold them.
        (b'{"a": "x\\ud800"}', LONE_SURROGATE % "d800"),
        (b'{"\\uDFFF": 1}', LONE_SURROGATE % "dfff"),
        (b'{"a": [1, {"b": ["\\udc00\\ud83d"]}]}', LONE_SURROGATE % "dc00"),
    ],
)
def test_bad_json_is_malformed(payload: bytes, message: str) -> None:
    with pytest.raises(MalformedRequest) as info:
        parse_body(request("POST", payload, "application/json"), FIELD_PARSERS)
    assert info.value.msg == message
    assert info.value.status == 400


def test_paired_surrogates_and_escaped_backslashes_are_text() -> None:
    # A pair is one character; "\\\\ud800" is a backslash followed by letters.
    assert decode_json(b'{"a": "\\ud83d\\ude00", "b": "\\\\ud800"}') == {"a": "\U0001f600", "b": "\\ud800"}


def test_json_bomb_100000_deep_is_refused_quickly() -> None:
    started = time.monotonic()
    with pytest.raises(MalformedRequest) as info:
        parse_body(request("POST", b"[" * 100000, "application/json"), [JSONParser(require_object=False)])
    assert info.value.msg == "JSON nested too deeply (the limit is 32 levels)"
    with pytest.raises(MalformedRequest):
        parse_body(request("POST", nested(100000), "application/json"), [JSONParser(require_object=False)])
    assert time.monotonic() - started < 2


def test_json_depth_limit_is_exact() -> None:
    parsers = [JSONParser(require_object=False)]
    body = parse_body(request("POST", nested(32), "application/json"), parsers)
    value = body.json
    for _ in range(31):
        value = value[0]
    assert value == []
    with pytest.raises(MalformedRequest) as info:
        parse_body(request("POST", nested(33), "application/json"), parsers)
    assert info.value.msg == "JSON nested too deeply (the limit is 32 levels)"


def test_json_depth_counts_objects_and_follows_the_setting() -> None:
    deep_object = b'{"a": ' * 5 + b"1" + b"}" * 5
    with override_settings(WEBAPI_KIT={"MAX_JSON_DEPTH": 4}):
        with pytest.raises(MalformedRequest) as info:
            parse_body(request("POST", deep_object, "application/json"), FIELD_PARSERS)
        assert info.value.msg == "JSON nested too deeply (the limit is 4 levels)"
    with override_settings(WEBAPI_KIT={"MAX_JSON_DEPTH": 5}):
        body = parse_body(request("POST", deep_object, "application/json"), FIELD_PARSERS)
        assert body.data == {"a": {"a": {"a": {"a": {"a": 1}}}}}


def test_depth_between_the_limit_and_the_recursion_limit() -> None:
    # Deep enough to pass json.loads, caught by the post-check.
    with pytest.raises(ValueError, match="nested too deeply"):
        decode_json(nested(500))


# --- raw -------------------------------------------------------------------


def test_raw_body_is_kept_in_memory_below_the_limit() -> None:
    body = parse_body(request("PUT", b"\x00\x01binary", "image/png"), [RawParser()])
    assert body.media_type == "image/png"
    assert body.raw is not None
    assert body.raw.read() == b"\x00\x01binary"
    assert body.raw._rolled is False  # type: ignore[attr-defined]
    assert body.data == {}
    body.close()


def test_raw_body_over_the_memory_limit_is_spooled_to_disk() -> None:
    from webapi_kit.conf import api_settings

    payload = bytes(range(256)) * (api_settings.RAW_BODY_MEMORY_LIMIT // 256) + b"tail!"
    assert len(payload) == api_settings.RAW_BODY_MEMORY_LIMIT + 5
    body = parse_body(request("PUT", payload, "application/octet-stream"), [RawParser()])
    try:
        assert body.raw is not None
        assert body.raw._rolled is True  # type: ignore[attr-defined]
        assert body.raw.tell() == 0
        assert body.raw.read() == payload
    finally:
        body.close()


def test_raw_parser_can_be_narrowed() -> None:
    with pytest.raises(UnsupportedMediaType) as info:
        parse_body(request("PUT", b"x", "text/plain"), [RawParser(["image/png", "Image/JPEG"])])
    assert info.value.msg == 'Unsupported Content-Type "text/plain"; this resource accepts: image/jpeg, image/png'


def test_raw_body_without_content_type_is_octet_stream() -> None:
    req = request("PUT", b"abc", "")
    req.META.pop("CONTENT_TYPE", None)
    body = parse_body(req, [RawParser()])
    assert body.media_type == "application/octet-stream"
    assert body.raw is not None and body.raw.read() == b"abc"


# --- size limits -----------------------------------------------------------


@pytest.mark.parametrize("parsers", [FIELD_PARSERS, [RawParser()]])
def test_body_of_exactly_max_size_is_accepted(parsers: list[Any]) -> None:
    payload = b'{"a": "' + b"x" * 93 + b'"}'
    assert len(payload) == 102
    body = parse_body(request("PUT", payload, "application/json"), parsers, max_size=102)
    if body.raw is not None:
        assert body.raw.read() == payload
    else:
        assert body.data == {"a": "x" * 93}


def test_body_one_byte_over_max_size_is_refused_before_reading() -> None:
    payload = b'{"a": "' + b"x" * 94 + b'"}'
    req = request("PUT", payload, "application/json")
    with pytest.raises(RequestTooLarge) as info:
        parse_body(req, FIELD_PARSERS, max_size=102)
    assert info.value.msg == "The request body is larger than the limit of 102 bytes"
    assert info.value.status == 413
    assert req.read() == payload  # nothing was consumed


def test_max_body_size_setting_is_the_default_limit() -> None:
    with override_settings(WEBAPI_KIT={"MAX_BODY_SIZE": 10}):
        parse_body(request("PUT", b"a=12345678", "application/x-www-form-urlencoded"), FIELD_PARSERS)
        with pytest.raises(RequestTooLarge) as info:
            parse_body(request("PUT", b"a=123456789", "application/x-www-form-urlencoded"), FIELD_PARSERS)
    assert info.value.msg == "The request body is larger than the limit of 10 bytes"


def test_multipart_body_over_the_limit_is_refused() -> None:
    with pytest.raises(RequestTooLarge):
        parse_body(request("PUT", MULTIPART, MULTIPART_TYPE), FIELD_PARSERS, max_size=len(MULTIPART) - 1)
    body = parse_body(request("PUT", MULTIPART, MULTIPART_TYPE), FIELD_PARSERS, max_size=len(MULTIPART))
    assert body.files["photo"].size == 15
    body.close()


def test_body_stream_enforces_the_limit_while_reading_without_a_length() -> None:
    assert BodyStream(io.BytesIO(b"x" * 10), length=None, max_size=10).read() == b"x" * 10
    with pytest.raises(RequestTooLarge) as info:
        BodyStream(io.BytesIO(b"x" * 11), length=None, max_size=10).read()
    assert info.value.msg == "The request body is larger than the limit of 10 bytes"


def test_body_stream_reports_a_body_shorter_than_declared() -> None:
    with pytest.raises(MalformedRequest) as info:
        BodyStream(io.BytesIO(b"abc"), length=5, max_size=10).read()
    assert info.value.msg == "The request body ended after 3 of its declared 5 bytes"


def chunked_request(payload: bytes, content_type: str) -> HttpRequest:
    req = HttpRequest()
    req.method = "PUT"
    req.META = {"CONTENT_TYPE": content_type, "HTTP_TRANSFER_ENCODING": "chunked"}
    req._stream = io.BytesIO(payload)
    return req


def test_chunked_body_without_length_is_read_and_limited() -> None:
    body = parse_body(chunked_request(b'{"a": 1}', "application/json"), FIELD_PARSERS)
    assert body.data == {"a": 1}
    body = parse_body(chunked_request(MULTIPART, MULTIPART_TYPE), FIELD_PARSERS)
    assert body.files["photo"].read() == PNG
    body.close()
    with pytest.raises(RequestTooLarge):
        parse_body(chunked_request(b'{"a": 1}', "application/json"), FIELD_PARSERS, max_size=7)


def test_invalid_content_length_is_malformed() -> None:
    with pytest.raises(MalformedRequest) as info:
        parse_body(request("PUT", b"a=1", "application/x-www-form-urlencoded", CONTENT_LENGTH="abc"), FIELD_PARSERS)
    assert info.value.msg == 'The Content-Length "abc" is not a valid length'


# --- media type selection and empty bodies ---------------------------------


def test_unknown_content_type_is_unsupported() -> None:
    with pytest.raises(UnsupportedMediaType) as info:
        parse_body(request("POST", b"<a/>", "application/xml"), FIELD_PARSERS)
    assert info.value.msg == (
        'Unsupported Content-Type "application/xml"; this resource accepts: '
        "application/json, application/x-www-form-urlencoded, multipart/form-data"
    )
    assert info.value.status == 415


def test_body_without_content_type_is_unsupported_by_field_parsers() -> None:
    req = request("POST", b"a=1", "")
    req.META.pop("CONTENT_TYPE", None)
    with pytest.raises(UnsupportedMediaType) as info:
        parse_body(req, [FormParser()])
    assert info.value.msg == (
        "The request body has no Content-Type; this resource accepts: application/x-www-form-urlencoded"
    )


def test_json_parser_does_not_take_text_json_lookalikes() -> None:
    assert JSONParser().matches("application/vnd.example.org.author+json")
    assert not JSONParser().matches("text/json+xml")
    assert not JSONParser().matches("application/jsonx")


def test_first_matching_parser_wins() -> None:
    body = parse_body(request("PUT", b'{"a": 1}', "application/json"), [JSONParser(), RawParser()])
    assert body.data == {"a": 1} and body.raw is None
    body = parse_body(request("PUT", b'{"a": 1}', "application/json"), [RawParser(), JSONParser()])
    assert body.data == {} and body.raw is not None


def test_empty_delete_without_content_type_is_an_empty_body() -> None:
    req = rf.delete("/api/authors/4/")
    assert "CONTENT_TYPE" not in req.META
    body = parse_body(req, FIELD_PARSERS)
    assert body == ParsedBody()


@pytest.mark.parametrize("content_type", ["application/xml", "application/json", "multipart/form-data"])
def test_zero_length_body_is_empty_whatever_its_type(content_type: str) -> None:
    body = parse_body(request("DELETE", b"", content_type, CONTENT_LENGTH="0", CONTENT_TYPE=content_type), FIELD_PARSERS)
    assert body.data == {} and body.files == {} and body.raw is None
    assert body.media_type == content_type


# --- method override -------------------------------------------------------


def override(method: str, payload: bytes, **headers: str) -> str | None:
    req = request(method, payload, "application/x-www-form-urlencoded", headers=headers)
    return method_override(req, parse_body(req, FIELD_PARSERS))


@pytest.mark.parametrize(
    ("method", "payload", "headers", "expected"),
    [
        ("POST", b"_method=PUT&name=Ted+Chiang+(via+_method)", {}, "PUT"),
        ("POST", b"_method=delete", {}, "DELETE"),
        ("POST", b"name=x", {"X-HTTP-Method-Override": "put"}, "PUT"),
        ("POST", b"_method=DELETE", {"X-HTTP-Method-Override": "DELETE"}, "DELETE"),
        ("POST", b"name=x", {}, None),
        ("PUT", b"_method=DELETE", {}, None),
    ],
)
def test_method_override(method: str, payload: bytes, headers: dict[str, str], expected: str | None) -> None:
    assert override(method, payload, **headers) == expected


def test_method_override_from_json_body() -> None:
    req = request("POST", b'{"_method": "PUT"}', "application/json")
    assert method_override(req, parse_body(req, FIELD_PARSERS)) == "PUT"


@pytest.mark.parametrize("value", ["PATCH", "GET", ""])
def test_method_override_field_refuses_other_methods(value: str) -> None:
    with pytest.raises(FieldError) as info:
        override("POST", b"_method=" + value.encode())
    assert info.value.fields == {"_method": [f'"{value}" is not a valid method; use PUT or DELETE']}


def test_method_override_header_refuses_other_methods() -> None:
    with pytest.raises(MalformedRequest) as info:
        override("POST", b"a=1", **{"X-HTTP-Method-Override": "PATCH"})
    assert info.value.msg == '"PATCH" is not a valid X-HTTP-Method-Override; use PUT or DELETE'


def test_method_override_field_and_header_must_agree() -> None:
    with pytest.raises(FieldError) as info:
        override("POST", b"_method=PUT", **{"X-HTTP-Method-Override": "DELETE"})
    assert info.value.fields == {"_method": ['"PUT" disagrees with the X-HTTP-Method-Override header "DELETE"']}


# --- StreamParser: the body left unread for the handler ----------------------


def test_stream_parser_reads_nothing_before_the_handler() -> None:
    payload = bytes(range(256)) * 1000
    req = request("PUT", payload, "application/octet-stream")
    body = parse_body(req, [StreamParser()])
    assert body.stream is not None and body.stream.bytes_read == 0
    assert body.media_type == "application/octet-stream"
    chunks = []
    while chunk := body.stream.read(65536):
        chunks.append(chunk)
    assert b"".join(chunks) == payload


def test_stream_parser_enforces_the_limit_while_the_handler_reads() -> None:
    # A declared length over the limit is refused before anything is read...
    with pytest.raises(RequestTooLarge):
        parse_body(request("PUT", b"x" * 11, "text/plain"), [StreamParser()], max_size=10)
    # ...and a body that ends early is malformed when the reader reaches the end.
    req = request("PUT", b"short", "text/plain")
    req.META["CONTENT_LENGTH"] = "9"
    body = parse_body(req, [StreamParser()])
    assert body.stream is not None
    assert body.stream.read(5) == b"short"
    with pytest.raises(MalformedRequest, match="ended after 5 of its declared 9 bytes"):
        body.stream.read(4)


def test_stream_parser_on_a_chunked_body_reads_the_spool_until_the_body_is_closed() -> None:
    body = parse_body(chunked_request(b"streamed without a length", "text/plain"), [StreamParser()])
    assert body.stream is not None
    assert body.stream.read(-1) == b"streamed without a length"
    (spool,) = body.owned
    body.close()
    assert spool.closed


def test_stream_parser_can_be_limited_to_some_types() -> None:
    parser = StreamParser(["application/octet-stream"])
    with pytest.raises(UnsupportedMediaType):
        parse_body(request("PUT", b"{}", "application/json"), [parser])
